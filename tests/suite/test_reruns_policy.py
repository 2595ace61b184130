"""The acceptance suite's reruns policy: browser scenarios get reruns unless the user chose."""

from __future__ import annotations

from typing import Any

import pytest

from acceptance import conftest as suite


class _Config:
    def __init__(self, reruns: int | None) -> None:
        self.reruns = reruns

    def getoption(self, name: str, default: Any = None) -> Any:
        return self.reruns if name == "reruns" else default


class _Item:
    def __init__(self, *markers: str) -> None:
        self.markers = {name: getattr(pytest.mark, name) for name in markers}
        self.fixturenames: tuple[str, ...] = ()

    def get_closest_marker(self, name: str) -> Any:
        return self.markers.get(name)

    def add_marker(self, marker: Any) -> None:
        self.markers.setdefault(marker.name, marker)


def _reruns_of(item: _Item) -> int | None:
    flaky = item.get_closest_marker("flaky")
    return None if flaky is None else flaky.kwargs["reruns"]


def test_browser_scenarios_get_the_default_reruns() -> None:
    scenario = _Item("browser")
    suite.pytest_collection_modifyitems(_Config(None), [scenario])  # type: ignore[arg-type]
    assert _reruns_of(scenario) == suite.SCENARIO_RERUNS


@pytest.mark.parametrize("given", [0, 1, 5])
def test_reruns_on_the_command_line_win_over_the_default(given: int) -> None:
    """Finding 7 of issue 10: ``--reruns 0`` stops the scenarios' reruns."""
    scenario = _Item("browser")
    suite.pytest_collection_modifyitems(_Config(given), [scenario])  # type: ignore[arg-type]
    assert _reruns_of(scenario) is None  # pytest-rerunfailures then applies --reruns itself


def test_api_checks_get_no_reruns() -> None:
    check = _Item()
    suite.pytest_collection_modifyitems(_Config(None), [check])  # type: ignore[arg-type]
    assert _reruns_of(check) is None
