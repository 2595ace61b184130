"""The xdist group scheduler's scope function and the group files it reads (no xdist run)."""

from __future__ import annotations

import json
from pathlib import Path

from fixtures.xdist_groups import GroupScheduling, read_groups


def test_group_files_of_all_workers_are_merged(tmp_path: Path) -> None:
    (tmp_path / "gw0.json").write_text(json.dumps({"a.py::t1": "market-data"}))
    (tmp_path / "gw1.json").write_text(json.dumps({"a.py::t2": "market-data"}))

    assert read_groups(tmp_path) == {"a.py::t1": "market-data", "a.py::t2": "market-data"}


def test_grouped_tests_share_a_scope_and_others_have_their_own(tmp_path: Path) -> None:
    (tmp_path / "gw0.json").write_text(json.dumps({"a.py::t1": "g", "b.py::t3[x]": "g"}))
    scheduler = GroupScheduling.__new__(GroupScheduling)
    scheduler.folder, scheduler._groups = tmp_path, None

    assert scheduler._split_scope("a.py::t1") == scheduler._split_scope("b.py::t3[x]")
    assert scheduler._split_scope("a.py::t2") == "a.py::t2"
