"""A release sign-off run links working evidence from every row, and its HTML renders cleanly.

One real acceptance run in release mode (real servers, real Chromium), signed off on the command
line; then its output folder is moved elsewhere, as a CI artifact is downloaded, and every link of
the Markdown and of the HTML checklist is opened from there. Slow: a full suite run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser

from tests.selftest import runner
from tests.support.html_page import opened

pytestmark = pytest.mark.slow

RELEASE = "9.9.9-evidence"
SIGNER = "Ada Lovelace <QE lead>"
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a signed release run, as downloaded somewhere else."""
    work = tmp_path_factory.mktemp("release")
    run = runner.run_acceptance(
        runner.REPO_ROOT,
        work / "out",
        pycache=work / "pycache",
        extra_args=["--run-mode", "release", "--release", RELEASE, "--signed-off-by", SIGNER],
    )
    results = run.results()
    assert results is not None, run.log_path.read_text()[-3000:]
    assert results["verdict"] != "NO-GO", results["reason"]
    downloaded = work / "downloaded" / "reports-out"
    shutil.copytree(run.out_dir, downloaded)
    shutil.rmtree(run.out_dir)
    return downloaded


def _open(base: Path, href: str, anchors: set[str]) -> None:
    if href.startswith("#"):
        assert href[1:] in anchors, f"no anchor {href}"
        return
    assert not re.match(r"^[a-z]+:", href) and not href.startswith("/"), f"not relative: {href}"
    target = (base / unquote(href)).resolve()
    data = target.read_bytes()
    assert data, f"empty evidence: {href}"
    if target.suffix == ".png":
        assert data.startswith(PNG), href
    if target.suffix == ".txt":
        assert data.decode().startswith("# server log lines") or b"passed" in data, href


def test_every_row_of_a_release_checklist_links_evidence_that_opens(artifact: Path) -> None:
    document = (artifact / "QE_ACCEPTANCE_CHECKLIST.md").read_text()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', document))
    table = document.split("## Checklist", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if re.match(r"^\| (OC|API|ENV)-\d+ ", line)]

    assert len(rows) >= 20
    for row in rows:
        item = row.split("|")[1].strip()
        links = MD_LINK.findall(row.split("|")[-2])
        files = [(label, href) for label, href in links if not href.startswith("#")]
        assert files, f"{item}: no evidence link in its row"
        if item.startswith("OC-"):
            assert "screenshot" in {label for label, _ in files}, f"{item}: no final screenshot"
        if item.startswith("API-"):
            assert "log" in {label for label, _ in files}, f"{item}: no server-log excerpt"
        for _, href in links:
            _open(artifact, href, anchors)
    for _, href in MD_LINK.findall(document):
        _open(artifact, href, anchors | {"sign-off"})
    signoff = document.split("## Sign-off", 1)[1]
    assert "| Ada Lovelace | QE lead |" in signoff
    assert RELEASE in signoff


def test_the_html_checklist_renders_in_chromium_without_console_errors(
    artifact: Path, browser: Browser
) -> None:
    page_path = artifact / "QE_ACCEPTANCE_CHECKLIST.html"
    with opened(page_path, browser) as seen:
        heading = seen.page.get_by_role("heading", level=1).inner_text()
        hrefs = seen.page.eval_on_selector_all(
            "a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        ids = set(seen.page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))

    assert seen.errors == []
    assert heading.startswith("GO")
    assert len(hrefs) > 40
    for href in hrefs:
        _open(artifact, href, ids)
