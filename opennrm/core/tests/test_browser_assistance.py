"""Shelter placement in a real browser: a presumed victim is placed, a second placement into the now
full shelter is refused with the reason shown, the Centre head overrides with written reasons, and
the override is in the audit trail. Then the assistance and protection pages are checked for labels,
unique ids and a phone-sized screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from opennrm.accounts.roles import RoleCode
from opennrm.cases.models import Case, CaseStatus, Involvement, InvolvementRole
from opennrm.core.tests.pages import log_in
from opennrm.lib import clock
from opennrm.shelters.models import Facility, Placement
from opennrm.testing import open_case

pytestmark = pytest.mark.browser

REASONS = "Test reasons: threats tonight, no other safe bed for a woman in the city; extra bed until Monday."


def _house(w) -> Facility:
    today = clock.today()
    return Facility.objects.create(
        code="browser-house",
        name="Browser test house",
        kind="ngo_shelter",
        operator=w.orgs["shelter"],
        municipality="Beograd",
        beds_adults=1,
        beds_children=0,
        accepts_sex="women",
        licence_number="T-1",
        licence_valid_from=today - dt.timedelta(days=10),
        licence_valid_until=today + dt.timedelta(days=300),
    )


def _presumed(w, case: Case) -> Case:
    if not Involvement.objects.filter(case=case, organisation=w.orgs["centre"]).exists():
        Involvement.objects.create(
            case=case, organisation=w.orgs["centre"], role=InvolvementRole.IDENTIFYING_BODY
        )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.PRESUMED_VICTIM)
    case.refresh_from_db()
    return case


def _place(page, code: str, *, reasons: str | None = None) -> None:
    page.goto(f"/cases/{code}/")
    panel = page.get_by_role("region", name="Accommodation")
    panel.get_by_text("Place in a facility").click()
    panel.get_by_label("Facility").first.select_option("browser-house")
    if reasons is not None:
        panel.get_by_label("Override with written reasons").fill(reasons)
    panel.get_by_role("button", name="Place", exact=True).click()


def test_full_shelter_refused_with_the_reason_then_overridden_by_the_head_and_audited(
    new_page, browser_world
):
    w = browser_world
    _house(w)
    first = _presumed(w, w.own_case)
    second = _presumed(w, open_case(w.users[RoleCode.FIRST_LINE_REPORTER], given="Druga", family="Osobić"))

    manager = new_page()
    log_in(manager, w.users[RoleCode.CENTRE_CASE_MANAGER])
    _place(manager, first.code)
    expect(manager.get_by_role("status").first).to_contain_text("Placed")
    expect(manager.get_by_role("region", name="Accommodation")).to_contain_text("Browser test house")

    # The only bed is taken: the second placement is refused and the page says why.
    _place(manager, second.code)
    expect(manager.locator(".messages, [role=alert], [role=status]").first).to_contain_text(
        "no free bed for an adult"
    )
    assert not Placement.objects.filter(case=second, status="placed").exists()
    # A case manager is not offered the override.
    expect(manager.get_by_label("Override with written reasons")).to_have_count(0)

    # The Centre head sets the rule aside with written reasons.
    head = new_page()
    log_in(head, w.users[RoleCode.CENTRE_HEAD])
    _place(head, second.code, reasons=REASONS)
    expect(head.get_by_role("region", name="Accommodation")).to_contain_text("override")
    placement = Placement.objects.get(case=second, status="placed")
    assert placement.override and placement.override_reason == REASONS

    # The override is in the audit trail, for the oversight inspector.
    oversight = new_page()
    log_in(oversight, w.users[RoleCode.OVERSIGHT_INSPECTOR])
    oversight.goto("/audit/?action=override")
    expect(oversight.get_by_role("main")).to_contain_text(second.code)
    expect(oversight.get_by_role("main")).not_to_contain_text(REASONS)  # the reasons stay in the case


def test_assistance_pages_are_labelled_and_fit_a_phone(new_page, browser_world, artifacts):
    from opennrm.core.tests.pages import DUPLICATE_IDS_JS, UNLABELLED_CONTROLS_JS, UNNAMED_CHOICE_GROUPS_JS

    w = browser_world
    _house(w)
    case = _presumed(w, w.own_case)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.IDENTIFIED, is_child=True)
    problems = []
    for role, paths in (
        (
            RoleCode.CENTRE_HEAD,
            [f"/cases/{case.code}/", "/facilities/", "/facilities/browser-house/", "/services/", "/"],
        ),
        (RoleCode.SOCIAL_WORKER, [f"/cases/{case.code}/"]),
        (RoleCode.NATIONAL_COORDINATOR, ["/assistance/statistics/", "/facilities/occupancy/"]),
    ):
        page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        log_in(page, w.users[role])
        for path in paths:
            page.goto(path)
            expect(page.locator("h1")).to_have_count(1)
            # Open every <details> so that the forms inside are checked too.
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            name = re.sub(r"[^a-z0-9]+", "-", f"{role}{path}".lower()).strip("-")
            page.screenshot(path=str(artifacts / f"assistance-{name}.png"), full_page=True)
            problems += [f"{role} {path}: unlabelled {c}" for c in page.evaluate(UNLABELLED_CONTROLS_JS)]
            problems += [f"{role} {path}: duplicate id {i}" for i in page.evaluate(DUPLICATE_IDS_JS)]
            problems += [f"{role} {path}: unnamed group {g}" for g in page.evaluate(UNNAMED_CHOICE_GROUPS_JS)]
            overflow = page.evaluate("() => document.documentElement.scrollWidth - 390")
            if overflow > 0:
                problems.append(f"{role} {path}: {overflow}px wider than the phone")
    assert problems == [], "\n".join(problems)
