"""Unit tests of ``backend.book``: book file loading, resolution and marking (fake client)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from backend.book import BookError, PositionBook, PositionSpec, marks_of

REPO_BOOK = Path(__file__).resolve().parents[2] / "backend" / "positions.json"


class FakeTradier:
    """Three SPY calls around 600, one expiration; quotes from a dict the test controls."""

    def __init__(self) -> None:
        self.marks: dict[str, dict[str, Any]] = {
            "SPY": {"symbol": "SPY", "last": 601.0},
            "SPY261204C00595000": {"bid": 6.0, "ask": 6.2},
            "SPY261204C00600000": {"bid": 2.0, "ask": 2.2},
            "SPY261204C00605000": {"bid": 0.5, "ask": 0.7},
        }

    async def get_expirations(self, symbol: str) -> list[str]:
        return ["2026-12-04"]

    async def get_chain(self, symbol: str, expiration: str) -> list[dict[str, Any]]:
        return [
            {"symbol": f"SPY261204C00{k}000", "strike": float(k), "option_type": "call"}
            for k in (595, 600, 605)
        ]

    async def get_quotes(self, symbols: list[str]) -> dict[str, dict[str, Any]]:
        return {s: self.marks[s] for s in symbols if s in self.marks}


def snapshot(book: PositionBook, client: FakeTradier) -> dict[str, Any]:
    return asyncio.run(book.snapshot("qe", client))  # type: ignore[arg-type]


def spec(**overrides: Any) -> PositionSpec:
    fields = {"underlying": "SPY", "option_type": "call", "quantity": 2, "avg_price": 1.5}
    return PositionSpec(**{**fields, **overrides})


def test_shipped_book_loads_with_two_users() -> None:
    book = PositionBook.load(REPO_BOOK)
    assert book.specs("qe") and book.specs("trader")


def test_unknown_user_has_no_positions() -> None:
    assert snapshot(PositionBook({}), FakeTradier())["positions"] == []


def test_atm_position_resolves_to_the_atm_symbol() -> None:
    position = snapshot(PositionBook({"qe": [spec()]}), FakeTradier())["positions"][0]
    assert position["symbol"] == "SPY261204C00600000"
    assert position["strike"] == 600.0
    assert position["expiration"] == "2026-12-04"


def test_strike_steps_move_along_the_listed_strikes() -> None:
    position = snapshot(PositionBook({"qe": [spec(strike_steps=1)]}), FakeTradier())
    assert position["positions"][0]["symbol"] == "SPY261204C00605000"


def test_strike_steps_are_clamped_to_the_grid() -> None:
    position = snapshot(PositionBook({"qe": [spec(strike_steps=-9)]}), FakeTradier())
    assert position["positions"][0]["symbol"] == "SPY261204C00595000"


def test_mark_is_mid_and_pnl_uses_the_multiplier() -> None:
    position = snapshot(PositionBook({"qe": [spec()]}), FakeTradier())["positions"][0]
    assert position["mark"] == 2.1
    assert position["pnl"] == pytest.approx((2.1 - 1.5) * 2 * 100)


def test_unquoted_position_has_null_mark_and_pnl() -> None:
    client = FakeTradier()
    del client.marks["SPY261204C00600000"]
    position = snapshot(PositionBook({"qe": [spec()]}), client)["positions"][0]
    assert position["mark"] is None and position["pnl"] is None


def test_resolution_sticks_when_the_underlying_moves() -> None:
    book, client = PositionBook({"qe": [spec()]}), FakeTradier()
    snapshot(book, client)
    client.marks["SPY"] = {"symbol": "SPY", "last": 606.0}
    assert snapshot(book, client)["positions"][0]["symbol"] == "SPY261204C00600000"


def test_marks_of_changes_when_a_mark_changes() -> None:
    book, client = PositionBook({"qe": [spec()]}), FakeTradier()
    before = marks_of(snapshot(book, client))
    client.marks["SPY261204C00600000"] = {"bid": 2.5, "ask": 2.7}
    assert marks_of(snapshot(book, client)) != before


def test_malformed_book_file_is_a_book_error(tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    path.write_text(json.dumps({"qe": [{"underlying": "SPY"}]}))
    with pytest.raises(BookError, match="malformed"):
        PositionBook.load(path)


def test_missing_book_file_is_a_book_error(tmp_path: Path) -> None:
    with pytest.raises(BookError, match="cannot read"):
        PositionBook.load(tmp_path / "absent.json")
