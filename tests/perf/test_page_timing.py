"""PERF-01's budgets come from the catalogue, and every figure over its budget is named."""

from __future__ import annotations

from pathlib import Path

from acceptance import page_timing


def test_the_catalogue_gives_a_budget_for_every_measurement() -> None:
    limits = page_timing.budgets()

    assert set(limits) == {page_timing.FIRST_ROW, *page_timing.ACTIONS}
    assert all(ms > 0 for ms in limits.values())


def test_a_figure_over_its_budget_is_an_overrun_with_the_figure() -> None:
    figures = {
        "OC-02": {"first_row": 900.0, "expiration_switch": 2500.4},
        "OC-01": {"first_row": 100.0},
    }

    over = page_timing.overruns(figures, {"first_row": 1000.0, "expiration_switch": 2000.0})

    assert [str(o) for o in over] == ["OC-02 expiration_switch 2500 ms > budget 2000 ms"]


def test_figures_within_budget_or_without_one_are_no_overrun() -> None:
    figures = {"OC-01": {"first_row": 1000.0, "unbudgeted": 99999.0}}

    assert page_timing.overruns(figures, {"first_row": 1000.0}) == []


def test_budgets_are_read_from_the_given_catalogue(tmp_path: Path) -> None:
    catalogue = tmp_path / "checklist.toml"
    catalogue.write_text(
        '[[item]]\nid = "PERF-01"\ntitle = "t"\ncriterion = "c"\nrequired = false\n'
        "budgets_ms = { first_row = 1500 }\n"
    )

    assert page_timing.budgets(catalogue) == {"first_row": 1500.0}
