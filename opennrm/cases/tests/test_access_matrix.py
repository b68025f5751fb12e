"""The access matrix, generated from the URL configuration: every role × every endpoint × (own case,
another organisation's case), plus an anonymous visitor.

Every view must declare ``access`` (opennrm.core.http.Access). The expected answer comes from that
declaration and the policy, so a new endpoint is covered without anyone remembering to add it, and
an endpoint without a declaration fails here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from opennrm import policy
from opennrm.accounts.models import ApiToken
from opennrm.accounts.roles import Perm, RoleCode, Sensitivity
from opennrm.accounts.services import token_create
from opennrm.cases import services
from opennrm.cases.models import CaseDocument, CaseNote, CaseTask, Involvement, TimelineEvent
from opennrm.core.http import Access
from opennrm.testing import login_verified

PARAM_RE = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class Endpoint:
    route: str
    access: Access
    is_api: bool


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def endpoints() -> list[Endpoint]:
    found = []
    for route, callback in _walk(get_resolver().url_patterns):
        spec = getattr(callback, "access", None) or getattr(
            getattr(callback, "view_class", None), "access", None
        )
        found.append(Endpoint(route=route, access=spec, is_api=route.startswith("api/")))
    return found


def test_every_endpoint_declares_its_access():
    missing = [e.route for e in endpoints() if not isinstance(e.access, Access)]
    assert missing == [], f"endpoints without an access declaration: {missing}"


def test_the_matrix_covers_case_scoped_endpoints():
    routes = {e.route for e in endpoints()}
    assert "cases/<str:code>/" in routes
    assert "api/v1/cases/<str:code>/" in routes
    assert len(routes) > 30


class Objects:
    """The ids to put into URLs for one case (own or other)."""

    def __init__(self, case, user):
        self.case = case
        self.involvement = case.involvements.order_by("-id").first()
        self.task = CaseTask.objects.filter(case=case).first()
        self.document = CaseDocument.objects.filter(case=case).first()
        self.screening = case.screenings.first()
        self.referral = case.referrals.first()
        from opennrm.assistance.models import AssistanceService

        self.service = AssistanceService.objects.filter(case=case).first()
        self.placement = case.placements.order_by("id").first()
        self.measure = case.protection_measures.order_by("id").first()
        self.named = case.named_staff.order_by("id").first()
        self.follow_up = case.follow_ups.order_by("id").first()
        self.closure = case.closures.order_by("id").first()
        from opennrm.residence.models import ResidencePermit

        self.permit = ResidencePermit.objects.filter(case=case).first()
        self.user = user

    def fill(self, route: str, token_prefix: str, org_pk: int, user_pk: int) -> str:
        def repl(m: re.Match) -> str:
            name = m.group("name")
            if name == "code":
                if route.startswith(("persons/", "api/v1/persons/")):
                    return self.case.person.code
                if route.startswith(("api/v1/incidents/", "incidents/")) and "group/" not in route:
                    return self.case.incident.code
                return self.case.code
            if name == "prefix":
                return token_prefix
            if name == "facility_code":
                return "matrix-house"
            if name == "set_code":
                return "labour"
            if name == "version":
                return "2026.1"
            if name == "report_code":
                from opennrm.intake.models import PublicReport

                return PublicReport.objects.order_by("id").values_list("code", flat=True).first()
            if name == "pk":
                if "involvements" in route:
                    return str(self.involvement.pk)
                if "tasks" in route:
                    return str(self.task.pk)
                if "documents" in route:
                    return str(self.document.pk)
                if "screenings" in route:
                    return str(self.screening.pk)
                if "referrals" in route:
                    return str(self.referral.pk)
                if "services" in route:
                    return str(self.service.pk)
                for part, obj in (
                    ("placements", self.placement),
                    ("protection-measures", self.measure),
                    ("named-staff", self.named),
                    ("follow-ups", self.follow_up),
                    ("closures", self.closure),
                    ("residence", self.permit),
                ):
                    if part in route:
                        return str(obj.pk)
                if "users" in route:
                    return str(user_pk)
                return str(org_pk)
            raise AssertionError(f"no value for <{name}> in {route}")

        return "/" + PARAM_RE.sub(repl, route)


def _enrich(world):
    """Give both cases a note of each class, a task and a document, so every URL has real ids."""
    for case, author in (
        (world.own_case, world.users[RoleCode.CENTRE_CASE_MANAGER]),
        (world.other_case, world.outsider),
    ):
        for s in Sensitivity.values:
            if s in policy.readable_sensitivities(author):
                services.note_add(user=author, case=case, sensitivity=s, text=f"{s} note")
        services.document_add(
            user=author,
            case=case,
            sensitivity="general",
            title="Doc",
            filename="a.txt",
            content_type="text/plain",
            content=b"hello",
        )
        CaseTask.objects.create(case=case, title="t", due_at=case.opened_at, organisation=author.organisation)
    # A screening and a referral in each case, so their URLs have real ids.
    from opennrm.accounts.models import OrganisationType
    from opennrm.identification import services as identification
    from opennrm.testing import org

    for case, author, receiver in (
        (world.own_case, world.users[RoleCode.FIRST_LINE_REPORTER], world.orgs["centre"]),
        (world.other_case, world.outsider, org("police-other", OrganisationType.POLICE)),
    ):
        identification.screening_record(
            user=author,
            case=case,
            indicator_set="general",
            version="2026.1",
            answers={"UN-G01": "yes"},
            setting="interview",
        )
        identification.referral_create(
            user=author,
            case=case,
            to_organisation=receiver,
            purpose="identification" if receiver.type == "centre" else "investigation",
        )
    # An anonymous public report in the Centre's triage queue, so its URL has a real code.
    from opennrm.intake.public_reports import public_report_submit

    public_report_submit(text="Workers kept in a field near the river, no pay.", language="en")
    # A facility with a placement of each person, a protection measure, a named member of staff, a
    # follow-up and a closure request in each case, so every URL has real ids.
    import datetime as dt

    from opennrm.assistance.models import CaseClosure, FollowUp, ReintegrationPlan
    from opennrm.protection.models import NamedStaff, ProtectionMeasure
    from opennrm.shelters.models import Facility, Placement

    today = dt.date.today()
    house = Facility.objects.create(
        code="matrix-house",
        name="Matrix house",
        kind="ngo_shelter",
        operator=world.orgs["shelter"],
        municipality="Beograd",
        beds_adults=5,
        beds_children=2,
        licence_number="L-1",
        licence_valid_from=today - dt.timedelta(days=30),
        licence_valid_until=today + dt.timedelta(days=300),
    )
    for case in (world.own_case, world.other_case):
        Placement.objects.create(
            case=case, facility=house, status="placed", requested_on=today, placed_on=today
        )
        ProtectionMeasure.objects.create(
            case=case, kind="safe_communication", responsible=world.orgs["centre"], started_on=today
        )
        NamedStaff.objects.create(
            case=case, user=world.users[RoleCode.CENTRE_CASE_MANAGER], started_at=case.opened_at
        )
        plan = ReintegrationPlan.objects.create(
            case=case,
            started_on=today,
            until_on=today + dt.timedelta(days=90),
            interval_days=30,
            follow_up_by=world.orgs["centre"],
        )
        FollowUp.objects.create(plan=plan, case=case, due_on=today + dt.timedelta(days=30))
        CaseClosure.objects.create(
            case=case,
            reason="other",
            explanation="Matrix closure request",
            organisation=world.orgs["centre"],
            previous_status=case.status,
        )
    from opennrm.residence.models import ResidencePermit

    for case in (world.own_case, world.other_case):
        ResidencePermit.objects.create(case=case, ground="victim", applied_on=case.opened_at.date())
    # A service request in each case, addressed to the NGO case worker's organisation (Astra): in the
    # other case Astra has no part, and answers the request without seeing the case.
    from opennrm.assistance.models import AssistancePlan, AssistanceService

    for case in (world.own_case, world.other_case):
        plan = AssistancePlan.objects.create(
            case=case, organisation=world.orgs["centre"], opened_on=case.opened_at
        )
        AssistanceService.objects.create(
            plan=plan,
            case=case,
            service_type="material_support",
            sensitivity="general",
            provider=world.orgs["astra"],
            requested_on=case.opened_at,
            planned_from=case.opened_at,
            data_consent="request_only",
            consent_how="written",
            consent_on=case.opened_at,
        )


def _expected(ep: Endpoint, method: str, user, case, objs: Objects | None = None) -> str:
    """'ok' (not 403/404/401), 'denied' (403 or 404), 'hidden' (404 only), 'login' (anonymous)."""
    spec = ep.access
    if spec.scope == "public":
        return "ok"
    if user is None:
        return "login"
    if ep.route == "api/v1/facilities/<str:facility_code>/" and method == "GET":
        # The facility register: all of it for those who place people, their own for shelter staff.
        from opennrm.shelters.selectors import visible_facilities

        return "ok" if visible_facilities(user).filter(code="matrix-house").exists() else "hidden"
    perm = spec.perm_for(method)
    if spec.scope == "authenticated":
        return "ok" if not perm or policy.has_perm(user, perm) else "denied"
    if spec.scope == "perm":
        return "ok" if policy.has_perm(user, perm) else "denied"
    if spec.scope == "organisation":
        if not policy.has_perm(user, perm):
            return "denied"
        return "ok" if objs and objs.service.provider_id == user.organisation_id else "hidden"
    # Object scope: outside need-to-know the object does not exist for this user.
    if spec.scope in ("case", "incident"):
        visible = policy.can(user, Perm.CASE_VIEW, case)
    else:
        visible = policy.can(user, Perm.CASE_VIEW, case.person)
    if not visible:
        return "hidden"
    target = case.person if spec.scope == "person" else case
    return "ok" if policy.can(user, perm, target) else "denied"


ROLES = [*RoleCode.values, "outsider", "anonymous"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, role):
    _enrich(world)
    user = {"outsider": world.outsider, "anonymous": None}.get(role) or world.users.get(role)
    token_owner = user or world.outsider
    token, _secret = token_create(actor=None, user=token_owner, name="matrix")
    admin = world.users[RoleCode.SYSTEM_ADMIN]
    failures = []
    for which, case in (("own", world.own_case), ("other", world.other_case)):
        objs = Objects(case, user)
        for ep in endpoints():
            url = objs.fill(ep.route, token.prefix, admin.organisation_id, admin.pk)
            for method in ep.access.methods:
                if user is not None:
                    login_verified(client, user)
                else:
                    client.logout()
                before = (
                    TimelineEvent.objects.count(),
                    CaseNote.objects.count(),
                    Involvement.objects.count(),
                )
                if method == "GET":
                    response = client.get(url)
                elif method == "PATCH":
                    response = client.patch(url, data="{}", content_type="application/json")
                else:
                    response = (
                        client.post(url, data={})
                        if not ep.is_api
                        else client.post(url, data={}, content_type="application/json")
                    )
                status = response.status_code
                expected = _expected(ep, method, user, case, objs)
                ok = {
                    "ok": status not in (401, 403, 404),
                    "denied": status in (403, 404),
                    "hidden": status == 404,
                    "login": status in (302, 401, 403)
                    and (status != 302 or "/accounts/login/" in response["Location"]),
                }[expected]
                if expected in ("denied", "hidden", "login"):
                    after = (
                        TimelineEvent.objects.count(),
                        CaseNote.objects.count(),
                        Involvement.objects.count(),
                    )
                    ok = ok and before == after
                if expected == "hidden":
                    body = response.content.decode(errors="ignore")
                    # Nothing about the case may leak (the URL the user typed is echoed in the language form).
                    ok = ok and "Milica" not in body and "Jelena" not in body and "Personović" not in body
                    if case.person.code not in url:
                        ok = ok and case.person.code not in body
                if not ok:
                    failures.append(
                        f"{role} {method} {url} ({which} case): got {status}, expected {expected}"
                    )
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
def test_before_the_second_factor_only_the_login_steps_open(client, world):
    """A password alone opens nothing but the login steps: no page, no API, no token."""
    from opennrm.accounts.middleware import OPEN_PATHS
    from opennrm.testing import PASSWORD

    _enrich(world)
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    admin = world.users[RoleCode.SYSTEM_ADMIN]
    token, _secret = token_create(actor=None, user=manager, name="matrix")
    objs = Objects(world.own_case, manager)
    failures = []
    for ep in endpoints():
        url = objs.fill(ep.route, token.prefix, admin.organisation_id, admin.pk)
        if ep.access.scope == "public" or url in OPEN_PATHS:
            continue
        for method in ep.access.methods:
            client.logout()
            assert (
                client.post(
                    "/accounts/login/", {"username": manager.username, "password": PASSWORD}
                ).status_code
                == 302
            )
            tokens_before = ApiToken.objects.count()
            response = (
                client.get(url) if method == "GET" else client.generic(method, url, "{}", "application/json")
            )
            status = response.status_code
            held = (
                status in (401, 403)
                if ep.is_api
                else (status == 302 and "/accounts/2fa/" in response["Location"])
            )
            if not held or ApiToken.objects.count() != tokens_before:
                failures.append(f"{method} {url}: {status} before the second factor")
    assert failures == [], "\n".join(failures)
