"""The results model: attempts -> test status -> item status -> verdict, and merging result files.

Pure functions over plain dicts (the shape of results.json), so the pytest plugin, the CLI and the
tests share one definition of every status rule.

Statuses (tests and items): pass, flaky, fail, blocked, skipped, not run, not covered, not
applicable, not selected (items only).

Scope: where the run's evidence comes from, ``bundled`` (the harness started the app) or
``deployment`` (target mode: an existing deployment, named in the run fact ``target``). Each
catalogue item says where it can be proven (``where``: bundled, deployment or both); an item the
run's scope cannot prove is ``not applicable``, whatever its tests did. A test that finds at run
time that its check does not apply (``runinfo.mark_not_applicable``, e.g. TLS on a plain-HTTP
target) is ``not applicable`` too, and an item all of whose tests are is.

Selection: a partial run (``--items``, reports/selection.py) runs only the tests of the items it
selects; ``run.selection`` lists them. An item outside the selection is ``not selected`` and counts
for nothing, unless a test of it that ran failed, was blocked or was flaky: a finding is never
hidden. A partial run is never a release sign-off, and its headline says it is partial.

Attempt outcomes: passed, failed, blocked, skipped, xfailed, interrupted. An attempt is one run of
setup, call and teardown; a failure in any phase fails the attempt, and a failed attempt during
which the harness called ``runinfo.mark_blocked`` is blocked. The attempt in flight when the run
was interrupted (Ctrl-C, SIGTERM) is interrupted, whatever it had done so far.

Test status, from its attempts in time order:
- no attempt, or the last one interrupted: ``not run`` (deselected, or the session stopped
  before it or during it);
- last attempt passed: ``flaky`` if an earlier attempt failed or was blocked, else ``pass``;
- last attempt failed: ``fail``; blocked: ``blocked``;
- last attempt skipped or xfailed: ``fail`` if an earlier attempt failed, else ``skipped``
  (``not applicable`` when the attempt was marked so).

Item status, from the tests that reference it:
- no test references it: ``not covered``;
- else the first that applies: any test fail -> ``fail``; any blocked -> ``blocked``; any not run
  -> ``not run``; any flaky -> ``flaky``; any pass -> ``pass``; all not applicable -> ``not
  applicable``; otherwise ``skipped``;
- outside a partial run's selection: ``fail``, ``blocked`` or ``flaky`` as above when one of its
  tests was, else ``not selected``.

Verdict:
- ``NO-GO`` when the run stopped early (``run.stop``: interrupted, or aborted before the tests for a
  cause that is not the app's, e.g. a busy port); the reason then states that, not the items;
- ``NO-GO`` when a required item is fail, blocked, skipped, not run or not covered, or the run has
  a harness problem (a secret found in an output, a collection error, inputs from two commits);
- ``GO WITH WARNINGS`` when an item is flaky, an advisory item does not pass, or a test that
  evidences no item fails;
- ``GO`` otherwise.
Not applicable and not selected items count for nothing; in the deployment scope the reason says
how many passed of those that apply, and how many need the bundled stack. A deployment run is
never a release sign-off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reports.catalogue import CatalogueItem, from_dicts
from reports.redaction import Redactor

SCHEMA_VERSION = 1

PASS, FLAKY, FAIL, BLOCKED, SKIPPED, NOT_RUN, NOT_COVERED, NOT_APPLICABLE, NOT_SELECTED = (
    "pass",
    "flaky",
    "fail",
    "blocked",
    "skipped",
    "not run",
    "not covered",
    "not applicable",
    "not selected",
)
STATUSES = (PASS, FLAKY, FAIL, BLOCKED, SKIPPED, NOT_RUN, NOT_COVERED, NOT_APPLICABLE, NOT_SELECTED)
# Statuses that neither pass nor fail a run: the run could not (scope) or did not (selection)
# prove the item.
UNJUDGED = (NOT_APPLICABLE, NOT_SELECTED)
BUNDLED, DEPLOYMENT = "bundled", "deployment"
GO, WARN, NO_GO = "GO", "GO WITH WARNINGS", "NO-GO"

NO_GO_STATUSES = (FAIL, BLOCKED, SKIPPED, NOT_RUN, NOT_COVERED)
_FAILED_OUTCOMES = ("failed", "blocked")
_STATUS_WORDS = {
    FAIL: "failed",
    BLOCKED: "blocked",
    SKIPPED: "skipped",
    NOT_RUN: "not run",
    NOT_COVERED: "not covered",
    FLAKY: "flaky",
}
# How many ids a reason names before it says "and N more": the reason is a heading.
_REASON_IDS = 5

VERDICT_RULES = (
    "NO-GO: the run stopped early (interrupted, or aborted for a cause outside the app, e.g. a "
    "busy port): the first line says so and where; it is no finding about the app.",
    "NO-GO: a required item failed, was blocked, skipped, not run (its tests were deselected or "
    "never ran) or not covered (no test evidences it), or the harness found a problem (a secret "
    "in an output file, a collection error).",
    "GO WITH WARNINGS: otherwise, if any item is flaky (it failed and then passed on a rerun), an "
    "advisory item did not pass, or a test outside the checklist failed.",
    "GO: every required item passed on its first attempt and nothing above applies.",
    "NOT APPLICABLE items count for nothing: the catalogue says where each item can be proven "
    "(the bundled stack, a deployment, or both), and a run proves only what its scope can. A "
    "target run (a deployment) is evidence about that deployment, never a release sign-off.",
    "NOT SELECTED items count for nothing either: a partial run (--items) runs only the tests of "
    "the items it selects, and says so in its first line; an item outside the selection is "
    "still FAIL, BLOCKED or FLAKY when a test of it that ran was. A partial run is never a "
    "release sign-off.",
)


def scope_of(run: Mapping[str, Any]) -> str:
    """``deployment`` for a target-mode run (its facts name the target), else ``bundled``."""
    return DEPLOYMENT if (run.get("facts") or {}).get("target") else BUNDLED


def target_name(run: Mapping[str, Any]) -> str | None:
    target = (run.get("facts") or {}).get("target")
    if not target:
        return None
    return str(target.get("name") or target.get("base_url") or "unnamed")


def applies(where: str, scope: str) -> bool:
    return where in ("both", scope)


def selection_of(run: Mapping[str, Any]) -> list[str] | None:
    """The items a partial run selected (``--items``), None for a whole run."""
    selection = run.get("selection")
    return [str(i) for i in selection] if selection is not None else None


def headline(results: Mapping[str, Any]) -> str:
    """The verdict with its scope, e.g. ``GO (target: staging)`` or ``NO-GO (partial: OC-07)``:
    the document's first words."""
    run = results["run"]
    name = target_name(run)
    selection = selection_of(run)
    qualifiers = [f"target: {name}"] if name else []
    if selection is not None:
        qualifiers.append(f"partial: {_ids_phrase(selection, '').strip()}")
    verdict_ = str(results["verdict"])
    return f"{verdict_} ({'; '.join(qualifiers)})" if qualifiers else verdict_


def test_status(attempts: list[dict[str, Any]]) -> str:
    if not attempts:
        return NOT_RUN
    last = attempts[-1]["outcome"]
    earlier_failed = any(a["outcome"] in _FAILED_OUTCOMES for a in attempts[:-1])
    if last == "interrupted":
        return NOT_RUN
    if last == "passed":
        return FLAKY if earlier_failed else PASS
    if last == "failed":
        return FAIL
    if last == "blocked":
        return BLOCKED
    if earlier_failed:
        return FAIL
    return NOT_APPLICABLE if attempts[-1].get("not_applicable") else SKIPPED


def item_status(test_statuses: list[str]) -> str:
    if not test_statuses:
        return NOT_COVERED
    for status in (FAIL, BLOCKED, NOT_RUN, FLAKY, PASS):
        if status in test_statuses:
            return status
    if all(status == NOT_APPLICABLE for status in test_statuses):
        return NOT_APPLICABLE
    return SKIPPED


def outside_selection(test_statuses: list[str]) -> str:
    """An item outside a partial run's selection: what its tests that ran found, or nothing."""
    for status in (FAIL, BLOCKED, FLAKY):
        if status in test_statuses:
            return status
    return NOT_SELECTED


def _ids_phrase(ids: list[str], word: str) -> str:
    shown = ", ".join(ids[:_REASON_IDS])
    more = f" and {len(ids) - _REASON_IDS} more" if len(ids) > _REASON_IDS else ""
    return f"{shown}{more} {word}"


_PHASES = {
    "collection": "collection, before any test",
    "start-up": "server start-up, before any test",
    "tests": "the tests",
    "teardown": "teardown, after the tests",
}


def stop_reason(stop: dict[str, Any], tests: list[dict[str, Any]]) -> str:
    """The one-line reason of a run that stopped early (``run.stop``), naming where it stopped."""
    if stop["kind"] == "aborted":
        fix = f"; fix: {stop['fix']}" if stop.get("fix") else ""
        return f"run aborted: {stop.get('cause', 'see the terminal')}{fix}"
    suite = [t for t in tests if not t["nodeid"].startswith("harness::")]
    selected = [t for t in suite if not t.get("deselected")]
    ran = [t for t in selected if t["attempts"] and t["attempts"][-1]["outcome"] != "interrupted"]
    nodeid = stop.get("nodeid")
    in_flight = next((t for t in suite if t["nodeid"] == nodeid), None)
    if in_flight is not None:
        where = ", ".join(in_flight["items"]) or nodeid
        where = f"{where} ({nodeid})" if in_flight["items"] else where
    else:
        where = _PHASES.get(stop.get("phase", ""), stop.get("phase") or "the run")
    return (
        f"run interrupted ({stop.get('signal', 'signal')}) during {where}; "
        f"{len(ran)} of {len(selected)} tests ran"
    )


def _blocked_causes(tests: list[dict[str, Any]]) -> list[str]:
    """Why blocked tests were blocked (e.g. "backend exited with code -9 (SIGKILL)"), once each."""
    causes = [
        str(t["attempts"][-1]["blocked"]).splitlines()[0]
        for t in tests
        if t.get("status") == BLOCKED and t["attempts"] and t["attempts"][-1].get("blocked")
    ]
    return list(dict.fromkeys(causes))


def verdict(
    items: list[dict[str, Any]],
    tests: list[dict[str, Any]],
    problems: list[dict[str, Any]],
    scope: str = BUNDLED,
    stop: dict[str, Any] | None = None,
) -> tuple[str, str, list[str]]:
    """The verdict, its one-line reason, and the warnings (shown even under NO-GO)."""
    blockers: list[str] = [stop_reason(stop, tests)] if stop else []
    for status in NO_GO_STATUSES:
        ids = [i["id"] for i in items if i["required"] and i["status"] == status]
        if ids:
            phrase = _ids_phrase(ids, _STATUS_WORDS[status])
            causes = _blocked_causes(tests) if status == BLOCKED else []
            blockers.append(f"{phrase} ({'; '.join(causes)})" if causes else phrase)
    blockers.extend(p["message"] for p in problems)

    warnings: list[str] = []
    flaky = [i["id"] for i in items if i["status"] == FLAKY]
    if flaky:
        warnings.append(_ids_phrase(flaky, "flaky"))
    for status in NO_GO_STATUSES:
        ids = [i["id"] for i in items if not i["required"] and i["status"] == status]
        if ids:
            warnings.append(_ids_phrase(ids, f"(advisory) {_STATUS_WORDS[status]}"))
    unmapped = [t for t in tests if not t["items"] and t["status"] in (FAIL, BLOCKED)]
    if unmapped:
        warnings.append(f"{len(unmapped)} test(s) outside the checklist failed")

    if stop:  # the items are then a consequence of the stop, not findings about the app
        return NO_GO, "; ".join([blockers[0], *(p["message"] for p in problems)]), warnings
    if blockers:
        return NO_GO, "; ".join(blockers), warnings
    if warnings:
        return WARN, "; ".join(warnings), warnings
    if scope == DEPLOYMENT:
        applicable = [i for i in items if i["status"] not in UNJUDGED]
        passed = sum(1 for i in applicable if i["status"] == PASS)
        bundled = sum(1 for i in items if not applies(i.get("where", "both"), DEPLOYMENT))
        unselected = sum(1 for i in items if i["status"] == NOT_SELECTED)
        moot = len(items) - len(applicable) - bundled - unselected
        reason = f"{passed} of {len(applicable)} applicable items passed"
        reason += f"; {bundled} need the bundled stack" if bundled else ""
        reason += f"; {moot} not applicable to this target" if moot else ""
        reason += f"; {unselected} not selected" if unselected else ""
        return GO, reason, warnings
    required = sum(1 for i in items if i["required"] and i["status"] not in UNJUDGED)
    unselected = sum(1 for i in items if i["status"] == NOT_SELECTED)
    if unselected:
        reason = f"all {required} selected required items passed; {unselected} not selected"
        return GO, reason, warnings
    return GO, f"all {required} required items passed", warnings


def _count(values: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for value in values:
        counts[value] += 1
    return {k: v for k, v in counts.items() if v}


def build(
    catalogue: list[CatalogueItem],
    tests: list[dict[str, Any]],
    run: dict[str, Any],
    problems: list[dict[str, Any]] | None = None,
    history: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble results.json from tests whose attempts are final (status is recomputed here)."""
    problems = list(problems or [])
    tests = sorted(tests, key=lambda t: t["nodeid"])
    for test in tests:
        test["status"] = test_status(test["attempts"])
        test["duration_s"] = round(sum(a["duration_s"] for a in test["attempts"]), 3)

    scope = scope_of(run)
    selection = selection_of(run)
    items: list[dict[str, Any]] = []
    for entry in catalogue:
        mine = [t for t in tests if entry.id in t["items"]]
        status = item_status([t["status"] for t in mine])
        if selection is not None and entry.id not in selection:
            status = outside_selection([t["status"] for t in mine])
        if not applies(entry.where, scope):
            status = NOT_APPLICABLE
        evidence: list[dict[str, str]] = []
        for test in mine:
            for attempt in test["attempts"]:
                for ev in attempt["evidence"]:
                    if ev not in evidence:
                        evidence.append(ev)
        items.append(
            {
                **entry.as_dict(),
                "status": status,
                "tests": [t["nodeid"] for t in mine],
                "attempts": sum(len(t["attempts"]) for t in mine),
                "duration_s": round(sum(t["duration_s"] for t in mine), 3),
                "evidence": evidence,
            }
        )

    verdict_value, reason, warnings = verdict(items, tests, problems, scope, run.get("stop"))
    required = [i for i in items if i["required"]]
    advisory = [i for i in items if not i["required"]]
    attempts = sum(len(t["attempts"]) for t in tests)
    results: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "verdict": verdict_value,
        "reason": reason,
        "warnings": warnings,
        "summary": {
            "required": _count(i["status"] for i in required),
            "advisory": _count(i["status"] for i in advisory),
            "tests": _count(t["status"] for t in tests),
            "attempts": attempts,
            "reruns": attempts - sum(1 for t in tests if t["attempts"]),
        },
        "run": run,
        "items": items,
        "tests": tests,
        "problems": problems,
        "catalogue": [c.as_dict() for c in catalogue],
    }
    if history is not None:
        results["history"] = history
    return results


def catalogue_of(results: Mapping[str, Any]) -> list[CatalogueItem]:
    # Results written before items said where they can be proven: every item applied everywhere.
    return from_dicts(list(results["catalogue"]), source="results.json", default_where="both")


def merge(
    inputs: list[dict[str, Any]], catalogue: list[CatalogueItem] | None = None
) -> dict[str, Any]:
    """Merge result files (shards, xdist workers, re-runs) into one: union of tests by nodeid,
    attempts of one nodeid concatenated in time order, items recomputed from the catalogue."""
    if not inputs:
        raise ValueError("nothing to merge")
    if len(inputs) == 1 and catalogue is None:
        only = inputs[0]
        return build(
            catalogue_of(only),
            [dict(t) for t in only["tests"]],
            only["run"],
            only.get("problems", []),
            only.get("history"),
        )
    ordered = sorted(inputs, key=lambda r: r["run"].get("started_at") or "")
    if catalogue is None:
        entries: dict[str, dict[str, Any]] = {}
        for result in ordered:
            for entry in result["catalogue"]:
                entries.setdefault(entry["id"], entry)
        catalogue = from_dicts(
            list(entries.values()), source="merged results", default_where="both"
        )

    tests: dict[str, dict[str, Any]] = {}
    for result in ordered:
        for test in result["tests"]:
            merged = tests.get(test["nodeid"])
            if merged is None:
                tests[test["nodeid"]] = {**test, "attempts": list(test["attempts"])}
                continue
            merged["items"] = merged["items"] + [
                i for i in test["items"] if i not in merged["items"]
            ]
            merged["attempts"] = sorted(
                merged["attempts"] + list(test["attempts"]), key=lambda a: a.get("start") or 0.0
            )
            merged["deselected"] = merged.get("deselected", False) and test.get("deselected", False)

    problems: list[dict[str, Any]] = []
    for result in ordered:
        for problem in result.get("problems", []):
            if problem not in problems:
                problems.append(problem)
    commits = sorted({r["run"].get("commit") for r in ordered if r["run"].get("commit")})
    if len(commits) > 1:
        problems.append(
            {
                "kind": "mixed-commits",
                "message": "merged results come from different commits: " + ", ".join(commits),
            }
        )
    return build(catalogue, list(tests.values()), merged_run(ordered), problems)


def merged_run(ordered: list[dict[str, Any]]) -> dict[str, Any]:
    """Run facts of a merge: the first run's, spanning the first start to the last end."""
    run = dict(ordered[0]["run"])
    starts = [r["run"]["started_at"] for r in ordered if r["run"].get("started_at")]
    ends = [r["run"]["finished_at"] for r in ordered if r["run"].get("finished_at")]
    starts_epoch = [r["run"]["started_epoch"] for r in ordered if r["run"].get("started_epoch")]
    ends_epoch = [r["run"]["finished_epoch"] for r in ordered if r["run"].get("finished_epoch")]
    if starts:
        run["started_at"] = min(starts)
    if ends:
        run["finished_at"] = max(ends)
    if starts_epoch and ends_epoch:
        run["started_epoch"] = min(starts_epoch)
        run["finished_epoch"] = max(ends_epoch)
        run["duration_s"] = round(max(ends_epoch) - min(starts_epoch), 3)
    facts: dict[str, Any] = {}
    for result in ordered:
        for key, value in result["run"].get("facts", {}).items():
            facts.setdefault(key, value)
    run["facts"] = facts
    # Partial runs merged: together they select the union; with a whole run among them, nothing
    # was left out.
    selections = [selection_of(r["run"]) for r in ordered]
    run["selection"] = (
        None
        if any(s is None for s in selections)
        else sorted({i for s in selections for i in s or ()})
    )
    run["merged_from"] = [
        {
            "started_at": r["run"].get("started_at"),
            "commit": r["run"].get("commit"),
            "run_mode": r["run"].get("run_mode"),
            "tests": len(r["tests"]),
        }
        for r in ordered
    ]
    return run


def redact(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` with every secret (and any JWT) replaced by ``[REDACTED]`` in every string."""
    return Redactor(secrets).value(value)
