"""A keyboard and accessibility smoke check of the main pages, and how they look on a phone."""

from __future__ import annotations

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.core.tests.pages import (
    BROKEN_DESCRIBEDBY_JS,
    DUPLICATE_IDS_JS,
    FIRST_FOCUSABLE_JS,
    UNLABELLED_CONTROLS_JS,
    log_in,
)

pytestmark = pytest.mark.browser


def _problems(page, path: str) -> list[str]:
    page.goto(path)
    problems = []
    if page.locator("h1").count() != 1:
        problems.append(f"{page.locator('h1').count()} <h1> elements, not one")
    if not page.locator("html").get_attribute("lang"):
        problems.append("<html> has no lang")
    problems += [f"control without a label: {html}" for html in page.evaluate(UNLABELLED_CONTROLS_JS)]
    problems += [f"duplicate id: {id_}" for id_ in page.evaluate(DUPLICATE_IDS_JS)]

    # The skip link is the first thing the keyboard reaches; it shows when focused and moves focus to the content.
    skip = page.locator("a.skip-link[href='#main']")
    if skip.count() != 1:
        return [*problems, "no skip link to #main"]
    if 'class="skip-link"' not in (page.evaluate(FIRST_FOCUSABLE_JS) or ""):
        problems.append("the skip link is not the first focusable element")
    skip.focus()
    box = skip.bounding_box()
    if box is None or box["x"] < 0:
        problems.append("the focused skip link is off screen")
    page.keyboard.press("Enter")
    if not page.evaluate("() => document.activeElement && document.activeElement.id === 'main'"):
        problems.append("the skip link does not move focus to the main content")
    return [f"{path}: {p}" for p in problems]


def test_login_home_case_list_intake_and_case_pages_pass_a_keyboard_and_label_smoke_check(new_page, browser_world):
    page = new_page()
    problems = _problems(page, "/accounts/login/")
    log_in(page, browser_world.users[RoleCode.CENTRE_CASE_MANAGER])
    for path in ("/", "/cases/", "/cases/new/", f"/cases/{browser_world.own_case.code}/"):
        problems += _problems(page, path)
    assert problems == [], "\n".join(problems)


def test_form_hints_are_linked_to_their_fields(new_page, browser_world):
    page = new_page()
    log_in(page, browser_world.users[RoleCode.CENTRE_CASE_MANAGER])
    broken = []
    for path in ("/cases/", "/cases/new/"):
        page.goto(path)
        broken += [f"{path}: {ref}" for ref in page.evaluate(BROKEN_DESCRIBEDBY_JS)]
    assert broken == [], "\n".join(broken)


def test_intake_and_case_pages_fit_a_phone_screen(new_page, browser_world, artifacts):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, browser_world.users[RoleCode.CENTRE_CASE_MANAGER])
    too_wide = []
    for path, name in (("/cases/new/", "intake-phone.png"), (f"/cases/{browser_world.own_case.code}/", "case-phone.png")):
        page.goto(path)
        page.screenshot(path=str(artifacts / name), full_page=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide.append(f"{path} is {overflow}px wider than the screen")
    assert too_wide == [], "\n".join(too_wide)
