"""Login with a second factor, in a real browser: wrong codes and passwords are refused with a message."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from opennrm.accounts.roles import RoleCode
from opennrm.core.tests.pages import wrong_totp
from opennrm.testing import PASSWORD, totp_device

pytestmark = pytest.mark.browser


def test_a_wrong_password_shows_an_error_and_does_not_log_in(new_page, browser_world):
    user = browser_world.users[RoleCode.FIRST_LINE_REPORTER]
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD + "-wrong")
    with page.expect_response(re.compile(r"/accounts/login/")) as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("The username or password is not correct.")
    expect(page.get_by_role("alert")).to_be_focused()  # the error summary takes focus for screen readers

    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cases/$"))


def test_a_wrong_totp_code_shows_an_error_and_does_not_log_in(new_page, browser_world):
    user = browser_world.users[RoleCode.FIRST_LINE_REPORTER]
    device = totp_device(user)
    page = new_page()
    page.goto("/accounts/login/?next=/cases/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/\?next=/cases/$"))

    page.get_by_label("Code from your authenticator app").fill(wrong_totp(device))
    with page.expect_response(re.compile(r"/accounts/2fa/")) as answer:
        page.get_by_role("button", name="Continue").click()
    assert answer.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("The code is not correct or has expired.")

    # The password alone opens nothing: every page sends the session back to the second factor.
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
