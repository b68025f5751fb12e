"""A keyboard and accessibility smoke check of the main pages, and how they look on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from opennrm.accounts.roles import RoleCode
from opennrm.core.tests.pages import (
    BROKEN_DESCRIBEDBY_JS,
    FIRST_FOCUSABLE_JS,
    UNLABELLED_CONTROLS_JS,
    log_in,
)

pytestmark = pytest.mark.browser


def _check_page(page, path: str) -> None:
    page.goto(path)
    assert page.locator("h1").count() == 1, f"{path}: exactly one <h1>"
    assert page.locator("html").get_attribute("lang"), f"{path}: <html lang> is set"
    assert page.evaluate(UNLABELLED_CONTROLS_JS) == [], f"{path}: every form control has a label"

    # The skip link is the first thing the keyboard reaches; it shows when focused and moves focus to the content.
    skip = page.locator("a.skip-link")
    assert skip.count() == 1, f"{path}: one skip link"
    assert 'class="skip-link"' in page.evaluate(FIRST_FOCUSABLE_JS), f"{path}: the skip link comes first"
    skip.focus()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0, f"{path}: the focused skip link is on screen"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_login_home_case_list_intake_and_case_pages_pass_a_keyboard_and_label_smoke_check(new_page, browser_world):
    page = new_page()
    _check_page(page, "/accounts/login/")
    log_in(page, browser_world.users[RoleCode.CENTRE_CASE_MANAGER])
    for path in ("/", "/cases/", "/cases/new/", f"/cases/{browser_world.own_case.code}/"):
        _check_page(page, path)


def test_form_hints_are_linked_to_their_fields(new_page, browser_world):
    page = new_page()
    log_in(page, browser_world.users[RoleCode.CENTRE_CASE_MANAGER])
    for path in ("/cases/", "/cases/new/"):
        page.goto(path)
        assert page.evaluate(BROKEN_DESCRIBEDBY_JS) == [], f"{path}: aria-describedby points at existing hints"


def test_intake_and_case_pages_fit_a_phone_screen(new_page, browser_world, artifacts):
    page = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True, has_touch=True)
    log_in(page, browser_world.users[RoleCode.CENTRE_CASE_MANAGER])
    for path, name in (("/cases/new/", "intake-phone.png"), (f"/cases/{browser_world.own_case.code}/", "case-phone.png")):
        page.goto(path)
        page.screenshot(path=str(artifacts / name), full_page=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path}: the page is {overflow}px wider than a phone screen"
