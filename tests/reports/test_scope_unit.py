"""Unit tests of the run's scope: where items can be proven, NOT APPLICABLE, the target verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports import catalogue, checklist, results

CATALOGUE = catalogue.from_dicts(
    [
        {"id": "OC-01", "title": "Chain", "criterion": "c", "required": True, "where": "both"},
        {"id": "OC-06", "title": "Outage", "criterion": "c", "required": True, "where": "bundled"},
        {"id": "ENV-01", "title": "Ports", "criterion": "c", "required": True, "where": "bundled"},
        {
            "id": "DEP-03",
            "title": "TLS",
            "criterion": "c",
            "required": False,
            "where": "deployment",
        },  # noqa: E501
        {"id": "DEP-04", "title": "Headers", "criterion": "c", "required": False, "where": "both"},
    ]
)
TARGET = {"name": "staging", "base_url": "https://s.example", "api_url": "https://api.s.example"}


def attempt(outcome: str, not_applicable: str | None = None) -> dict:
    found = {"outcome": outcome, "duration_s": 0.1, "start": 1.0, "evidence": [], "error": None}
    if not_applicable:
        found["not_applicable"] = not_applicable
    return found


def run_of(outcomes: dict[str, str], target: dict | None = None) -> dict:
    tests = [
        {"nodeid": f"t::{item}", "items": [item], "attempts": [attempt(o)], "deselected": False}
        for item, o in outcomes.items()
    ]
    facts = {"target": target} if target else {}
    run = {
        "started_at": "x",
        "started_at_display": "2026-11-29 04:00 UTC",
        "commit": "abc",
        "branch": "main",
        "dirty": False,
        "duration_s": 1.0,
        "facts": facts,
    }
    return results.build(CATALOGUE, tests, run)


def statuses(built: dict) -> dict[str, str]:
    return {item["id"]: item["status"] for item in built["items"]}


def test_a_target_run_marks_bundled_items_not_applicable_and_can_be_go() -> None:
    built = run_of(
        {"OC-01": "passed", "OC-06": "skipped", "DEP-03": "passed", "DEP-04": "passed"}, TARGET
    )

    assert statuses(built) == {
        "OC-01": "pass",
        "OC-06": "not applicable",
        "ENV-01": "not applicable",
        "DEP-03": "pass",
        "DEP-04": "pass",
    }
    assert built["verdict"] == "GO"
    assert built["reason"] == "3 of 3 applicable items passed; 2 need the bundled stack"
    assert results.headline(built) == "GO (target: staging)"


def test_a_required_applicable_item_that_fails_on_a_target_is_no_go() -> None:
    built = run_of({"OC-01": "failed", "DEP-03": "passed", "DEP-04": "passed"}, TARGET)

    assert built["verdict"] == "NO-GO"
    assert built["reason"] == "OC-01 failed"
    assert results.headline(built) == "NO-GO (target: staging)"


def test_a_bundled_run_marks_deployment_items_not_applicable() -> None:
    built = run_of({"OC-01": "passed", "OC-06": "passed", "ENV-01": "passed", "DEP-04": "passed"})

    assert statuses(built)["DEP-03"] == "not applicable"
    assert built["verdict"] == "GO"
    assert built["reason"] == "all 3 required items passed"
    assert results.headline(built) == "GO"


def test_a_bundled_item_without_its_test_is_still_no_go_in_a_bundled_run() -> None:
    built = run_of({"OC-01": "passed", "DEP-04": "passed"})

    assert built["verdict"] == "NO-GO"
    assert "OC-06, ENV-01 not covered" in built["reason"]


@pytest.mark.parametrize(
    ("attempts", "status"),
    [
        ([attempt("skipped", "plain HTTP")], "not applicable"),
        ([attempt("failed"), attempt("skipped", "plain HTTP")], "fail"),
        ([attempt("skipped")], "skipped"),
    ],
)
def test_a_test_marked_not_applicable_at_run_time(attempts: list[dict], status: str) -> None:
    assert results.test_status(attempts) == status


def test_an_item_is_not_applicable_only_when_all_its_tests_are() -> None:
    assert results.item_status(["not applicable", "not applicable"]) == "not applicable"
    assert results.item_status(["not applicable", "skipped"]) == "skipped"
    assert results.item_status(["not applicable", "pass"]) == "pass"


def test_an_advisory_item_not_applicable_at_run_time_is_no_warning() -> None:
    tests = [
        {"nodeid": "t::a", "items": ["OC-01"], "attempts": [attempt("passed")]},
        {"nodeid": "t::b", "items": ["DEP-03"], "attempts": [attempt("skipped", "plain HTTP")]},
        {"nodeid": "t::c", "items": ["DEP-04"], "attempts": [attempt("passed")]},
    ]
    built = results.build(CATALOGUE, tests, {"facts": {"target": TARGET}})

    assert built["verdict"] == "GO"
    assert built["reason"] == (
        "2 of 2 applicable items passed; 2 need the bundled stack; 1 not applicable to this target"
    )


def test_the_target_document_says_it_is_no_sign_off_and_lists_what_does_not_apply(
    tmp_path: Path,
) -> None:
    built = run_of({"OC-01": "passed", "DEP-03": "passed", "DEP-04": "passed"}, TARGET)
    built["run"]["run_mode"] = "release"  # even if someone forces it, no sign-off table
    built["run"]["release"] = "2026.12.1"
    built["run"]["facts"]["target_touched"] = {"requests": 48, "faults_injected": 0}

    document = checklist.render(built, tmp_path / "c.md", tmp_path)

    first, _, rest = document.partition("\n")
    assert first == (
        "# GO (target: staging) — 3 of 3 applicable items passed; 2 need the bundled stack"
    )
    assert "**Target run, not a release sign-off.**" in rest
    assert "NOT APPLICABLE here: OC-06, ENV-01." in rest
    assert "| OC-06 | Outage | required | NOT APPLICABLE |" in rest
    assert "## Sign-off" not in rest
    assert "| Target touched | requests 48, faults_injected 0 |" in rest


def test_the_catalogue_refuses_an_item_that_does_not_say_where(tmp_path: Path) -> None:
    path = tmp_path / "checklist.toml"
    path.write_text('[[item]]\nid = "API-10"\ntitle = "t"\ncriterion = "c"\nrequired = true\n')

    with pytest.raises(catalogue.CatalogueError, match=r"API-10 lacks where \(where it can be"):
        catalogue.load(path)


def test_the_catalogue_refuses_an_unknown_where(tmp_path: Path) -> None:
    path = tmp_path / "checklist.toml"
    path.write_text(
        '[[item]]\nid = "A11Y-01"\ntitle = "t"\ncriterion = "c"\nrequired = true\nwhere = "prod"\n'
    )

    with pytest.raises(catalogue.CatalogueError, match="A11Y-01.where must be one of"):
        catalogue.load(path)


def test_old_results_without_where_still_render() -> None:
    old = run_of({"OC-01": "passed"})
    for entry in old["catalogue"]:
        del entry["where"]

    assert [i.where for i in results.catalogue_of(old)] == ["both"] * 5


def test_the_generator_refuses_to_sign_off_target_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = run_of({"OC-01": "passed"}, TARGET)
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps(built), encoding="utf-8")

    code = checklist.main([str(saved), "-o", str(tmp_path / "c.md"), "--release", "2026.12.1"])

    assert code == 4
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "target-mode results (target staging) are never a release sign-off: sign off on a "
            "bundled run"
        )
    )
    assert not (tmp_path / "c.md").exists()
