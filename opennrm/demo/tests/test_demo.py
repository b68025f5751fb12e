"""The demo data: published yearly figures, one login per role, and demo mode only."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from opennrm import policy
from opennrm.accounts.models import Organisation, User
from opennrm.accounts.roles import RoleCode
from opennrm.cases import selectors as case_selectors
from opennrm.cases.models import Case, CaseNote, CaseStatus, Incident, TimelineEvent
from opennrm.cases.services import presumed_child
from opennrm.core import crypto
from opennrm.demo import data
from opennrm.lib import scripts
from opennrm.lib.dates import local_tz
from opennrm.people.models import Person, PersonIdentity


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The full demo, loaded once for this module (it takes seconds) and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("demo", seed=2026, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def identified_by_year() -> dict[int, list[Case]]:
    """Persons identified in each year, by the date of the Centre's decision (the published reference date)."""
    events = TimelineEvent.objects.filter(
        kind="status_changed", params__new=CaseStatus.IDENTIFIED
    ).select_related("case__person", "case__incident")
    out: dict[int, dict[int, Case]] = defaultdict(dict)
    for event in events:
        out[timezone.localtime(event.at, local_tz()).year][event.case.person_id] = event.case
    return {year: list(cases.values()) for year, cases in out.items()}


def category(case: Case) -> str:
    forms = sorted(case.incident.forms)
    if len(forms) > 1:
        return "multiple"
    return next(cat for cat, members in data.CATEGORY_FORMS.items() if forms[0] in members)


def current_year() -> int:
    return timezone.localtime(timezone.now(), local_tz()).year


@pytest.mark.django_db
def test_identified_victims_per_year_equal_the_configured_figures(demo):
    counted = {year: len(cases) for year, cases in identified_by_year().items()}
    expected = {year: fig.identified for year, fig in data.YEARS.items() if year <= current_year()}
    assert counted == expected
    assert counted[2019] == 36 and counted[2020] == 48 and counted[2021] == 43


@pytest.mark.django_db
def test_forms_sex_and_foreign_victims_per_year_follow_the_figures(demo):
    for year, cases in identified_by_year().items():
        fig = data.YEARS[year]
        assert Counter(category(c) for c in cases) == Counter(
            {k: v for k, v in fig.by_category().items() if v}
        ), year
        assert sum(c.person.sex == "female" for c in cases) == fig.female, year
        assert sum(c.person.citizenship != "RS" for c in cases) == fig.foreign, year
        if fig.girls is not None:
            assert sum(c.is_child and c.person.sex == "female" for c in cases) == fig.girls, year


@pytest.mark.django_db
def test_children_are_30_to_50_percent_of_identified_victims_every_year(demo):
    for year, cases in identified_by_year().items():
        share = sum(c.is_child for c in cases) / len(cases)
        assert 0.30 <= share <= 0.50, (year, share)


@pytest.mark.django_db
def test_about_80_percent_of_persons_are_serbian_citizens(demo):
    total = Person.objects.count()
    assert 400 <= total <= 480
    share = Person.objects.filter(citizenship="RS").count() / total
    assert 0.75 <= share <= 0.85


@pytest.mark.django_db
def test_identified_victims_reached_their_status_through_allowed_transitions(demo):
    for cases in identified_by_year().values():
        for case in cases:
            case.refresh_from_db()
            assert case.status in {CaseStatus.IDENTIFIED, CaseStatus.ASSISTED, CaseStatus.CLOSED}
            assert (case.closed_at is not None) == (case.status == CaseStatus.CLOSED)


@pytest.mark.django_db
def test_child_flags_agree_with_birth_dates_or_age_estimates_on_the_day_of_registration(demo):
    for case in Case.objects.select_related("person"):
        person = case.person
        row = PersonIdentity.objects.get(person=person)
        identity = crypto.decrypt(row.data_key_id, row.ciphertext, aad=person.code)
        assert identity.get("birth_date") or person.age_estimate_min is not None
        opened = timezone.localtime(case.opened_at, local_tz()).date()
        assert case.is_child == presumed_child(
            birth_date=identity.get("birth_date"),
            birth_year=person.birth_year,
            age_min=person.age_estimate_min,
            age_max=person.age_estimate_max,
            today=opened,
        ), case.code


@pytest.mark.django_db
def test_names_are_written_in_both_scripts(demo):
    scripts_used = Counter()
    for row in PersonIdentity.objects.select_related("person"):
        name = crypto.decrypt(row.data_key_id, row.ciphertext, aad=row.person.code)["family_names"]
        scripts_used["cyrillic" if scripts.has_cyrillic(name) else "latin"] += 1
    assert scripts_used["cyrillic"] > 50 and scripts_used["latin"] > 200


@pytest.mark.django_db
def test_dates_spread_over_the_years_and_none_lies_in_the_future(demo):
    now = timezone.now()
    years = Counter(timezone.localtime(c.opened_at, local_tz()).year for c in Case.objects.all())
    assert all(years[y] >= 30 for y in range(2019, current_year() + 1)), years
    assert not Case.objects.filter(opened_at__gt=now).exists()
    assert not TimelineEvent.objects.filter(at__gt=now).exists()
    assert not CaseNote.objects.filter(created_at__gt=now).exists()
    assert Case.objects.filter(code__startswith="RS-C-2019-").exists()


@pytest.mark.django_db
def test_every_role_has_one_demo_login_and_atina_has_a_second_ngo_worker(demo):
    roles = Counter(User.objects.filter(is_demo=True).values_list("role__code", flat=True))
    assert set(roles) == set(RoleCode.values)
    assert roles.pop(RoleCode.NGO_CASE_WORKER) == 2
    assert set(roles.values()) == {1}
    assert User.objects.get(username="ngo2").organisation.code == "atina"


@pytest.mark.django_db
def test_users_json_prints_every_role_and_nothing_else(demo):
    out = io.StringIO()
    call_command("demo", users_json=True, stdout=out)
    logins = json.loads(out.getvalue())
    assert {row["role"] for row in logins} == set(RoleCode.values)
    assert all(set(row) == {"username", "password", "role", "organisation"} for row in logins)
    assert {"username": "ngo2", "password": "demo-ngo2-2026", "role": "ngo_case_worker",
            "organisation": "Udruženje građana Atina"} in logins  # fmt: skip


@pytest.mark.django_db
def test_print_logins_shows_the_address_and_creates_nothing(demo):
    before = User.objects.count()
    out = io.StringIO()
    call_command("demo", print_logins=True, stdout=out)
    assert "http://127.0.0.1:8000" in out.getvalue()
    assert "demo-casemanager-2026" in out.getvalue()
    assert User.objects.count() == before


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_organisations_alone(demo):
    before = Case.objects.count()
    call_command("demo", if_empty=True, stdout=io.StringIO())
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_the_group_of_foreign_workers_was_referred_and_never_taken_up(demo):
    group = Incident.objects.get(title=data.GROUP_CASE["title"])
    cases = list(group.cases.select_related("person"))
    assert len(cases) == data.GROUP_CASE["size"]
    assert {c.status for c in cases} == {CaseStatus.REFERRED}
    assert {c.person.citizenship for c in cases} == {"VN"}
    assert group.organisation.type == "labour_inspectorate"
    assert group.suspects.filter(is_legal_person=True).count() == len(data.GROUP_SUSPECTS)
    inspector = User.objects.get(username="inspector")
    assert policy.visible_cases(inspector).filter(incident=group).count() == len(cases)
    oldest = case_selectors.tasks_due_and_overdue(user=User.objects.get(username="casemanager"))[0][0]
    assert oldest.case.incident_id == group.pk and oldest.due_at.year == data.GROUP_CASE["year"]


@pytest.mark.django_db
def test_need_to_know_differs_between_the_two_ngos(demo):
    astra = set(policy.visible_cases(User.objects.get(username="ngo")).values_list("pk", flat=True))
    atina = set(policy.visible_cases(User.objects.get(username="ngo2")).values_list("pk", flat=True))
    assert astra and atina
    assert astra - atina and atina - astra
    assert not policy.visible_cases(User.objects.get(username="coordinator")).exists()


@pytest.mark.django_db
def test_the_centre_home_page_has_tasks_due_some_overdue(demo):
    casemanager = User.objects.get(username="casemanager")
    tasks = case_selectors.tasks_due_and_overdue(user=casemanager)[0]
    now = timezone.now()
    assert len(tasks) >= 10
    assert sum(t.due_at < now for t in tasks) >= 5
    assert any(t.due_at > now for t in tasks)


@pytest.mark.django_db
def test_notes_of_every_sensitivity_class_exist(demo):
    assert set(CaseNote.objects.values_list("sensitivity", flat=True)) == set(data.NOTES)


@pytest.mark.django_db
def test_pending_cases_wait_in_the_current_year(demo):
    year = current_year()
    pending = Counter(
        Case.objects.filter(opened_at__year=year)
        .exclude(status__in=[CaseStatus.IDENTIFIED, CaseStatus.ASSISTED, CaseStatus.CLOSED])
        .values_list("status", flat=True)
    )
    for status, count in data.PENDING.items():
        assert pending[status] >= count, status


@pytest.mark.django_db
def test_it_refuses_to_create_demo_logins_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    settings.MODE = "production"
    organisations, users = Organisation.objects.count(), User.objects.count()
    with pytest.raises(CommandError, match="demo mode"):
        call_command("demo", stdout=io.StringIO())
    assert (Organisation.objects.count(), User.objects.count()) == (organisations, users)


@pytest.mark.django_db
def test_every_identified_victim_has_a_reasoned_decision_dated_in_its_year(demo):
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from opennrm.identification.models import IdentificationDecision

    by_year = dict(
        IdentificationDecision.objects.filter(outcome="identified", superseded_by__isnull=True)
        .annotate(year=ExtractYear("decided_at"))
        .values_list("year")
        .annotate(n=Count("id"))
    )
    expected = {year: fig.identified for year, fig in data.YEARS.items() if year <= current_year()}
    assert by_year == expected


@pytest.mark.django_db
def test_the_identification_workflow_left_its_traces(demo):
    from opennrm.identification.models import Referral, ReflectionPeriod, Screening

    assert Screening.objects.count() > 100
    assert Referral.objects.filter(status="accepted").count() > 300
    # The Zrenjanin workers were referred in 2021 and nobody took them up: overdue ever since.
    assert Referral.objects.filter(status="pending", due_at__year=2021).exists()
    assert ReflectionPeriod.objects.exists()
