"""Placing people in facilities: refusals, overrides by the Centre head, waiting lists, moves, exits."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.audit.models import AuditEvent
from opennrm.cases.models import Involvement, InvolvementRole
from opennrm.cases.timeline import describe
from opennrm.lib import clock
from opennrm.lib.errors import ConflictError, DomainError, PermissionDenied
from opennrm.shelters import selectors, services
from opennrm.shelters.models import Facility, Placement, PlacementStatus
from opennrm.shelters.tests.conftest import make_facility
from opennrm.testing import open_case

REASON = "No other safe place tonight; the person is at risk from the recruiter in her town."


def _shelter_involvements(case, org):
    return Involvement.objects.active().filter(case=case, organisation=org, role=InvolvementRole.SHELTER)


@pytest.mark.django_db
def test_placing_a_person_involves_the_shelter_and_is_audited(world, manager, atina_house):
    case = world.own_case
    assert not _shelter_involvements(case, world.orgs["atina"]).exists()
    placement = services.placement_place(user=manager, case=case, facility=atina_house)
    assert placement.status == PlacementStatus.PLACED and placement.placed_on == clock.today()
    assert not placement.override
    involvement = _shelter_involvements(case, world.orgs["atina"]).get()
    assert placement.involvement == involvement
    assert describe(case.timeline.get(kind="placement_made")) == "Placed in a facility."
    assert AuditEvent.objects.filter(
        action="create", object_type="placement", object_id=str(placement.pk)
    ).exists()
    assert selectors.facility_occupancy(atina_house) == (1, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "children", "reason"),
    [
        ({"beds_adults": 0}, 0, "full_adults"),
        ({}, 2, "full_children"),
        ({"accepts_sex": "men"}, 0, "unfit_sex"),
        ({"min_age": 40}, 0, "unfit_age"),
        ({"max_age": 20}, 0, "unfit_age"),
        ({"takes_adults": False, "takes_children": True}, 0, "unfit_adult"),
        ({"licence_valid_until": clock.today() - dt.timedelta(days=1)}, 0, "licence"),
        ({"licence_number": "", "licence_valid_from": None, "licence_valid_until": None}, 0, "licence"),
        ({"is_open": False}, 0, "closed"),
    ],
)
def test_each_refusal_is_named_and_nothing_is_written(world, manager, changes, children, reason):
    facility = make_facility(world.orgs["atina"], "refusing", **changes)
    before = (Placement.objects.count(), Involvement.objects.count())
    with pytest.raises(DomainError) as exc:
        services.placement_place(
            user=manager, case=world.own_case, facility=facility, accompanying_children=children
        )
    assert exc.value.field == "facility"
    assert exc.value.extra["reasons"] == [reason]
    assert exc.value.message.startswith("Safe House refusing cannot take this person:")
    assert (Placement.objects.count(), Involvement.objects.count()) == before


@pytest.mark.django_db
def test_a_child_is_refused_by_an_adults_only_facility(world, manager, reporter, atina_house):
    child = open_case(reporter, given="Dete", age_min=14, age_max=16)
    with pytest.raises(DomainError) as exc:
        services.placement_place(user=manager, case=child, facility=atina_house)
    assert exc.value.field == "facility"
    assert exc.value.extra["reasons"] == ["unfit_child"]
    assert "it does not take unaccompanied children" in exc.value.message
    assert not child.placements.exists()


@pytest.mark.django_db
def test_unlicensed_alternative_accommodation_takes_people(world, manager):
    flat = make_facility(
        world.orgs["atina"],
        "flat",
        kind="alternative_accommodation",
        licence_number="",
        licence_valid_from=None,
        licence_valid_until=None,
    )
    assert services.placement_check(facility=flat, case=world.own_case) == []


@pytest.mark.django_db
def test_the_centre_head_overrides_a_refusal_with_written_reasons_and_it_is_counted(world, head, atina_house):
    atina_house.beds_adults = 0
    atina_house.licence_valid_until = clock.today() - dt.timedelta(days=1)
    atina_house.save()
    placement = services.placement_place(
        user=head, case=world.own_case, facility=atina_house, override_reason=REASON
    )
    assert placement.override and placement.override_by == head and placement.override_reason == REASON
    assert placement.override_rules == ["full", "licence"]
    event = AuditEvent.objects.get(action="override", object_type="placement")
    assert event.detail["rules"] == ["full", "licence"]
    assert event.detail["reasons"] == ["full_adults", "licence"]
    assert REASON not in str(event.detail)
    today = clock.today()
    assert selectors.override_count(date_from=today, date_to=today) == {
        "total": 1,
        "full": 1,
        "unfit": 0,
        "licence": 1,
    }
    assert "override" in describe(world.own_case.timeline.get(kind="placement_made"))


@pytest.mark.django_db
def test_a_case_manager_cannot_override(world, manager, atina_house):
    atina_house.beds_adults = 0
    atina_house.save()
    with pytest.raises(DomainError) as exc:
        services.placement_place(
            user=manager, case=world.own_case, facility=atina_house, override_reason=REASON
        )
    assert exc.value.field == "override_reason"
    assert "Only the head of the Centre" in exc.value.message
    assert not Placement.objects.exists()


@pytest.mark.django_db
def test_an_override_needs_reasons_in_full(world, head, atina_house):
    atina_house.beds_adults = 0
    atina_house.save()
    with pytest.raises(DomainError) as exc:
        services.placement_place(
            user=head, case=world.own_case, facility=atina_house, override_reason="urgent"
        )
    assert exc.value.field == "override_reason"
    assert not Placement.objects.exists()


@pytest.mark.django_db
def test_a_closed_facility_cannot_be_overridden(world, head, atina_house):
    atina_house.is_open = False
    atina_house.save()
    with pytest.raises(DomainError) as exc:
        services.placement_place(user=head, case=world.own_case, facility=atina_house, override_reason=REASON)
    assert exc.value.extra["reasons"] == ["closed"]


@pytest.mark.django_db
def test_a_person_already_placed_is_moved_not_placed_twice(world, manager, atina_house):
    other = make_facility(world.orgs["atina"], "second")
    services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    with pytest.raises(DomainError) as exc:
        services.placement_place(user=manager, case=world.own_case, facility=other)
    assert "move them instead" in exc.value.message
    assert world.own_case.placements.count() == 1


@pytest.mark.django_db
def test_only_the_coordinator_places(world, atina_house):
    with pytest.raises(PermissionDenied):
        services.placement_place(
            user=world.users[RoleCode.SOCIAL_WORKER], case=world.own_case, facility=atina_house
        )


@pytest.mark.django_db
def test_the_waiting_list_is_first_come_first_served_and_a_place_is_taken_from_it(
    world, manager, reporter, atina_house
):
    today = clock.today()
    later = open_case(reporter, given="Ana", family="Kasnić")
    first = open_case(reporter, given="Bojana", family="Prvić")
    second = open_case(reporter, given="Cvijeta", family="Drugić")
    services.placement_wait(user=manager, case=later, facility=atina_house, requested_on=today)
    services.placement_wait(
        user=manager, case=first, facility=atina_house, requested_on=today - dt.timedelta(days=2)
    )
    services.placement_wait(
        user=manager, case=second, facility=atina_house, requested_on=today - dt.timedelta(days=2)
    )
    order = [p.case_id for p in selectors.waiting_list(facility=atina_house)]
    assert order == [first.pk, second.pk, later.pk]
    with pytest.raises(DomainError):
        services.placement_wait(user=manager, case=first, facility=atina_house)
    placed = services.placement_place(user=manager, case=first, facility=atina_house)
    assert placed.status == PlacementStatus.PLACED
    assert placed.requested_on == today - dt.timedelta(days=2)
    assert first.placements.count() == 1
    assert [p.case_id for p in selectors.waiting_list(facility=atina_house)] == [second.pk, later.pk]


@pytest.mark.django_db
def test_a_person_who_cannot_fit_is_not_put_on_the_waiting_list(world, manager, atina_house):
    men = make_facility(world.orgs["atina"], "men", accepts_sex="men")
    with pytest.raises(DomainError) as exc:
        services.placement_wait(user=manager, case=world.own_case, facility=men)
    assert exc.value.extra["reasons"] == ["unfit_sex"]
    atina_house.beds_adults = 0
    atina_house.save()
    assert services.placement_wait(user=manager, case=world.own_case, facility=atina_house)


@pytest.mark.django_db
def test_a_move_ends_one_placement_and_starts_the_next_at_once(world, manager, atina_house):
    case = world.own_case
    centre_house = make_facility(world.orgs["shelter"], "shelter-house")
    first = services.placement_place(
        user=manager, case=case, facility=atina_house, placed_on=clock.today() - dt.timedelta(days=3)
    )
    new = services.placement_move(
        user=manager, placement=first, to_facility=centre_house, expected_version=first.version
    )
    first.refresh_from_db()
    assert first.status == PlacementStatus.ENDED and first.exit_destination == "other_facility"
    assert first.moved_to == new and first.ended_on == new.placed_on == clock.today()
    assert new.status == PlacementStatus.PLACED and new.facility == centre_house
    # Atina's access ends with the stay; the shelter organisation was involved already.
    assert not _shelter_involvements(case, world.orgs["atina"]).exists()
    # The placement holds an involvement of its own, even where the operator already had one.
    assert new.involvement is not None and new.involvement.organisation == world.orgs["shelter"]
    assert _shelter_involvements(case, world.orgs["shelter"]).count() == 2
    assert describe(case.timeline.get(kind="placement_moved")) == "Moved to another facility."


@pytest.mark.django_db
def test_a_refused_move_changes_nothing(world, manager, atina_house):
    full = make_facility(world.orgs["atina"], "full", beds_adults=0)
    first = services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    version = first.version
    with pytest.raises(DomainError) as exc:
        services.placement_move(user=manager, placement=first, to_facility=full, expected_version=version)
    assert exc.value.extra["reasons"] == ["full_adults"]
    first.refresh_from_db()
    assert first.status == PlacementStatus.PLACED and first.version == version and first.ended_on is None
    assert world.own_case.placements.count() == 1


@pytest.mark.django_db
def test_leaving_ends_the_involvement_frees_the_bed_and_tells_the_first_waiting(
    world, manager, person, atina_house
):
    atina_house.beds_adults = 1
    atina_house.save()
    placement = services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    services.placement_wait(user=manager, case=person, facility=atina_house)
    services.placement_exit(
        user=manager,
        placement=placement,
        expected_version=placement.version,
        destination="family",
        note="Returned to her mother",
    )
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED and placement.exit_destination == "family"
    assert not _shelter_involvements(world.own_case, world.orgs["atina"]).exists()
    assert selectors.facility_occupancy(atina_house) == (0, 0)
    assert describe(world.own_case.timeline.get(kind="placement_ended")) == (
        "Left the facility; destination: family."
    )
    assert person.timeline.filter(kind="placement_bed_free").exists()
    assert services.placement_place(user=manager, case=person, facility=atina_house)


@pytest.mark.django_db
def test_the_first_waiting_persons_coordinator_is_notified_when_the_kind_exists(
    world, manager, person, atina_house, monkeypatch
):
    from opennrm.notifications import kinds
    from opennrm.notifications.models import Notification

    monkeypatch.setitem(kinds.KINDS, "placement_bed_free", kinds.Kind("A bed is free for case %(case)s"))
    placement = services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    services.placement_wait(user=manager, case=person, facility=make_facility(world.orgs["atina"], "other"))
    services.placement_wait(user=manager, case=person, facility=atina_house)
    services.placement_exit(
        user=manager, placement=placement, expected_version=placement.version, destination="other"
    )
    assert Notification.objects.filter(kind="placement_bed_free", case_code=person.code).exists()


@pytest.mark.django_db
def test_a_stale_version_changes_nothing(world, manager, atina_house):
    placement = services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    with pytest.raises(ConflictError):
        services.placement_exit(
            user=manager, placement=placement, expected_version=placement.version - 1, destination="family"
        )
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.PLACED
    assert _shelter_involvements(world.own_case, world.orgs["atina"]).exists()


@pytest.mark.django_db
def test_an_end_before_the_start_is_a_field_error(world, manager, atina_house):
    today = clock.today()
    with pytest.raises(DomainError) as exc:
        services.placement_place(
            user=manager, case=world.own_case, facility=atina_house, placed_on=today + dt.timedelta(days=1)
        )
    assert exc.value.field == "placed_on"
    placement = services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    with pytest.raises(DomainError) as exc:
        services.placement_exit(
            user=manager,
            placement=placement,
            expected_version=placement.version,
            destination="family",
            ended_on=today - dt.timedelta(days=1),
        )
    assert exc.value.field == "ended_on"
    with pytest.raises(DomainError) as exc:
        services.placement_exit(
            user=manager, placement=placement, expected_version=placement.version, destination="moon"
        )
    assert exc.value.field == "destination"
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.PLACED


@pytest.mark.django_db
def test_shelter_staff_record_departures_from_their_own_facilities_only(world, manager, atina_house):
    staff = world.users[RoleCode.SHELTER_STAFF]
    own = make_facility(world.orgs["shelter"], "own-house")
    placement = services.placement_place(user=manager, case=world.own_case, facility=atina_house)
    with pytest.raises(PermissionDenied):
        services.placement_exit(
            user=staff, placement=placement, expected_version=placement.version, destination="family"
        )
    moved = services.placement_move(
        user=manager, placement=placement, to_facility=own, expected_version=placement.version
    )
    services.placement_exit(user=staff, placement=moved, expected_version=moved.version, destination="family")
    moved.refresh_from_db()
    assert moved.status == PlacementStatus.ENDED


# ---- the register of facilities -------------------------------------------------------------------


def _data(**kw):
    today = clock.today()
    data = {
        "name": "Sigurna kuća",
        "kind": "ngo_shelter",
        "municipality": "Niš",
        "beds_adults": 4,
        "beds_children": 2,
        "accepts_sex": "women",
        "takes_adults": True,
        "takes_children": True,
        "min_age": 14,
        "licence_number": "LIC-9",
        "licence_valid_from": today,
        "specialisations": ["sexual"],
    }
    data.update(kw)
    return data


@pytest.mark.django_db
def test_shelter_staff_register_their_own_facility(world):
    staff = world.users[RoleCode.SHELTER_STAFF]
    facility = services.facility_create(user=staff, code="kuca-nis", data=_data())
    assert facility.operator == world.orgs["shelter"]
    assert [s.form for s in facility.specialisations.all()] == ["sexual"]
    with pytest.raises(PermissionDenied):
        services.facility_create(user=staff, code="tudja", data=_data(), operator=world.orgs["atina"])
    with pytest.raises(DomainError) as exc:
        services.facility_create(user=staff, code="kuca-nis", data=_data())
    assert exc.value.field == "code"
    with pytest.raises(DomainError) as exc:
        services.facility_create(user=staff, code="occupancy", data=_data())
    assert exc.value.field == "code"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"licence_valid_until": clock.today() - dt.timedelta(days=1)}, "licence_valid_until"),
        ({"min_age": 30, "max_age": 18}, "max_age"),
        ({"beds_adults": -1}, "beds_adults"),
        ({"takes_adults": False, "takes_children": False}, "takes_adults"),
        ({"kind": "hotel"}, "kind"),
        ({"municipality": ""}, "municipality"),
    ],
)
def test_bad_register_input_is_a_field_error_and_nothing_changes(world, changes, field):
    staff = world.users[RoleCode.SHELTER_STAFF]
    facility = services.facility_create(user=staff, code="kuca", data=_data())
    with pytest.raises(DomainError) as exc:
        services.facility_update(
            user=staff, facility=facility, expected_version=facility.version, data=changes
        )
    assert exc.value.field == field
    stored = Facility.objects.get(pk=facility.pk)
    assert stored.version == 1 and stored.municipality == "Niš" and stored.max_age is None


@pytest.mark.django_db
def test_a_stale_register_update_is_refused(world):
    staff = world.users[RoleCode.SHELTER_STAFF]
    facility = services.facility_create(user=staff, code="kuca", data=_data())
    services.facility_update(user=staff, facility=facility, expected_version=1, data={"beds_adults": 5})
    stale = Facility.objects.get(pk=facility.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.facility_update(user=staff, facility=stale, expected_version=1, data={"beds_adults": 9})
    assert Facility.objects.get(pk=facility.pk).beds_adults == 5


@pytest.mark.django_db
def test_only_the_operator_keeps_the_register(world, manager):
    staff = world.users[RoleCode.SHELTER_STAFF]
    facility = services.facility_create(user=staff, code="kuca", data=_data())
    with pytest.raises(PermissionDenied):
        services.facility_update(user=manager, facility=facility, expected_version=1, data={"beds_adults": 1})
