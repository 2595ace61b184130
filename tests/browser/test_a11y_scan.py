"""A11Y-01's scan in a real Chromium: the wheel's axe-core finds what it should, offline."""

from __future__ import annotations

from playwright.sync_api import Page

from acceptance import a11y

FORM = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<h1>Sign in</h1><form>{label}<input id="username"><button>Sign in</button></form>
</main></body></html>"""


def test_an_unlabelled_field_is_a_critical_violation(page: Page) -> None:
    page.set_content(FORM.format(label=""))

    scan = a11y.scan(page, "sign-in")

    assert scan.error is None
    assert [(v.rule, v.impact, v.elements) for v in scan.violations] == [
        ("label", "critical", ("#username",))
    ]


def test_a_labelled_form_is_clean(page: Page) -> None:
    page.set_content(FORM.format(label='<label for="username">Username</label>'))

    assert a11y.scan(page, "sign-in").violations == []


def test_a_scan_that_cannot_run_is_reported_not_raised(page: Page) -> None:
    page.close()

    scan = a11y.scan(page, "options")

    assert scan.error and scan.violations == []
