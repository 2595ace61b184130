"""What an acceptance run leaves behind: re-renderable results, merged shards, no secrets."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from tests.reports.conftest import Suite

pytest_plugins = ["pytester"]

MIXED = """
import pathlib
import pytest
from reports import runinfo

@pytest.mark.checklist("OC-01")
def test_one():
    pass

@pytest.mark.checklist("OC-02")
def test_two(request):
    counter = pathlib.Path("attempts.txt")
    seen = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(seen + 1))
    log = pathlib.Path(f"reports/out/logs/two-{seen}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("server said hello")
    runinfo.add_evidence(request.node, "log", log.as_posix())
    assert seen >= 1, "first attempt fails | with a pipe and <html>"

@pytest.mark.checklist("OC-03")
def test_three():
    assert 2 + 2 == 5
"""

SECRET = "tok-9f8e7d6c5b4a"

LEAKY_CONFTEST = f"""
import pathlib
import pytest
from reports import runinfo

@pytest.fixture(scope="session", autouse=True)
def leaky_backend(request):
    runinfo.register_secret(request.config, "{SECRET}")
    runinfo.record_fact(request.config, "backend_version", "0.1.0")
    log = pathlib.Path("reports/out/logs/backend.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("startup token={SECRET}\\n")
    yield
"""


def test_rerendering_from_results_json_gives_the_same_document(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True, OC_03=True, OC_04=True)
    suite.pytester.makepyfile(test_mixed=MIXED)
    run = suite.run("--reruns", "1")
    again = run.out / "again" / ".." / "QE_ACCEPTANCE_CHECKLIST.again.md"

    cli = suite.cli(str(run.out / "results.json"), "-o", str(again))

    assert cli.ret == 1  # NO-GO
    assert again.read_bytes() == (run.out / "QE_ACCEPTANCE_CHECKLIST.md").read_bytes()


def test_evidence_links_are_relative_to_the_checklist(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True, OC_03=True)
    suite.pytester.makepyfile(test_mixed=MIXED)

    run = suite.run("--reruns", "1")

    assert "[log](logs/two-0.log)" in run.checklist
    assert "[log](logs/two-1.log)" in run.checklist
    attempts = run.test("test_two")["attempts"]
    assert [a["evidence"] for a in attempts] == [
        [{"kind": "log", "path": "reports/out/logs/two-0.log"}],
        [{"kind": "log", "path": "reports/out/logs/two-1.log"}],
    ]


def test_merging_two_shards_gives_one_document_with_every_item(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(
        test_chain="""
import pytest

@pytest.mark.checklist("OC-01")
def test_one():
    pass

@pytest.mark.checklist("OC-02")
def test_two():
    pass
"""
    )
    first = suite.run("-k", "test_one")
    shutil.copy(first.out / "results.json", suite.path / "shard1.json")
    second = suite.run("-k", "test_two")
    shutil.copy(second.out / "results.json", suite.path / "shard2.json")

    cli = suite.cli("shard1.json", "shard2.json", "-o", "merged.md", "--results-out", "merged.json")

    assert (first.results["verdict"], second.results["verdict"]) == ("NO-GO", "NO-GO")
    assert cli.ret == 0
    merged = json.loads((suite.path / "merged.json").read_text())
    assert merged["verdict"] == "GO"
    assert {i["id"]: i["status"] for i in merged["items"]} == {"OC-01": "pass", "OC-02": "pass"}
    document = (suite.path / "merged.md").read_text()
    assert document.startswith("# GO — all 2 required items passed\n")
    assert "| OC-01 |" in document and "| OC-02 |" in document


def test_secret_in_a_log_file_is_no_go_naming_the_file(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makeconftest(LEAKY_CONFTEST)
    suite.pytester.makepyfile(
        test_ok='import pytest\n\n@pytest.mark.checklist("OC-01")\ndef test_ok():\n    pass\n'
    )

    run = suite.run()

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    assert run.checklist.startswith("# NO-GO — secret found in reports/out/logs/backend.log\n")
    for output in (run.checklist, run.junit, json.dumps(run.results), run.result.stdout.str()):
        assert SECRET not in output


def test_secret_inside_a_trace_zip_is_found(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makeconftest(LEAKY_CONFTEST.replace("reports/out/logs/backend.log", "clean.log"))
    trace = suite.path / "reports" / "out" / "artifacts" / "trace.zip"
    trace.parent.mkdir(parents=True)
    with zipfile.ZipFile(trace, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("trace.network", json.dumps({"headers": {"authorization": SECRET}}))
    suite.pytester.makepyfile(
        test_ok='import pytest\n\n@pytest.mark.checklist("OC-01")\ndef test_ok():\n    pass\n'
    )

    run = suite.run()

    assert run.results["reason"] == (
        "secret found in reports/out/artifacts/trace.zip!trace.network"
    )


def test_secret_in_an_error_message_is_redacted(
    suite: Suite, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite.catalogue(OC_01=True)
    monkeypatch.setenv("TRADIER_TOKEN", SECRET)
    suite.pytester.makepyfile(
        test_leak="""
import os
import pytest

@pytest.mark.checklist("OC-01")
def test_leak():
    assert False, "upstream refused " + os.environ["TRADIER_TOKEN"]
"""
    )

    run = suite.run()

    assert run.results["reason"] == "OC-01 failed"
    assert "upstream refused [REDACTED]" in run.test("test_leak")["attempts"][0]["error"]
    for output in (run.checklist, run.junit, json.dumps(run.results)):
        assert SECRET not in output


def test_acceptance_folder_activates_the_plugin_and_allure(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    acceptance = suite.path / "acceptance"
    acceptance.mkdir()
    (acceptance / "test_smoke.py").write_text("def test_smoke():\n    pass\n")

    run = suite.run("acceptance")

    assert run.results["reason"] == "OC-01 not covered"
    assert any((run.out / "allure-results").glob("*-result.json"))


JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJxZSIsImV4cCI6MTc2NDQwMDAwMH0"
    ".Qm9ndXNTaWduYXR1cmVCeXRlc0hlcmU"
)


def test_a_token_in_fixture_values_and_captured_output_reaches_no_output(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makeconftest(
        f"""
import pytest
from reports import runinfo

@pytest.fixture
def desk_token(request):
    runinfo.register_secret(request.config, "{SECRET}")
    return "{SECRET}"
"""
    )
    suite.pytester.makepyfile(
        test_leak=f"""
import logging
import pytest

@pytest.mark.checklist("OC-01")
def test_leak(desk_token):
    session = "{JWT}"  # issued to the app, never registered
    print("signed in with", desk_token, session)
    logging.getLogger("qe").warning("token %s", session)
    assert desk_token == "other"
"""
    )

    run = suite.run("-l", "-rA")

    outputs = {
        "terminal": run.result.stdout.str(),
        "checklist": run.checklist,
        "junit": run.junit,
        "results": json.dumps(run.results),
        "html": (run.out / "QE_ACCEPTANCE_CHECKLIST.html").read_text(),
    }
    outputs |= {p.name: p.read_text() for p in (run.out / "allure-results").glob("*")}
    assert "[REDACTED]" in outputs["terminal"]
    for name, text in outputs.items():
        assert SECRET not in text, name
        assert JWT not in text, name


def test_secrets_in_many_files_make_one_short_reason_and_a_list_below(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    many = "\n".join(
        [
            LEAKY_CONFTEST.rstrip().removesuffix("yield").rstrip(),
            "    for n in range(30):",
            '        copy = log.parent / f"worker-{n:02d}-with-a-long-name.log"',
            "        copy.write_text(log.read_text())",
            "    yield",
            "",
        ]
    )
    suite.pytester.makeconftest(many)
    suite.pytester.makepyfile(
        test_ok='import pytest\n\n@pytest.mark.checklist("OC-01")\ndef test_ok():\n    pass\n'
    )

    run = suite.run()

    first = run.checklist.splitlines()[0]
    assert first == "# NO-GO — secret found in 31 files, first reports/out/logs/backend.log"
    listed = run.checklist.split("## Secrets found in outputs", 1)[1]
    assert "`reports/out/logs/worker-29-with-a-long-name.log`" in listed
