"""JUnit XML from results.json, with Surefire's rerun elements so dashboards see every attempt.

A flaky test (failed, then passed on a rerun) keeps its failed attempts as ``<flakyFailure>``; a
test that failed every attempt has a ``<failure>`` for the last and ``<rerunFailure>`` for the
others. Each checklist item and the verdict are test cases too (classname ``checklist``), so a
not-covered required item or a NO-GO shows as a failure in any JUnit dashboard.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from reports.results import FAIL, NO_GO, NO_GO_STATUSES

_TYPE_PREFIX = re.compile(r"^([A-Za-z_][\w.]*):\s")
# XML 1.0 forbids most control characters; test output may contain them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(text: str | None) -> str:
    return _XML_ILLEGAL.sub("?", text or "")


def _names(nodeid: str) -> tuple[str, str]:
    """classname and name the way pytest's own junitxml spells them."""
    parts = nodeid.split("::")
    module = parts[0].removesuffix(".py").replace("/", ".")
    return ".".join([module, *parts[1:-1]]), parts[-1] if len(parts) > 1 else parts[0]


def _failure(parent: ET.Element, tag: str, attempt: dict[str, Any], with_trace: bool) -> None:
    message = _clean(attempt.get("error") or attempt["outcome"])
    match = _TYPE_PREFIX.match(message)
    element = ET.SubElement(
        parent,
        tag,
        {
            "message": message.splitlines()[0] if message else "",
            "type": match.group(1) if match else attempt["outcome"],
        },
    )
    details = _clean(attempt.get("details") or attempt.get("error") or "")
    if with_trace:
        ET.SubElement(element, "stackTrace").text = details
    else:
        element.text = details


def _testcase(suite: ET.Element, test: dict[str, Any]) -> None:
    classname, name = _names(test["nodeid"])
    case = ET.SubElement(
        suite,
        "testcase",
        {"classname": classname, "name": name, "time": f"{test['duration_s']:.3f}"},
    )
    if test["items"]:
        props = ET.SubElement(case, "properties")
        for item_id in test["items"]:
            ET.SubElement(props, "property", {"name": "checklist", "value": item_id})
    attempts = test["attempts"]
    failed = [a for a in attempts if a["outcome"] in ("failed", "blocked")]
    status = test["status"]
    if status == "flaky":
        for attempt in failed:
            _failure(case, "flakyFailure", attempt, with_trace=True)
    elif status in ("fail", "blocked"):
        last = attempts[-1]
        tag = "error" if last["outcome"] == "blocked" else "failure"
        _failure(case, tag, last, with_trace=False)
        for attempt in failed[:-1] if failed and failed[-1] is last else failed:
            _failure(case, "rerunFailure", attempt, with_trace=True)
    elif status == "skipped":
        ET.SubElement(case, "skipped", {"message": _clean(attempts[-1].get("error") or "")})
    elif status == "not run":
        why = "deselected" if test.get("deselected") else "the session ended before it ran"
        ET.SubElement(case, "skipped", {"message": f"not run ({why})"})


def _item_case(suite: ET.Element, item: dict[str, Any]) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": "checklist",
            "name": f"{item['id']} {item['title']}",
            "time": f"{item['duration_s']:.3f}",
        },
    )
    status = item["status"]
    if status == "not applicable":
        ET.SubElement(case, "skipped", {"message": "not applicable to this run"})
    elif status in NO_GO_STATUSES and status != FAIL and not item["required"]:
        ET.SubElement(case, "skipped", {"message": f"advisory item {status}"})
    elif status in NO_GO_STATUSES:
        kind = "required" if item["required"] else "advisory"
        ET.SubElement(case, "failure", {"message": f"{kind} item {status}", "type": status})


def write(results: dict[str, Any], path: Path) -> None:
    suites = ET.Element("testsuites", {"name": "qe-acceptance"})
    suite = ET.SubElement(
        suites,
        "testsuite",
        {
            "name": "qe-acceptance",
            "timestamp": results["run"].get("started_at") or "",
            "time": f"{results['run'].get('duration_s') or 0:.3f}",
        },
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("verdict", results["verdict"]),
        ("reason", results["reason"]),
        ("run_mode", results["run"].get("run_mode")),
        ("commit", results["run"].get("commit")),
    ):
        ET.SubElement(props, "property", {"name": name, "value": _clean(str(value or ""))})
    for test in results["tests"]:
        _testcase(suite, test)
    for item in results["items"]:
        _item_case(suite, item)
    verdict_case = ET.SubElement(
        suite, "testcase", {"classname": "checklist", "name": "verdict", "time": "0.000"}
    )
    if results["verdict"] == NO_GO:
        ET.SubElement(
            verdict_case,
            "failure",
            {"message": f"NO-GO: {_clean(results['reason'])}", "type": "NO-GO"},
        )

    cases = suite.findall("testcase")
    counts = {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "errors": sum(1 for c in cases if c.find("error") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }
    for element in (suites, suite):
        for key, value in counts.items():
            element.set(key, str(value))
    suites.set("time", suite.get("time", "0"))
    ET.indent(suites)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
