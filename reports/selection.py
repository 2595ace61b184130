"""A partial run: ``--items OC-07,API-11`` runs only the tests that evidence those checklist items.

For a QE engineer ("rerun only OC-07") and for the self-test (a regression run needs only the
tests of the items that must catch it). The rest of the suite is deselected; the results model
(reports/results.py) then marks every other item NOT SELECTED, never PASS, unless a test of it that
ran found something, and the checklist's first line says the run is partial. Harness checks
(ENV-04, API-08's audit, ...) are recorded as in any run and judged when their item is selected.

The results plugin adds the option, registers this module for its collection hook and calls
``configure`` once the run mode is settled and the catalogue known: an unknown id, or a selection
in a run mode that must be whole (reports/modes.py: a release sign-off, a nightly whose history
would count the items left out), is a one-line usage error (exit 4) before anything starts. A
selection whose items no test evidences on its own (only harness checks, e.g. ENV-04) is refused
the same way after collection: it would start nothing and prove nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from reports.catalogue import CatalogueItem

selection_key = pytest.StashKey[tuple[str, ...] | None]()


def add_option(group: pytest.OptionGroup) -> None:
    """``--items``, in the results plugin's option group (it registers this module)."""
    group.addoption(
        "--items",
        action="append",
        default=[],
        metavar="ID[,ID...]",
        help="partial run: only the tests of these checklist items (repeatable); the others are "
        "NOT SELECTED, and the run is never a release sign-off",
    )


def parse(values: Iterable[str], known: Iterable[str]) -> tuple[str, ...]:
    """The item ids of ``--items`` values (comma- or space-separated, any case), in order, once
    each; ``ValueError`` naming the unknown ones."""
    ids = [part.strip().upper() for value in values for part in value.replace(",", " ").split()]
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValueError("--items: no item id given (e.g. --items OC-07,API-11)")
    catalogue = list(known)
    unknown = [i for i in ids if i not in catalogue]
    if unknown:
        raise ValueError(
            f"--items: unknown checklist item(s) {', '.join(unknown)}; the catalogue has "
            f"{', '.join(catalogue)}"
        )
    return tuple(ids)


def configure(
    config: pytest.Config,
    run_mode: str,
    partial_allowed: bool,
    catalogue: Callable[[], list[CatalogueItem]],
) -> None:
    """Settle this run's selection (None: a whole run); ``pytest.UsageError`` if it cannot be."""
    values = config.getoption("items", default=[]) or []
    if not values:
        config.stash[selection_key] = None
        return
    if not partial_allowed:
        raise pytest.UsageError(
            f"--items makes a partial run, and a {run_mode} run must be whole: drop --items, or "
            "run it in ci mode"
        )
    try:
        config.stash[selection_key] = parse(values, [item.id for item in catalogue()])
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


def selected(config: pytest.Config) -> tuple[str, ...] | None:
    """The items this run selected, None for a whole run."""
    return config.stash.get(selection_key, None)


def _evidences(item: pytest.Item) -> set[str]:
    return {value for marker in item.iter_markers("checklist") for value in marker.args}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chosen = selected(config)
    if chosen is None:
        return
    keep = [item for item in items if _evidences(item) & set(chosen)]
    drop = [item for item in items if not _evidences(item) & set(chosen)]
    if items and not keep:
        raise pytest.UsageError(
            f"--items {','.join(chosen)}: no test evidences these items (harness checks are "
            "recorded while the stack runs): add an item that has tests, e.g. ENV-02"
        )
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
