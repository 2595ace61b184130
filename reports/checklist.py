"""Render QE_ACCEPTANCE_CHECKLIST.md from results.json; as a CLI, re-render and merge result files.

    python -m reports.checklist RESULTS.json [RESULTS.json ...] -o FILE
        [--run-mode ci|nightly|release] [--release NAME] [--catalogue PATH] [--root DIR]
        [--history-dir DIR] [--results-out PATH] [--junit-out PATH]
        [--signed-off-by "NAME <ROLE>" ...] [--no-html]

The Markdown is the source of truth; an HTML rendering of the same data (one self-contained file,
same name, ``.html``) is written beside it unless --no-html.

One input is re-rendered as it is (the same bytes the run wrote, for the same -o and --root);
several are merged (shards, xdist, re-runs of a nightly): the union of their tests, the attempts of
one test concatenated in time order, items recomputed from the catalogue. Exit status 1 when the
verdict fails the run's mode (reports/modes.py: NO-GO; in release mode GO WITH WARNINGS too).
The document depends only on results.json, the output location and --root (evidence links are
relative to the output file), never on the clock.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe

from reports import catalogue as catalogue_mod
from reports import history as history_mod
from reports import junit, modes, trends
from reports.leaks import env_secrets
from reports.results import (
    BLOCKED,
    FAIL,
    FLAKY,
    NO_GO_STATUSES,
    NOT_APPLICABLE,
    NOT_COVERED,
    NOT_RUN,
    NOT_SELECTED,
    PASS,
    SKIPPED,
    STATUSES,
    UNJUDGED,
    VERDICT_RULES,
    catalogue_of,
    headline,
    merge,
    redact,
    selection_of,
    target_name,
)

TEMPLATES = Path(__file__).parent / "templates"
CHECKLIST_NAME = "QE_ACCEPTANCE_CHECKLIST.md"
# Failure excerpts are for orientation; the full text is in junit.xml and allure-results.
EXCERPT_LINES = 40
MESSAGE_CHARS = 300
MAX_EVIDENCE_LINKS = 4
# Harness checks (runinfo.record_check) appear in results.json as tests with this prefix.
HARNESS_PREFIX = "harness::"
HTML_NAME = "QE_ACCEPTANCE_CHECKLIST.html"


_SIGNER = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<role>[^<>]+)>\s*$")


def parse_signer(value: str, date: str) -> dict[str, str]:
    """``"Name <role>"`` (from ``--signed-off-by``) -> a sign-off line dated ``date``."""
    match = _SIGNER.match(value)
    if match is None or not match["name"]:
        raise ValueError(
            f'--signed-off-by {value!r}: expected "Name <role>", e.g. "Ada Lovelace <QE lead>"'
        )
    return {"name": match["name"], "role": match["role"].strip(), "date": date}


def status_word(status: str) -> str:
    return status.upper()


def status_cell(status: str) -> str:
    word = status_word(status)
    return word if status in (PASS, *UNJUDGED) else f"**{word}**"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}\u00a0s" if seconds >= 0.05 else f"{seconds:.2f}\u00a0s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}\u00a0m\u00a0{secs:02d}\u00a0s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}\u00a0h\u00a0{minutes:02d}\u00a0m"


def text(value: Any) -> str:
    """Plain text made safe for markdown prose and table cells (no HTML, no column breaks)."""
    flat = " ".join(str(value or "").split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return flat.replace("|", "\\|")


def code(value: Any) -> str:
    """An inline code span that survives backticks and pipes in the value."""
    flat = " ".join(str(value or "").split()).replace("|", "\\|")
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def fenced(body: str, lang: str = "text") -> str:
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body.rstrip()}\n{fence}"


def short(message: str | None, limit: int = MESSAGE_CHARS) -> str:
    first = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def excerpt(details: str | None) -> str:
    lines = (details or "").rstrip().splitlines()
    if len(lines) > EXCERPT_LINES:
        lines = [f"[… {len(lines) - EXCERPT_LINES} earlier lines omitted]", *lines[-EXCERPT_LINES:]]
    return "\n".join(lines)


class _Links:
    def __init__(self, output: Path, root: Path) -> None:
        self.base = output.resolve().parent
        self.root = root.resolve()

    def href(self, path: str) -> str:
        target = (self.root / path).resolve()
        return quote(Path(os.path.relpath(target, self.base)).as_posix())

    def of(self, evidence: list[dict[str, str]]) -> list[dict[str, str]]:
        """Evidence entries as links: ``{"label", "href"}`` relative to the checklist."""
        return [{"label": ev["kind"], "href": self.href(ev["path"])} for ev in evidence]

    def evidence(self, evidence: list[dict[str, str]], limit: int = MAX_EVIDENCE_LINKS) -> str:
        return md_links(self.of(evidence), limit)


def md_links(links: list[dict[str, str]], limit: int = MAX_EVIDENCE_LINKS) -> str:
    shown = [f"[{link['label']}]({link['href']})" for link in links[:limit]]
    if len(links) > limit:
        shown.append(f"+{len(links) - limit} more")
    return " · ".join(shown)


def anchor(item_id: str) -> str:
    """The id of an item's evidence section (same in the Markdown and the HTML)."""
    return "evidence-" + re.sub(r"[^a-z0-9]+", "-", item_id.lower()).strip("-")


def _fact(value: Any) -> str:
    # str() first: text() shows a falsy value as nothing, and a count of 0 is a fact.
    if isinstance(value, dict):
        return ", ".join(
            f"{text(k)} {_fact(v) if isinstance(v, list) else text(str(v))}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(text(str(v)) for v in value)
    return text(value)


def _shown_attempt(test: dict[str, Any]) -> dict[str, Any] | None:
    """The attempt whose evidence a reader needs: the failing one of a failed, blocked or flaky
    test, else the last."""
    if not test["attempts"]:
        return None
    if test["status"] in (FAIL, BLOCKED, FLAKY):
        return _failed_attempt(test) or test["attempts"][-1]
    return test["attempts"][-1]


def _row_evidence(item: dict[str, Any], tests: dict[str, dict[str, Any]]) -> list[dict]:
    """Evidence of the attempt to open first of each of the item's tests."""
    found: list[dict[str, str]] = []
    for nodeid in item["tests"]:
        attempt = _shown_attempt(tests[nodeid])
        for ev in attempt["evidence"] if attempt else []:
            if ev not in found:
                found.append(ev)
    return found


def _item_evidence(
    item: dict[str, Any], tests: dict[str, dict[str, Any]], links: _Links
) -> dict[str, Any]:
    """An item's evidence section: each test (node id, status), each attempt with its links."""
    entries = []
    for nodeid in item["tests"]:
        test = tests[nodeid]
        entries.append(
            {
                "nodeid": nodeid,
                "status": test["status"],
                "attempts": [
                    {
                        "no": n,
                        "outcome": a["outcome"],
                        "links": links.of(a["evidence"]),
                    }
                    for n, a in enumerate(test["attempts"], start=1)
                ],
            }
        )
    return {"item": item, "anchor": anchor(item["id"]), "tests": entries}


def _counts_phrase(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[s]} {status_word(s)}" for s in STATUSES if counts.get(s))


def _failed_attempt(test: dict[str, Any]) -> dict[str, Any] | None:
    for attempt in reversed(test["attempts"]):
        if attempt["outcome"] in ("failed", "blocked"):
            return attempt
    return None


def _coverage_reason(item: dict[str, Any], tests: dict[str, dict[str, Any]]) -> str:
    mine = [tests[n] for n in item["tests"]]
    if item["status"] == NOT_COVERED:
        return "no test in this run evidences it"
    if item["status"] == NOT_RUN:
        idle = [t for t in mine if t["status"] == NOT_RUN]
        deselected = [t for t in idle if t.get("deselected")]
        why = "deselected (-k / --deselect / -m)" if deselected else "not reached (session stopped)"
        names = ", ".join(code(t["nodeid"]) for t in idle[:3])
        more = f" and {len(idle) - 3} more" if len(idle) > 3 else ""
        return f"{len(idle)} of {len(mine)} test(s) {why}: {names}{more}"
    reasons = sorted({short(t["attempts"][-1].get("error")) for t in mine if t["attempts"]} - {""})
    return "all its tests were skipped" + (f": {text('; '.join(reasons))}" if reasons else "")


def _version_instance(facts: dict[str, Any], prefix: str) -> str:
    version = facts.pop(f"{prefix}_version", None)
    instance = facts.pop(f"{prefix}_instance_id", None)
    parts = [
        f"version {text(version)}" if version else "",
        f"instance {code(instance)}" if instance else "",
    ]
    return ", ".join(p for p in parts if p)


def _status_counts(tests: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for test in tests:
        counts[test["status"]] = counts.get(test["status"], 0) + 1
    return counts


def context(results: dict[str, Any], output: Path, root: Path) -> dict[str, Any]:
    """Everything the templates show, computed once: the Markdown and the HTML render the same
    data (add to it here, then to both templates)."""
    links = _Links(output, root)
    run = results["run"]
    tests = {t["nodeid"]: t for t in results["tests"]}
    real_tests = [t for t in results["tests"] if not t["nodeid"].startswith(HARNESS_PREFIX)]
    items = results["items"]
    summary = results["summary"]

    failures = []
    for item in items:
        if item["status"] not in (FAIL, BLOCKED):
            continue
        entries = []
        for nodeid in item["tests"]:
            test = tests[nodeid]
            if test["status"] not in (FAIL, BLOCKED):
                continue
            attempt = _failed_attempt(test) or test["attempts"][-1]
            entries.append(
                {
                    "nodeid": nodeid,
                    "status": test["status"],
                    "attempt_no": test["attempts"].index(attempt) + 1,
                    "attempt_count": len(test["attempts"]),
                    "attempt": attempt,
                    "message": short(attempt.get("error")),
                    "excerpt": excerpt(attempt.get("details") or attempt.get("error")),
                    "links": links.of(attempt["evidence"]),
                }
            )
        failures.append({"item": item, "tests": entries})
    unmapped = [
        {
            "nodeid": t["nodeid"],
            "status": t["status"],
            "message": short((_failed_attempt(t) or {}).get("error")),
            "excerpt": excerpt((_failed_attempt(t) or {}).get("details")),
        }
        for t in results["tests"]
        if not t["items"] and t["status"] in (FAIL, BLOCKED)
    ]
    flaky = [
        {
            "test": t,
            "attempts": [
                {
                    **a,
                    "no": n,
                    "message": short(a.get("error"), 160),
                    "links": links.of(a["evidence"]),
                }
                for n, a in enumerate(t["attempts"], start=1)
            ],
        }
        for t in results["tests"]
        if t["status"] == FLAKY
    ]
    gaps = [
        {"item": i, "why": _coverage_reason(i, tests)}
        for i in items
        if i["status"] in (NOT_COVERED, NOT_RUN, SKIPPED)
    ]
    blocking = [i for i in items if i["required"] and i["status"] in NO_GO_STATUSES]
    warned = [
        i
        for i in items
        if i["status"] == FLAKY or (not i["required"] and i["status"] not in (PASS, *UNJUDGED))
    ]
    not_applicable = [i for i in items if i["status"] == NOT_APPLICABLE]
    # In a target run: those the catalogue says need the bundled stack, apart from those whose
    # check found nothing to prove on this target (e.g. TLS on plain-HTTP loopback).
    need_bundled = [i for i in not_applicable if i.get("where") == "bundled"]
    not_selected = [i for i in items if i["status"] == NOT_SELECTED]
    target = (run.get("facts") or {}).get("target")

    facts = dict(run.get("facts") or {})
    backend = _version_instance(facts, "backend")
    frontend = _version_instance(facts, "frontend")
    browser = " ".join(
        str(v) for v in (facts.pop("browser", None), facts.pop("browser_version", None)) if v
    )
    commit = run.get("commit")
    fact_rows = [
        ("Date", run.get("started_at_display") or run.get("started_at") or "unknown"),
        (
            "Commit",
            (f"{code(commit)} on {code(run.get('branch') or 'detached')}" if commit else "unknown")
            + (" (uncommitted changes)" if run.get("dirty") else ""),
        ),
        ("Run mode", run.get("run_mode") or "ci"),
        ("Release", text(run.get("release")) if run.get("release") else None),
        ("Duration", duration(run.get("duration_s"))),
        ("Backend", backend or "not recorded"),
        ("Frontend", frontend or "not recorded"),
        ("Browser", text(browser) or "not recorded"),
        ("Python", text(run.get("python"))),
        ("OS", text(run.get("os"))),
        (
            "pytest",
            text(
                " · ".join(
                    [f"pytest {run.get('pytest', '?')}"]
                    + [f"{n} {v}" for n, v in sorted((run.get("plugins") or {}).items())]
                )
            ),
        ),
        ("Command", code(run["command"]) if run.get("command") else None),
        ("Workers", str(run["workers"]) if run.get("workers") else None),
        (
            "Merged from",
            f"{len(run['merged_from'])} result files" if run.get("merged_from") else None,
        ),
    ]
    fact_rows += [
        (text(k.replace("_", " ").capitalize()), _fact(v)) for k, v in sorted(facts.items())
    ]

    history = results.get("history")
    trend = (
        trends.rows(history, items, catalogue_mod.budgets_ms(catalogue_of(results)))
        if history
        else {"items": [], "timings": []}
    )

    return {
        "r": results,
        "headline": headline(results),
        "target": target,
        "target_name": target_name(run),
        "not_applicable": not_applicable,
        "need_bundled": need_bundled,
        "selection": selection_of(run),
        "not_selected": not_selected,
        "run": run,
        "summary": summary,
        "items": items,
        "row_links": {i["id"]: links.of(_row_evidence(i, tests)) for i in items},
        "item_evidence": [_item_evidence(i, tests, links) for i in items],
        "anchors": {i["id"]: anchor(i["id"]) for i in items},
        "required_total": sum(1 for i in items if i["required"]),
        "advisory_total": sum(1 for i in items if not i["required"]),
        "required_counts": _counts_phrase(summary["required"]),
        "advisory_counts": _counts_phrase(summary["advisory"]),
        "test_counts": _counts_phrase(_status_counts(real_tests)),
        "test_total": len(real_tests),
        "test_attempts": sum(len(t["attempts"]) for t in real_tests),
        "test_reruns": sum(max(len(t["attempts"]) - 1, 0) for t in real_tests),
        "checks": [
            {"id": t["nodeid"].removeprefix(HARNESS_PREFIX), "status": t["status"]}
            for t in results["tests"]
            if t["nodeid"].startswith(HARNESS_PREFIX)
        ],
        "leaks": [p for p in results.get("problems", []) if p.get("kind") == "secret"],
        "signers": list(run.get("signed_off_by") or []),
        "environment": (run.get("facts") or {}).get("environment") or "not recorded",
        "committed": output.resolve().parent == root.resolve(),
        "blocking": blocking,
        "warned": warned,
        "failures": failures,
        "unmapped": unmapped,
        "flaky": flaky,
        "gaps": gaps,
        "facts": [(k, v) for k, v in fact_rows if v is not None],
        "history": history,
        "trend_rows": trend["items"],
        "timing_rows": trend["timings"],
        "legend": " · ".join(f"{sym} {name}" for name, sym in history_mod.SYMBOLS.items()),
        "rules": VERDICT_RULES,
        "links": links,
        # A target run is never a sign-off, whatever it was called (the harness refuses the mix).
        "signoff": not target and modes.of_run(run).signoff,
        "signoff_roles": ("QE lead", "Engineering", "Product / Release manager"),
    }


# One environment each per process: it caches the compiled templates, and compiling them takes
# seconds on a loaded machine, which an interrupted run's last seconds cannot spare.
@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # markdown, escaped cell by cell with the filters below
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        text=text,
        code=code,
        fenced=fenced,
        duration=duration,
        status=status_cell,
        word=status_word,
        mdlinks=md_links,
    )
    return env


def _css(status: str) -> str:
    return status.replace(" ", "-")


_CODE_SPAN = re.compile(r"(`+) ?(.*?) ?\1")


def _inline(value: Any) -> markupsafe.Markup:
    """A value pre-formatted for Markdown (``text``/``code`` filters) as HTML: code spans become
    ``<code>``, the rest is escaped."""
    flat = str(value or "").replace("\\|", "|")
    out, last = [], 0
    for match in _CODE_SPAN.finditer(flat):
        out.append(markupsafe.escape(html.unescape(flat[last : match.start()])))
        out.append(markupsafe.Markup("<code>%s</code>") % match.group(2))
        last = match.end()
    out.append(markupsafe.escape(html.unescape(flat[last:])))
    return markupsafe.Markup("").join(out)


@functools.cache
def _html_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(duration=duration, word=status_word, css=_css, inline=_inline)
    return env


def compile_templates() -> None:
    """Compile both templates now (e.g. at a run's start), so that rendering at its end is quick."""
    _environment().get_template("checklist.md.j2")
    _html_environment().get_template("checklist.html.j2")


def render_html(results: dict[str, Any], output: Path, root: Path) -> str:
    """The checklist as one self-contained HTML page, links relative to ``output``."""
    return (
        _html_environment().get_template("checklist.html.j2").render(context(results, output, root))
    )


def render(results: dict[str, Any], output: Path, root: Path) -> str:
    """The checklist markdown for ``results``, with links relative to ``output``."""
    document = _environment().get_template("checklist.md.j2").render(context(results, output, root))
    # Collapse runs of blank lines left by optional sections; GitHub renders them the same.
    return re.sub(r"\n{3,}", "\n\n", document).rstrip("\n") + "\n"


def html_path(output: Path) -> Path:
    """Where the HTML rendering of the checklist ``output`` goes: beside it."""
    return output.with_suffix(".html")


def write(
    results: dict[str, Any], output: Path, root: Path, secrets: set[str], *, html_too: bool = True
) -> None:
    """Write the Markdown checklist and (``html_too``) its HTML rendering beside it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(redact(render(results, output, root), secrets), encoding="utf-8")
    if html_too:
        page = render_html(results, html_path(output), root)
        html_path(output).write_text(redact(page, secrets), encoding="utf-8")


def dump_results(results: dict[str, Any], path: Path, secrets: set[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text_ = json.dumps(redact(results, secrets), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text_, encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reports.checklist",
        description="Re-render QE_ACCEPTANCE_CHECKLIST.md from (merged) results.json files.",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="RESULTS.json")
    parser.add_argument("-o", "--output", type=Path, required=True, help="checklist file to write")
    parser.add_argument("--run-mode", choices=modes.NAMES, help="override the mode")
    parser.add_argument(
        "--release", help="release name (release mode unless --run-mode: adds the sign-off table)"
    )
    parser.add_argument("--catalogue", type=Path, help="recompute items from this catalogue")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repo root (default: cwd)")
    parser.add_argument("--history-dir", type=Path, help="append the merged run, show its trend")
    parser.add_argument("--results-out", type=Path, help="also write the merged results.json")
    parser.add_argument("--junit-out", type=Path, help="also write the merged JUnit XML")
    parser.add_argument(
        "--signed-off-by",
        action="append",
        default=[],
        metavar='"NAME <ROLE>"',
        help="add an approver to the sign-off, dated today (repeatable)",
    )
    parser.add_argument(
        "--no-html", action="store_true", help="do not write the HTML rendering beside -o"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    inputs = [json.loads(path.read_text(encoding="utf-8")) for path in args.inputs]
    catalogue = catalogue_mod.load(args.catalogue) if args.catalogue else None
    results = merge(inputs, catalogue)
    wanted = (
        modes.resolve(args.run_mode, None, args.release) if args.run_mode or args.release else None
    )
    if target_name(results["run"]) and (args.release or (wanted is not None and wanted.signoff)):
        print(
            f"{args.inputs[0]}: target-mode results (target {target_name(results['run'])}) are "
            "never a release sign-off: sign off on a bundled run",
            file=sys.stderr,
        )
        return 4
    selection = selection_of(results["run"])
    whole = [wanted.name] if wanted is not None and not wanted.partial_allowed else []
    whole += ["history"] if args.history_dir else []
    if selection is not None and whole:
        print(
            f"{args.inputs[0]}: results of a partial run (--items {','.join(selection)}) are "
            f"never a {whole[0]} run's: it needs every item; run the whole suite",
            file=sys.stderr,
        )
        return 4
    if wanted is not None:
        results["run"]["run_mode"] = wanted.name
    if args.release:
        results["run"]["release"] = args.release
    if args.history_dir:
        history_mod.append(args.history_dir, results)
        results["history"] = history_mod.trend(
            history_mod.load(args.history_dir), [i["id"] for i in results["items"]]
        )
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    try:
        signers = [parse_signer(value, today) for value in args.signed_off_by]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if signers:
        results["run"]["signed_off_by"] = [*results["run"].get("signed_off_by", []), *signers]
    secrets = env_secrets()
    if args.results_out:
        dump_results(results, args.results_out, secrets)
    if args.junit_out:
        junit.write(redact(results, secrets), args.junit_out)
    write(results, args.output, args.root, secrets, html_too=not args.no_html)
    print(f"{headline(results)}: {results['reason']} -> {args.output}")
    return 1 if modes.fails(results["verdict"], modes.of_run(results["run"])) else 0


if __name__ == "__main__":
    sys.exit(main())
