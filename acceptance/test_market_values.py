"""API-11: the API's values follow from what the stub served, by the contract's rules.

The API is compared with an independent oracle (acceptance/oracle.py): the stub's canonical quotes
and greeks (its control API), transformed by the rules of docs/CONTRACTS.md §3. Every symbol the
stub lists is covered, the awkward ones included (a digit boundary on half-dollar strikes,
untraded contracts with null last and greeks, zero bids, a very long chain, a lone contract), and
the underlying is moved onto a strike and onto a tie between two, where ATM and ITM rules bite.
"""

from __future__ import annotations

import pytest

from acceptance import oracle
from acceptance.clients import DeskApi, StubControl

pytestmark = [pytest.mark.checklist("API-11"), pytest.mark.needs_stub_control]

MAX_REPORTED = 25


def _chain_problems(
    desk_api: DeskApi, stub_control: StubControl, symbol: str, expiration: str | None
) -> list[str]:
    served = stub_control.market(symbol, expiration)
    answer = desk_api.chain(symbol, expiration)
    where = f"{symbol} {expiration or '(nearest)'}"
    return [f"{where} {line}" for line in oracle.differences(oracle.expected_chain(served), answer)]


def _report(problems: list[str]) -> str:
    shown = "\n".join(problems[:MAX_REPORTED])
    more = len(problems) - MAX_REPORTED
    return shown + (f"\n... and {more} more" if more > 0 else "")


def test_every_chain_follows_from_what_the_stub_served(
    desk_api: DeskApi, stub_control: StubControl
) -> None:
    problems: list[str] = []
    for symbol in stub_control.symbols():
        expirations = stub_control.market(symbol)["expirations"]
        listed = desk_api.expirations(symbol)
        if listed != expirations:
            problems.append(f"{symbol} expirations: got {listed}, want {expirations}")
        problems += _chain_problems(desk_api, stub_control, symbol, None)
        if len(expirations) > 1:
            problems += _chain_problems(desk_api, stub_control, symbol, expirations[-1])

    assert problems == [], _report(problems)


@pytest.mark.parametrize(
    ("symbol", "last"),
    [
        ("SPY", 600.0),  # exactly on a strike: neither side of it is in the money
        ("SPY", 602.5),  # a tie between 600 and 605: the lower strike is ATM
        ("WMT", 98.75),  # a tie across the digit boundary, 97.50 | 100.00
        ("WMT", 100.0),  # on the first three-digit strike
    ],
)
def test_the_money_lines_follow_the_underlying_onto_a_strike_and_a_tie(
    desk_api: DeskApi, stub_control: StubControl, symbol: str, last: float
) -> None:
    stub_control.move_quote(symbol, last=last)

    problems = _chain_problems(desk_api, stub_control, symbol, None)

    assert problems == [], _report(problems)


def test_every_position_is_marked_at_the_served_mid(
    desk_api: DeskApi, stub_control: StubControl
) -> None:
    positions = desk_api.positions()["positions"]
    assert positions, "the test user holds no positions"
    problems: list[str] = []
    for position in positions:
        served = stub_control.market(position["underlying"], position["expiration"])
        option = next((o for o in served["options"] if o["symbol"] == position["symbol"]), None)
        if option is None:
            problems.append(f"{position['symbol']}: the stub lists no such contract")
            continue
        expected = oracle.expected_position(position, option)
        problems += [
            f"{position['symbol']} {line}"
            for line in oracle.differences(expected, position, tolerance=oracle.COMPUTED_TOLERANCE)
        ]

    assert problems == [], _report(problems)
