"""The acceptance path of a first report, in a real browser: register, find across scripts, switch
language, and nothing for an organisation without a part in the case."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from opennrm.accounts.roles import RoleCode
from opennrm.cases.models import Case
from opennrm.core.tests.pages import log_in

pytestmark = pytest.mark.browser

CENTRE_LATIN = "Centar za zaštitu žrtava trgovine ljudima"
CENTRE_CYRILLIC = "Центар за заштиту жртава трговине људима"


def _expected_in(language: str, case: Case) -> dict[str, str]:
    # The same catalogs the live server uses: once translations are compiled these differ per language,
    # until then they are the English source strings.
    with override(language):
        return {
            "nav_cases": gettext("Cases"),
            "h1": gettext("Case %(code)s") % {"code": case.code},
            "opened": date_format(timezone.localtime(case.opened_at), "SHORT_DATETIME_FORMAT"),
        }


def test_reporter_registers_a_person_the_centre_finds_it_in_latin_and_an_outsider_gets_not_found(
    new_page, browser_world
):
    w = browser_world
    reporter = w.users[RoleCode.FIRST_LINE_REPORTER]

    # A school's first-line reporter registers a girl whose name they wrote down in Cyrillic.
    page = new_page()
    log_in(page, reporter)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register a person").click()
    expect(page).to_have_url(re.compile(r"/cases/new/$"))
    page.get_by_label("Given name(s)").fill("Љубица")
    page.get_by_label("Family name(s)").fill("Тестовић")
    page.get_by_label("Estimated age from").fill("16")
    page.get_by_label("Estimated age to").fill("17")
    page.get_by_role("combobox", name="Sex", exact=True).select_option("female")
    page.get_by_label("Citizenship").fill("RS")
    page.get_by_label("What was seen, in brief").fill(
        "Test: girl selling flowers at night near a test station"
    )
    page.get_by_label("begging", exact=True).check()
    page.get_by_label("How did this come to you?").select_option("social_welfare")
    page.get_by_label("Situation").fill("Test situation: she said she must hand over the money every night.")
    page.get_by_role("button", name="Register and open the case").click()

    expect(page).to_have_url(re.compile(r"/cases/RS-[^/]+/$"))
    case = Case.objects.select_related("incident").get(code=page.url.rstrip("/").rsplit("/", 1)[-1])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.code}")
    expect(page.get_by_role("status")).to_contain_text(f"Case {case.code} opened.")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Љубица Тестовић")
    expect(facts).to_contain_text("child")
    expect(facts).to_contain_text("begging")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Case opened after a report by")
    expect(timeline).to_contain_text(f"Person {case.person.code} registered.")
    assert case.is_child

    # The Centre's case manager finds her by the name typed in Latin, and opens the case.
    page = new_page()
    log_in(page, w.users[RoleCode.CENTRE_CASE_MANAGER])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("search").get_by_label("Search").fill("Ljubica")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    results = page.locator("#case-results")
    expect(results.get_by_role("status")).to_have_text("1 case")
    expect(results).to_contain_text("Љубица Тестовић")
    results.get_by_role("link", name=case.code).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.code}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.code}")

    # The language switcher: Cyrillic, then Latin, then English. Organisation names follow the script.
    switcher = page.locator("#lang-select")
    for language, html_lang, centre_name in (
        ("sr", "sr", CENTRE_CYRILLIC),
        ("sr-latn", "sr-Latn", CENTRE_LATIN),
        ("en", "en", CENTRE_LATIN),
    ):
        with page.expect_navigation():
            switcher.select_option(language)
        expected = _expected_in(language, case)
        expect(page).to_have_url(re.compile(rf"/cases/{case.code}/$"))
        expect(page.locator("html")).to_have_attribute("lang", html_lang)
        expect(switcher).to_have_value(language)
        expect(page.locator(".whoami")).to_contain_text(centre_name)
        expect(page.get_by_role("heading", level=1)).to_have_text(expected["h1"])
        expect(
            page.get_by_role("navigation").get_by_role("link", name=expected["nav_cases"], exact=True)
        ).to_be_visible()
        expect(page.locator("dl.facts")).to_contain_text(expected["opened"])

    # An NGO with no part in the case: the same address is "not found", and nothing of the case shows.
    page = new_page()
    log_in(page, w.outsider)
    response = page.goto(f"/cases/{case.code}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    body = page.locator("body").inner_text()
    for secret in (
        "Љубица",
        "Ljubica",
        "Тестовић",
        case.person.code,
        case.incident.code,
        "flowers",
        "hand over",
    ):
        assert secret not in body
