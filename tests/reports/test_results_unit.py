"""Unit tests of the status rules and of merging, on plain dicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports import catalogue, results

CATALOGUE = catalogue.from_dicts(
    [
        {"id": "OC-01", "title": "Chain loads", "criterion": "loads", "required": True},
        {"id": "API-09", "title": "Sentry", "criterion": "reaches", "required": False},
    ],
    default_where="both",
)


def attempt(outcome: str, start: float) -> dict:
    return {"outcome": outcome, "duration_s": 1.0, "start": start, "evidence": [], "error": None}


def shard(*tests: tuple[str, list[dict]], started: str = "2026-01-01T00:00:00Z") -> dict:
    run = {"started_at": started, "commit": "abc", "facts": {}}
    return results.build(
        CATALOGUE,
        [{"nodeid": n, "items": ["OC-01"], "attempts": a, "deselected": not a} for n, a in tests],
        run,
    )


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        ([], "not run"),
        (["passed"], "pass"),
        (["failed", "passed"], "flaky"),
        (["blocked", "passed"], "flaky"),
        (["failed", "failed"], "fail"),
        (["failed", "blocked"], "blocked"),
        (["skipped"], "skipped"),
        (["failed", "skipped"], "fail"),
    ],
)
def test_test_status_from_attempts(outcomes: list[str], status: str) -> None:
    assert results.test_status([attempt(o, i) for i, o in enumerate(outcomes)]) == status


@pytest.mark.parametrize(
    ("statuses", "status"),
    [
        ([], "not covered"),
        (["pass", "fail", "blocked"], "fail"),
        (["pass", "blocked", "not run"], "blocked"),
        (["pass", "not run", "flaky"], "not run"),
        (["pass", "flaky"], "flaky"),
        (["skipped", "pass"], "pass"),
        (["skipped", "skipped"], "skipped"),
    ],
)
def test_item_status_from_tests(statuses: list[str], status: str) -> None:
    assert results.item_status(statuses) == status


def test_required_skipped_item_is_no_go() -> None:
    built = shard(("t.py::test_a", [attempt("skipped", 1)]))
    assert (built["verdict"], built["reason"]) == ("NO-GO", "OC-01 skipped")


def test_merge_concatenates_attempts_of_one_test_in_time_order() -> None:
    later = shard(("t.py::test_a", [attempt("passed", 20.0)]), started="2026-01-01T00:00:10Z")
    earlier = shard(("t.py::test_a", [attempt("failed", 10.0)]), started="2026-01-01T00:00:00Z")

    merged = results.merge([later, earlier])

    (test,) = merged["tests"]
    assert [a["outcome"] for a in test["attempts"]] == ["failed", "passed"]
    assert test["status"] == "flaky"


def test_merge_of_results_from_two_commits_is_no_go() -> None:
    one = shard(("t.py::test_a", [attempt("passed", 1.0)]))
    two = shard(("t.py::test_b", [attempt("passed", 2.0)]))
    two["run"]["commit"] = "def"

    merged = results.merge([one, two])

    assert merged["verdict"] == "NO-GO"
    assert "different commits: abc, def" in merged["reason"]


def test_redact_reaches_every_string() -> None:
    redacted = results.redact({"a": ["x secret-value y", {"b": "secret-value"}]}, {"secret-value"})
    assert redacted == {"a": ["x [REDACTED] y", {"b": "[REDACTED]"}]}


def test_catalogue_rejects_a_duplicate_id(tmp_path: Path) -> None:
    entry = '[[item]]\nid = "OC-01"\ntitle = "t"\ncriterion = "c"\nrequired = true\n'
    entry += 'where = "both"\n'
    path = tmp_path / "checklist.toml"
    path.write_text(entry + entry)
    with pytest.raises(catalogue.CatalogueError, match="OC-01 is listed twice"):
        catalogue.load(path)


def test_repository_catalogue_lists_the_contract_items() -> None:
    ids = [item.id for item in catalogue.load()]
    expected = (
        [f"OC-0{n}" for n in range(1, 10)]
        + [f"API-0{n}" for n in range(1, 10)]
        + ["API-10", "API-11"]
    )
    expected += [f"ENV-0{n}" for n in range(1, 6)] + [f"DEP-0{n}" for n in range(1, 5)]
    expected += ["PERF-01", "A11Y-01"]
    assert sorted(ids) == sorted(expected)
    advisory = {item.id for item in catalogue.load() if not item.required}
    assert advisory == {"API-09", "ENV-05", "DEP-03", "DEP-04", "PERF-01", "A11Y-01"}


def test_page_budgets_ride_with_their_item_only() -> None:
    items = {item.id: item for item in catalogue.load()}

    assert items["PERF-01"].as_dict()["budgets_ms"]["expiration_switch"] == 2500.0
    assert "budgets_ms" not in items["OC-01"].as_dict()
    assert catalogue.budgets_ms(list(items.values()))["first_row"] == 5000.0


def test_budgets_that_are_not_milliseconds_are_refused() -> None:
    entry = {"id": "PERF-01", "title": "t", "criterion": "c", "required": False, "where": "both"}

    with pytest.raises(catalogue.CatalogueError, match="budgets_ms must map names"):
        catalogue.from_dicts([{**entry, "budgets_ms": {"first_row": "fast"}}])
