"""Live occupancy, the free-bed search and use over time."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.shelters import selectors, services
from opennrm.shelters.models import Placement, PlacementStatus
from opennrm.shelters.tests.conftest import make_facility
from opennrm.testing import open_case


@pytest.mark.django_db
def test_occupancy_and_free_beds_come_in_one_query(world, manager, reporter, django_assert_num_queries):
    a = make_facility(world.orgs["atina"], "a", beds_adults=3, beds_children=4)
    make_facility(world.orgs["atina"], "b")
    make_facility(world.orgs["shelter"], "c", takes_children=True)
    services.placement_place(user=manager, case=world.own_case, facility=a, accompanying_children=2)
    services.placement_place(user=manager, case=open_case(reporter, given="Ana"), facility=a)
    services.placement_wait(user=manager, case=open_case(reporter, given="Bea"), facility=a)
    with django_assert_num_queries(1):
        rows = {f.code: f for f in selectors.facility_list(user=manager)}
        assert [r.operator.code for r in rows.values()]
    assert (rows["a"].adults_placed, rows["a"].children_placed, rows["a"].waiting) == (2, 2, 1)
    assert (rows["a"].free_adults, rows["a"].free_children) == (1, 2)
    assert (rows["b"].free_adults, rows["b"].free_children) == (2, 1)


@pytest.mark.django_db
def test_the_free_bed_search_finds_facilities_that_would_take_the_person(world, manager):
    women = make_facility(world.orgs["atina"], "women", beds_adults=1, beds_children=3)
    roomy = make_facility(world.orgs["atina"], "roomy", beds_adults=5, accepts_sex="any")
    kids = make_facility(
        world.orgs["shelter"], "kids", beds_adults=0, beds_children=5, takes_adults=False, takes_children=True
    )
    make_facility(
        world.orgs["atina"],
        "lapsed",
        licence_valid_until=dt.date(2020, 1, 1),
        licence_valid_from=dt.date(2019, 1, 1),
    )
    men = make_facility(world.orgs["atina"], "men", accepts_sex="men", beds_adults=9)
    services.facility_update(
        user=world.users[RoleCode.SHELTER_STAFF],
        facility=kids,
        expected_version=1,
        data={"specialisations": ["begging"]},
    )

    def codes(**kw):
        return [f.code for f in selectors.free_beds_search(user=manager, **kw)]

    assert codes(sex="female") == ["roomy", "women"]
    assert codes(sex="male") == ["men", "roomy"]
    assert codes(sex="female", children=2) == ["women"]
    assert codes(child=True) == ["kids"]
    assert codes(child=True, specialisation="begging") == ["kids"]
    assert codes(child=True, specialisation="labour") == []
    services.placement_place(user=manager, case=world.own_case, facility=women)
    assert codes(sex="female") == ["roomy"]
    assert {women.pk, roomy.pk, men.pk} <= {f.pk for f in selectors.facility_list(user=manager)}


@pytest.mark.django_db
def test_who_sees_which_facilities(world):
    make_facility(world.orgs["atina"], "atina")
    make_facility(world.orgs["shelter"], "own")
    u = world.users

    def codes(role):
        return sorted(f.code for f in selectors.facility_list(user=u[role]))

    assert codes(RoleCode.CENTRE_CASE_MANAGER) == ["atina", "own"]
    assert codes(RoleCode.SOCIAL_WORKER) == ["atina", "own"]
    assert codes(RoleCode.NATIONAL_COORDINATOR) == ["atina", "own"]
    assert codes(RoleCode.SHELTER_STAFF) == ["own"]
    assert codes(RoleCode.PROSECUTOR) == []
    assert codes(RoleCode.POLICE_INVESTIGATOR) == []


@pytest.mark.django_db
def test_bed_days_are_nights_and_split_across_a_month_end(world):
    facility = make_facility(world.orgs["atina"], "h", beds_adults=2, beds_children=1)
    case = world.own_case
    # 30 January to 3 February with a child: nights of the 30th, 31st, 1st and 2nd.
    Placement.objects.create(
        case=case,
        facility=facility,
        status=PlacementStatus.ENDED,
        requested_on=dt.date(2025, 1, 30),
        placed_on=dt.date(2025, 1, 30),
        ended_on=dt.date(2025, 2, 3),
        accompanying_children=1,
    )
    # A child on her own from 27 to 28 February: one night.
    Placement.objects.create(
        case=world.other_case,
        facility=facility,
        status=PlacementStatus.ENDED,
        requested_on=dt.date(2025, 2, 27),
        placed_on=dt.date(2025, 2, 27),
        ended_on=dt.date(2025, 2, 28),
        is_child=True,
    )
    rows = selectors.occupancy_history(
        date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31), facilities=[facility]
    )
    got = [(r["period"], r["adult_bed_days"], r["child_bed_days"], r["capacity_bed_days"]) for r in rows]
    assert got == [
        (dt.date(2025, 1, 1), 2, 2, 93),
        (dt.date(2025, 2, 1), 2, 3, 84),
        (dt.date(2025, 3, 1), 0, 0, 93),
    ]
    assert rows[1]["rate"] == round(5 / 84, 3)
    days = selectors.occupancy_history(
        date_from=dt.date(2025, 1, 31), date_to=dt.date(2025, 2, 2), facilities=[facility], by="day"
    )
    assert [(r["period"].day, r["adult_bed_days"]) for r in days] == [(31, 1), (1, 1), (2, 1)]
    assert all("case" not in r for r in rows)


@pytest.mark.django_db
def test_the_demo_facilities_are_seeded_once():
    from opennrm.accounts.models import OrganisationType
    from opennrm.shelters.demo import seed_facilities
    from opennrm.testing import org

    for code, type in (
        ("centre-shelter", OrganisationType.SHELTER),
        ("atina", OrganisationType.NGO),
        ("csw-ns", OrganisationType.SOCIAL_WORK_CENTRE),
        ("astra", OrganisationType.NGO),
    ):
        org(code, type)
    first = seed_facilities()
    assert len(first) == 4 and len(seed_facilities()) == 4
    centre = next(f for f in first if f.operator.code == "centre-shelter")
    assert (centre.beds_adults, centre.beds_children, centre.accepts_sex) == (6, 3, "women")
