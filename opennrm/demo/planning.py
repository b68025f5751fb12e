"""Planning the demo story: who each synthetic person is and what happens to them, when.

Nothing is written here. ``story`` turns the plans into service calls.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from opennrm.cases.models import CaseStatus
from opennrm.demo import data
from opennrm.demo.synthetic import pick_age
from opennrm.lib.dates import local_tz

S = CaseStatus


@dataclass
class Plan:
    """What will happen to one person, decided before anything is written."""

    kind: str  # identified | not_identified | pending | group
    year: int
    category: str
    forms: list[str]
    child: bool
    sex: str
    citizenship: str = "RS"
    age: int = 30
    municipality: str = "Beograd"
    region: str = "bg"
    country: str = "RS"
    source: str = "law_enforcement"
    reporter: str = "police"
    opened: dt.datetime | None = None
    decided: dt.datetime | None = None  # the identification (or refusal) decision
    final: str = S.REPORTED
    group: int | None = None  # plans with the same group share one incident
    events: list[tuple[dt.datetime, str, dict[str, Any]]] = field(default_factory=list)


# ---- time ----------------------------------------------------------------------------------------


class Clock:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        # Nothing is backdated later than this, so "written just now" and "backdated" never overlap.
        self.horizon = now - dt.timedelta(hours=1)

    def at(self, day: dt.date, *, start: int = 8, end: int = 17) -> dt.datetime:
        minute = self.rng.randrange(start * 60, end * 60)
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=local_tz())

    def day_in(self, year: int, *, margin_days: int = 0) -> dt.date:
        first = dt.date(year, 1, 1)
        last = min(
            dt.date(year, 12, 31),
            timezone.localtime(self.horizon, local_tz()).date() - dt.timedelta(days=margin_days),
        )
        return first + dt.timedelta(days=self.rng.randrange((last - first).days + 1))

    def after(self, moment: dt.datetime, *, lo_hours: float, hi_hours: float) -> dt.datetime:
        return moment + dt.timedelta(minutes=self.rng.randint(int(lo_hours * 60), int(hi_hours * 60)))

    def past(self, moment: dt.datetime) -> bool:
        return moment <= self.horizon


# ---- planning ------------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _city(rng: random.Random) -> str:
    return _weighted(rng, {k: w for k, (w, _r) in data.MUNICIPALITIES.items()})


def _forms_for(rng: random.Random, category: str) -> list[str]:
    if category == "multiple":
        return list(rng.choice(data.MULTIPLE_PAIRS))
    if category == "labour":
        return ["forced_labour" if rng.random() < 0.3 else "labour"]
    return [category]


def text_key(plan: Plan) -> str:
    first = plan.forms[0]
    return "labour" if first in ("labour", "forced_labour") else first


def _foreign_origin(rng: random.Random, *, sex: str, child: bool) -> str:
    if child and sex == "male":
        return rng.choice(["AF", "AF", "PK"])
    weights = dict(data.FOREIGN_ORIGINS)
    if sex == "female":
        weights.pop("AF"), weights.pop("PK")
    return _weighted(rng, weights)


def _route(rng: random.Random, plan: Plan) -> None:
    """Who reports the person, from where, through which referral channel (TIP categories)."""
    r = rng.random()
    if plan.country != "RS":
        plan.source, plan.reporter = (
            ("foreign_authority", "casemanager") if r < 0.6 else ("law_enforcement", "police")
        )
    elif plan.citizenship != "RS":
        plan.source, plan.reporter = ("law_enforcement", "police") if r < 0.5 else ("ngo_io", "ngo")
    elif plan.child:
        plan.source, plan.reporter = (
            ("social_welfare", "socialworker")
            if r < 0.4
            else ("other_government", "reporter")
            if r < 0.6
            else ("law_enforcement", "police")
            if r < 0.9
            else ("ngo_io", rng.choice(["ngo", "ngo2"]))
        )
    elif plan.category == "labour":
        plan.source, plan.reporter = (
            ("other_government", "inspector")
            if r < 0.35
            else ("law_enforcement", "police")
            if r < 0.7
            else ("ngo_io", rng.choice(["ngo", "ngo2"]))
            if r < 0.9
            else ("self_referral", "casemanager")
        )
    else:
        plan.source, plan.reporter = (
            ("law_enforcement", "police")
            if r < 0.45
            else ("social_welfare", "socialworker")
            if r < 0.65
            else ("ngo_io", rng.choice(["ngo", "ngo2"]))
            if r < 0.9
            else ("self_referral", "casemanager")
            if r < 0.95
            else ("private_citizen", "casemanager")
        )
    if plan.country != "RS":
        plan.municipality, plan.region = data.ABROAD[plan.country], "bg"
        return
    if plan.reporter == "socialworker":
        plan.municipality = "Beograd"
    elif plan.reporter == "reporter":
        plan.municipality = "Novi Sad"
    elif plan.reporter == "police":
        plan.municipality = "Beograd" if rng.random() < 0.75 else _city(rng)
    else:
        plan.municipality = _city(rng)
    plan.region = data.MUNICIPALITIES[plan.municipality][1]


def _pick(order: list[int], count: int) -> set[int]:
    return set(order[:count])


def plan_identified(rng: random.Random, clock: Clock, year: int, fig: data.YearFigures) -> list[Plan]:
    cats = [c for c, n in fig.by_category().items() for _ in range(n)]
    rng.shuffle(cats)
    n = len(cats)
    child_score = {"begging": 3.0, "sexual": 2.0, "criminality": 2.0, "multiple": 1.5, "labour": 0.3}
    female_score = {"sexual": 3.0, "multiple": 1.6, "begging": 1.0, "criminality": 0.8, "labour": 0.0}
    children = _pick(
        sorted(range(n), key=lambda i: child_score[cats[i]] + 2 * rng.random(), reverse=True), fig.children
    )
    adults = set(range(n)) - children
    girls = fig.girls
    if girls is None:
        girls = min(max(round(fig.children * 0.75), fig.female - len(adults), 0), fig.children, fig.female)
    by_female = sorted(range(n), key=lambda i: female_score[cats[i]] + 1.5 * rng.random(), reverse=True)
    female = _pick([i for i in by_female if i in children], girls) | _pick(
        [i for i in by_female if i in adults], fig.female - girls
    )
    foreign = set(rng.sample(range(n), fig.foreign))

    plans = []
    for i, cat in enumerate(cats):
        plan = Plan(
            kind="identified",
            year=year,
            category=cat,
            forms=_forms_for(rng, cat),
            child=i in children,
            sex="female" if i in female else "male",
        )
        if i in foreign:
            plan.citizenship = _foreign_origin(rng, sex=plan.sex, child=plan.child)
        elif not plan.child and rng.random() < 0.12:
            if cat == "labour" and plan.sex == "male":
                plan.country = rng.choice(["IL", "IL", "AT", "SI", "CH"])
            else:
                plan.country = rng.choice(["AT", "CH", "XK", "BA", "MK", "AL"])
        plan.age = pick_age(rng, child=plan.child, category=cat)
        _route(rng, plan)
        plan.decided = clock.at(clock.day_in(year, margin_days=2))
        plan.opened = plan.decided - dt.timedelta(days=rng.randint(1, 25), minutes=rng.randint(0, 300))
        plans.append(plan)
    return plans


def plan_not_identified(rng: random.Random, clock: Clock, year: int, count: int) -> list[Plan]:
    plans = []
    for _ in range(count):
        cat = _weighted(rng, {"labour": 5, "unknown": 3, "sexual": 1, "begging": 1})
        child = rng.random() < 0.3
        sex = "female" if (cat == "sexual" or rng.random() < 0.4) else "male"
        plan = Plan(
            kind="not_identified", year=year, category=cat, forms=_forms_for(rng, cat), child=child, sex=sex
        )
        if rng.random() < 0.35:
            plan.citizenship = _foreign_origin(rng, sex=sex, child=child)
        plan.age = pick_age(rng, child=child, category=cat)
        _route(rng, plan)
        plan.opened = clock.at(clock.day_in(year, margin_days=40))
        plan.decided = clock.after(plan.opened, lo_hours=72, hi_hours=30 * 24)
        plans.append(plan)
    return plans


def plan_pending(rng: random.Random, clock: Clock, year: int) -> list[Plan]:
    # status -> how long ago the report came in (hours)
    ages = {"reported": (2, 60), "screening": (48, 240), "referred": (72, 480), "presumed_victim": (120, 960)}
    plans = []
    for status, count in data.PENDING.items():
        for _ in range(count):
            cat = _weighted(rng, {"sexual": 4, "labour": 3, "begging": 1, "criminality": 1, "multiple": 1})
            child = rng.random() < 0.35
            sex = "female" if cat in ("sexual", "multiple") or rng.random() < 0.3 else "male"
            plan = Plan(
                kind="pending",
                year=year,
                category=cat,
                forms=_forms_for(rng, cat),
                child=child,
                sex=sex,
                final=status,
            )
            plan.age = pick_age(rng, child=child, category=cat)
            lo, hi = ages[status]
            plan.opened = clock.now - dt.timedelta(minutes=rng.randint(lo * 60, hi * 60))
            plans.append(plan)
    for plan in rng.sample(plans, data.PENDING_FOREIGN):
        plan.citizenship = _foreign_origin(rng, sex=plan.sex, child=plan.child)
    for plan in plans:
        _route(rng, plan)
    return plans


def plan_group(rng: random.Random, clock: Clock) -> list[Plan]:
    g = data.GROUP_CASE
    day = dt.date(g["year"], g["month"], g["day"])
    start = dt.datetime.combine(day, dt.time(10, 30), tzinfo=local_tz())
    plans = []
    for i in range(g["size"]):
        sex = "female" if i < g["women"] else "male"
        plan = Plan(
            kind="group",
            year=g["year"],
            category="labour",
            forms=["labour", "forced_labour"],
            child=False,
            sex=sex,
            citizenship=g["citizenship"],
            age=rng.randint(22, 46),
            municipality=g["municipality"],
            region="zr",
            source="other_government",
            reporter="inspector",
            final=S.REFERRED,
            group=-1,
        )
        plan.opened = start + dt.timedelta(minutes=4 * i)
        plans.append(plan)
    return plans


def form_groups(rng: random.Random, plans: list[Plan], next_group: Callable[[], int]) -> None:
    """Some victims share an incident: women found together in one raid, children begging together."""
    for year in sorted({p.year for p in plans}):
        for wanted, size in (("sexual", 3), ("begging", 2)):
            pool = [
                p
                for p in plans
                if p.year == year
                and p.kind == "identified"
                and p.category == wanted
                and p.country == "RS"
                and p.citizenship == "RS"
                and p.group is None
                and (p.child if wanted == "begging" else not p.child)
            ]
            if len(pool) < size:
                continue
            members = rng.sample(pool, size)
            leader, gid = members[0], next_group()
            for i, member in enumerate(members):
                member.group = gid
                for attr in ("forms", "municipality", "region", "country", "source", "reporter"):
                    setattr(member, attr, getattr(leader, attr))
                member.opened = leader.opened + dt.timedelta(minutes=20 * i)
                member.decided = leader.decided + dt.timedelta(minutes=30 * i)


def _final_identified(rng: random.Random, clock: Clock, plan: Plan) -> None:
    """Identified victims go on to assistance and, for older years, closure."""
    assert plan.decided is not None
    plan.events.append((plan.decided, "status", {"status": S.IDENTIFIED, "by": "head"}))
    plan.final = S.IDENTIFIED
    if plan.citizenship != "RS" and rng.random() < 0.4:
        # Voluntary return with IOM: identified, then closed without long-term assistance here.
        closed = clock.after(plan.decided, lo_hours=10 * 24, hi_hours=60 * 24)
        if clock.past(closed):
            plan.events.append((closed, "status", {"status": S.CLOSED}))
            plan.final = S.CLOSED
        return
    assisted = clock.after(plan.decided, lo_hours=48, hi_hours=20 * 24)
    if not clock.past(assisted):
        return
    plan.events.append((assisted, "status", {"status": S.ASSISTED}))
    plan.final = S.ASSISTED
    close_share = {2024: 0.55, 2025: 0.25}.get(plan.year, 0.85 if plan.year < 2024 else 0.0)
    closed = clock.after(assisted, lo_hours=120 * 24, hi_hours=600 * 24)
    if rng.random() < close_share and clock.past(closed):
        plan.events.append((closed, "status", {"status": S.CLOSED}))
        plan.final = S.CLOSED


def schedule(rng: random.Random, clock: Clock, plan: Plan) -> None:
    """Turn a plan into dated events: status changes, involvements, notes, the review task."""
    assert plan.opened is not None
    t0 = plan.opened
    first_look = clock.after(t0, lo_hours=1, hi_hours=20)
    ev = plan.events
    if plan.kind == "group":
        ev.append((first_look, "review_done", {}))
        ev.append((first_look, "status", {"status": S.REFERRED}))
        return
    if plan.kind == "pending":
        if plan.final == S.REPORTED:
            return  # the review task is still open
        ev.append((first_look, "review_done", {}))
        if plan.final == S.SCREENING:
            ev.append((first_look, "status", {"status": S.SCREENING}))
        else:
            ev.append((first_look, "status", {"status": S.REFERRED}))
            if plan.final == S.PRESUMED_VICTIM:
                ev.append(
                    (
                        clock.after(first_look, lo_hours=24, hi_hours=96),
                        "status",
                        {"status": S.PRESUMED_VICTIM},
                    )
                )
        _involve(rng, clock, plan, first_look, until=clock.horizon)
        return
    assert plan.decided is not None
    ev.append((first_look, "review_done", {}))
    ev.append((first_look, "status", {"status": S.REFERRED}))
    if plan.kind == "not_identified":
        if rng.random() < 0.3:
            ev.append(
                (clock.after(first_look, lo_hours=2, hi_hours=48), "status", {"status": S.PRESUMED_VICTIM})
            )
        ev.append((plan.decided, "status", {"status": S.NOT_IDENTIFIED, "by": "head"}))
        plan.final = S.NOT_IDENTIFIED
        closed = clock.after(plan.decided, lo_hours=10 * 24, hi_hours=60 * 24)
        if rng.random() < 0.8 and clock.past(closed):
            ev.append((closed, "status", {"status": S.CLOSED}))
            plan.final = S.CLOSED
        if plan.child:
            ev.append((first_look, "involve", {"org": data.REGION_CSW[plan.region], "role": "guardian"}))
        return
    if rng.random() < 0.85 and plan.decided - first_look > dt.timedelta(hours=6):
        presumed = first_look + (plan.decided - first_look) * rng.uniform(0.1, 0.6)
        ev.append((presumed, "status", {"status": S.PRESUMED_VICTIM}))
    _final_identified(rng, clock, plan)
    until = plan.events[-1][0] if plan.final == S.CLOSED else clock.horizon
    _involve(rng, clock, plan, first_look, until=until)
    if rng.random() < 0.4:
        _notes(rng, plan, first_look, min(until, plan.decided + dt.timedelta(days=120), clock.horizon))


def _involve(rng: random.Random, clock: Clock, plan: Plan, start: dt.datetime, *, until: dt.datetime) -> None:
    ev = plan.events
    span = max((until - start).total_seconds() / 3600, 2)

    def when(lo: float, hi: float) -> dt.datetime:
        return clock.after(start, lo_hours=min(lo, span), hi_hours=min(hi, span))

    police_share = {"sexual": 0.85, "criminality": 0.9, "multiple": 0.85, "begging": 0.7, "labour": 0.5}.get(
        plan.category, 0.4
    )
    transnational = plan.country != "RS" or plan.citizenship != "RS"
    if rng.random() < police_share:
        ev.append(
            (when(1, 48), "involve", {"org": data.REGION_POLICE[plan.region], "role": "investigating_police"})
        )
        if plan.kind == "identified" and rng.random() < 0.6:
            prosecution = (
                "prosecution-oc"
                if transnational or plan.group is not None
                else data.REGION_PROSECUTION[plan.region]
            )
            ev.append((when(24, 30 * 24), "involve", {"org": prosecution, "role": "prosecutor"}))
            if plan.year <= 2024 and rng.random() < 0.4:
                ev.append((when(60 * 24, 300 * 24), "involve", {"org": "court-bg", "role": "court"}))
    if plan.child:
        ev.append((when(1, 24), "involve", {"org": data.REGION_CSW[plan.region], "role": "guardian"}))
    ngo = "astra" if rng.random() < 0.35 else ("atina" if rng.random() < 0.4 else None)
    if ngo and plan.reporter not in ("ngo", "ngo2"):
        ev.append((when(24, 14 * 24), "involve", {"org": ngo, "role": "service_provider"}))
    # The Centre's shelter takes adult women; it was closed for lack of a licence in 2022-2023.
    if plan.sex == "female" and not plan.child and plan.year not in (2022, 2023) and rng.random() < 0.35:
        entered = when(2, 72)
        ev.append((entered, "involve", {"org": "centre-shelter", "role": "shelter"}))
        left = clock.after(entered, lo_hours=20 * 24, hi_hours=90 * 24)
        if left < until and clock.past(left):
            ev.append((left, "end_shelter", {}))
    if rng.random() < 0.15:
        ev.append((when(2, 10 * 24), "involve", {"org": "health-ns", "role": "health"}))
    if transnational and rng.random() < 0.6:
        ev.append((when(24, 20 * 24), "involve", {"org": "iom", "role": "service_provider"}))
    if plan.country == "AT":
        ev.append((when(1, 24), "involve", {"org": "embassy-at", "role": "foreign_authority"}))


def _notes(rng: random.Random, plan: Plan, start: dt.datetime, end: dt.datetime) -> None:
    for sensitivity in rng.sample(list(data.NOTES), rng.randint(1, 3)):
        moment = start + (end - start) * rng.uniform(0.2, 0.95)
        plan.events.append(
            (moment, "note", {"sensitivity": sensitivity, "text": rng.choice(data.NOTES[sensitivity])})
        )
