"""The identification path in a real browser: a labour inspector reports a worker and screens him with
the labour indicators, refers him to the Centre, the Centre accepts, the Centre head issues a reasoned
decision, the inspector sees the outcome (not the reasons) and an unrelated NGO sees nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from opennrm.accounts.roles import RoleCode
from opennrm.cases.models import Case, CaseStatus
from opennrm.core.tests.pages import log_in
from opennrm.identification.models import IdentificationDecision

pytestmark = pytest.mark.browser

REASONS = "Test reasons: passport withheld by the employer, wages unpaid for five months, dormitory locked at night."
OBSERVED = ["DR-01", "DR-08", "EX-01", "EX-04", "CD-01", "CD-14"]


def test_inspector_reports_and_screens_centre_identifies_and_an_unrelated_ngo_sees_nothing(
    new_page, browser_world
):
    w = browser_world
    inspector = w.users[RoleCode.LABOUR_INSPECTOR]

    # The inspector registers a worker found at a factory.
    page = new_page(viewport={"width": 390, "height": 844})  # a phone-sized screen
    log_in(page, inspector)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register a person").click()
    page.get_by_label("Given name(s)").fill("Testko")
    page.get_by_label("Family name(s)").fill("Radnikov")
    page.get_by_label("Estimated age from").fill("30")
    page.get_by_label("Estimated age to").fill("35")
    page.get_by_role("combobox", name="Sex", exact=True).select_option("male")
    page.get_by_label("Citizenship").fill("RS")
    page.get_by_label("What was seen, in brief").fill("Test: workers sleeping at a test factory")
    page.get_by_label("labour exploitation", exact=True).check()
    page.get_by_label("How did this come to you?").select_option("other_government")
    page.get_by_role("button", name="Register and open the case").click()
    expect(page).to_have_url(re.compile(r"/cases/RS-[^/]+/$"))
    case = Case.objects.get(code=page.url.rstrip("/").rsplit("/", 1)[-1])

    # Screening with the labour indicators; the result is explained.
    page.get_by_role("link", name="Screen with indicators").click()
    page.get_by_role("link", name=re.compile("Labour exploitation")).click()
    page.get_by_label("Setting").select_option("workplace_inspection")
    for item in OBSERVED:
        page.locator(f'input[name="ans_{item}"][value="yes"]').check()
    page.get_by_role("button", name="Save and see the result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening result")
    expect(page.locator("dl.facts")).to_contain_text("refer now")
    expect(page.get_by_role("region", name="Why")).to_contain_text("Deceptive recruitment")

    # Referral to the Centre.
    page.get_by_role("link", name=case.code).click()
    panel = page.get_by_role("region", name="Identification and referral")
    panel.get_by_label("Purpose").select_option("identification")
    panel.get_by_label("Refer to").select_option(str(w.orgs["centre"].pk))
    panel.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("status").first).to_contain_text("Referral sent.")

    # The Centre's case manager accepts: the procedure starts and removal is barred.
    centre = new_page()
    log_in(centre, w.users[RoleCode.CENTRE_CASE_MANAGER])
    centre.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    centre.get_by_role("link", name=case.code).click()
    panel = centre.get_by_role("region", name="Identification and referral")
    panel.get_by_label("Accept").check()
    panel.get_by_role("button", name="Send response").click()
    expect(centre.get_by_role("region", name="Identification and referral")).to_contain_text(
        "Removal from the country is barred."
    )

    # The Centre head issues the decision with reasons.
    head = new_page()
    log_in(head, w.users[RoleCode.CENTRE_HEAD], next_url=f"/cases/{case.code}/")
    head.get_by_role("link", name="Issue the identification decision").click()
    head.get_by_label("identified as a victim").check()
    head.get_by_label("labour exploitation").check()
    expect(head.get_by_label("Reasons")).to_have_attribute("required", "")
    head.get_by_label("Reasons").fill("Too short.")
    head.get_by_role("button", name="Issue the decision").click()
    expect(head.locator(".field-error").first).to_contain_text(
        "at least 20 characters"
    )  # refused by the server
    assert not IdentificationDecision.objects.filter(case=case).exists()
    head.get_by_label("Reasons").fill(REASONS)
    head.get_by_label("identified as a victim").check()
    head.get_by_label("labour exploitation").check()
    head.get_by_role("button", name="Issue the decision").click()
    expect(head).to_have_url(re.compile(rf"/cases/{case.code}/$"))
    decisions = head.get_by_role("region", name="Identification and referral")
    expect(decisions).to_contain_text("identified as a victim")
    case.refresh_from_db()
    assert case.status == CaseStatus.IDENTIFIED

    # The inspector sees the outcome, not the reasons.
    page.goto(f"/cases/{case.code}/")
    panel = page.get_by_role("region", name="Identification and referral")
    expect(panel).to_contain_text("identified as a victim")
    expect(panel).not_to_contain_text("passport withheld")
    page.goto("/notifications/")
    expect(page.get_by_role("main")).to_contain_text(f"Identification decision in case {case.code}")

    # A user of an NGO with no part in the case gets a plain "not found" everywhere.
    outsider = new_page()
    log_in(outsider, w.outsider)
    for url in (
        f"/cases/{case.code}/",
        f"/cases/{case.code}/decision/",
        f"/api/v1/cases/{case.code}/decisions/",
    ):
        response = outsider.goto(url)
        assert response.status == 404, url
    assert case.code not in outsider.goto("/referrals/").text()


def test_the_identification_pages_are_labelled_and_fit_a_phone(new_page, browser_world, artifacts):
    from opennrm.core.tests.pages import DUPLICATE_IDS_JS, UNLABELLED_CONTROLS_JS, UNNAMED_CHOICE_GROUPS_JS

    w = browser_world
    code = w.own_case.code
    head = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(head, w.users[RoleCode.CENTRE_HEAD])
    problems = []
    for path in (
        f"/cases/{code}/",
        f"/cases/{code}/screenings/new/",
        f"/cases/{code}/screenings/new/?set=labour&version=2026.1",
        f"/cases/{code}/decision/",
        "/referrals/",
        "/notifications/",
        "/incidents/group/new/",
        f"/incidents/{w.own_case.incident.code}/screening/?set=labour&version=2026.1",
        "/triage/",
    ):
        head.goto(path)
        name = path.strip("/").replace("/", "-").replace("?", "-").replace("&", "-") or "home"
        head.screenshot(path=str(artifacts / f"identification-{name}.png"), full_page=True)
        if head.locator("h1").count() != 1:
            problems.append(f"{path}: not exactly one h1")
        problems += [f"{path}: unlabelled {c}" for c in head.evaluate(UNLABELLED_CONTROLS_JS)]
        problems += [f"{path}: duplicate id {i}" for i in head.evaluate(DUPLICATE_IDS_JS)]
        problems += [f"{path}: unnamed group {g}" for g in head.evaluate(UNNAMED_CHOICE_GROUPS_JS)]
        overflow = head.evaluate("() => document.documentElement.scrollWidth - 390")
        if overflow > 0:
            problems.append(f"{path}: {overflow}px wider than the phone")
    assert problems == [], "\n".join(problems)
