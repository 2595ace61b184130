"""A11Y-01's judgement: serious or critical violations fail it, every violation is listed by rule,
impact and element, a page not scanned or a scan that failed is said."""

from __future__ import annotations

from acceptance import a11y

ANSWER = {
    "violations": [
        {
            "id": "region",
            "impact": "moderate",
            "help": "All page content should be contained by landmarks",
            "nodes": [{"target": [".topbar"]}],
        },
        {
            "id": "label",
            "impact": "critical",
            "help": "Form elements must have labels",
            "nodes": [{"target": ["#symbol"]}],
        },
        {
            "id": "color-contrast",
            "impact": "serious",
            "help": "Elements must meet minimum color contrast ratio thresholds",
            "nodes": [{"target": [f"td:nth-child({n})"]} for n in range(1, 8)],
        },
    ]
}


def _scans(**by_page: list[a11y.Violation]) -> dict[str, a11y.Scan]:
    return {name.replace("_", "-"): a11y.Scan(found, 0.25) for name, found in by_page.items()}


def test_violations_are_read_worst_first_with_their_elements() -> None:
    found = a11y.violations("options", ANSWER)

    assert [(v.rule, v.impact) for v in found] == [
        ("label", "critical"),
        ("color-contrast", "serious"),
        ("region", "moderate"),
    ]
    assert found[0].elements == ("#symbol",)
    assert str(found[1]).startswith("options: color-contrast (serious) at td:nth-child(1); ")
    assert "(+2 more)" in str(found[1])


def test_a_serious_or_critical_violation_fails_and_every_one_is_listed() -> None:
    passed, detail = a11y.judge(_scans(sign_in=[], options=a11y.violations("options", ANSWER)))

    assert not passed
    head, *lines = detail.splitlines()
    assert head.startswith("2 serious or critical accessibility violation(s)")
    assert [line.split(" at ")[0] for line in lines] == [
        "options: label (critical)",
        "options: color-contrast (serious)",
        "options: region (moderate)",
    ]


def test_minor_and_moderate_violations_are_listed_but_pass() -> None:
    moderate = [v for v in a11y.violations("sign-in", ANSWER) if not v.warns]

    passed, detail = a11y.judge(_scans(sign_in=moderate, options=[]))

    assert passed
    assert detail.splitlines()[0].startswith("no serious or critical violation; 1 minor")
    assert detail.splitlines()[1].startswith("sign-in: region (moderate) at .topbar")


def test_clean_scans_pass_and_state_their_cost() -> None:
    passed, detail = a11y.judge(_scans(sign_in=[], options=[]))

    assert passed
    assert detail == (
        "no violation on the sign-in page and the options page "
        "(axe-core scans: sign-in 0.25 s, options 0.25 s)"
    )


def test_a_page_not_scanned_or_a_failed_scan_fails_it() -> None:
    scans = {"sign-in": a11y.Scan(error="Execution context was destroyed")}

    passed, detail = a11y.judge(scans)

    assert not passed
    assert "the sign-in page's scan failed: Execution context was destroyed" in detail
    assert "the options page was not scanned (OC-08 did not reach it)" in detail
