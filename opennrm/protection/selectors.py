"""Reading risk and protection, and the whereabouts gate the policy asks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery, prefetch_related_objects

from opennrm import policy
from opennrm.accounts.roles import Sensitivity
from opennrm.cases import sheet
from opennrm.cases.models import Case, Involvement
from opennrm.people.models import Person
from opennrm.protection.models import (
    FAMILY_RETURN_OUTCOMES,
    RESTRICTED_LEVELS,
    FamilyAssessment,
    MeasureKind,
    NamedStaff,
    ProtectionMeasure,
    RiskAssessment,
)


def newest_first(case: Any) -> QuerySet[RiskAssessment]:
    """The assessments of ``case`` (a Case or an OuterRef to one), the one that counts first: the newest
    by date, then the later recorded. The one rule of "newest" (RiskAssessment.is_current keeps it)."""
    return RiskAssessment.objects.filter(case=case).order_by("-assessed_on", "-id")


def latest_level() -> Subquery:
    """The level of a case's newest assessment, for annotating cases (OuterRef "pk")."""
    return Subquery(newest_first(OuterRef("pk")).values("level")[:1])


def current_assessment(case: Case) -> RiskAssessment | None:
    return newest_first(case).select_related("organisation").prefetch_related("answers").first()


def assessments(case: Case, limit: int = 20) -> list[RiskAssessment]:
    """The newest ``limit`` assessments, newest first; the newest with its answers."""
    rows = sheet.rows(
        case,
        "risk_assessments",
        lambda: RiskAssessment.objects.filter(case=case).select_related("organisation")[:limit],
    )[:limit]
    if rows and getattr(case, "_sheet", None) is not None:
        sheet.attach_children(rows, case._sheet["risk_answers"], fk="assessment_id", cache="answers")
    elif rows:
        prefetch_related_objects(rows[:1], "answers")
    return rows


def restricted_cases(person: Any) -> QuerySet[Case]:
    """The cases of ``person`` (a Person or an OuterRef to one) whose newest assessment is high or
    critical: the rule of the whereabouts gate, and of the column the services keep for it."""
    return (
        Case.objects.filter(person=person).annotate(level=latest_level()).filter(level__in=RESTRICTED_LEVELS)
    )


def whereabouts_gate(user: Any, person: Person) -> bool:
    """Registered with the policy: at high or critical risk in any of the person's cases, only the
    staff named in such a case see where the person is. A person never at such a risk costs no query
    (the services keep ``Person.whereabouts_restricted``); otherwise one query answers both questions,
    from the assessments themselves."""
    if not person.whereabouts_restricted:
        return True

    answer = Person.objects.filter(pk=person.pk).annotate(restricted=Exists(restricted_cases(OuterRef("pk"))))
    named = None
    if user is not None and getattr(user, "is_authenticated", False) and user.organisation_id:
        # Named, and still with an organisation involved in that case (a user who moved on, or whose
        # organisation's involvement ended, no longer knows).
        involved = Involvement.objects.active().filter(
            case=OuterRef("case"), organisation_id=user.organisation_id
        )
        named = NamedStaff.objects.filter(
            case__in=restricted_cases(OuterRef(OuterRef("pk"))).values("pk"), user=user, ended_at__isnull=True
        ).filter(Exists(involved))
        answer = answer.annotate(named=Exists(named))
    row = answer.values("restricted", *(["named"] if named is not None else [])).first()
    if row is None or not row["restricted"]:
        return True
    return bool(row.get("named"))


def family_assessment(case: Case) -> FamilyAssessment | None:
    rows = sheet.rows(
        case,
        "family_assessments",
        lambda: FamilyAssessment.objects.filter(case=case).select_related("organisation")[:1],
    )
    return rows[0] if rows else None


def family_return_allowed(case: Case) -> bool:
    """May the person go back to the family? An adult decides for themselves; a child only after the
    newest family assessment found it in the child's best interests (CETS 197 Art. 16(7))."""
    if not case.is_child:
        return True
    latest = family_assessment(case)
    return latest is not None and latest.outcome in FAMILY_RETURN_OUTCOMES


def named_staff(case: Case) -> list[NamedStaff]:
    return sheet.rows(
        case,
        "named_staff",
        lambda: NamedStaff.objects.filter(case=case, ended_at__isnull=True).select_related(
            "user", "user__organisation"
        ),
    )


def measures_visible(user: Any, case: Case) -> list[ProtectionMeasure]:
    """Measures for readers of security content; the witness programme only for those who also read
    legal content (the police and the Centre), and then only the fact, the date and the authority."""
    if not policy.reads(user, Sensitivity.SECURITY):
        return []
    rows = sheet.rows(
        case,
        "protection_measures",
        lambda: ProtectionMeasure.objects.filter(case=case).select_related("responsible"),
    )
    if not policy.reads(user, Sensitivity.LEGAL):
        rows = [m for m in rows if m.kind != MeasureKind.WITNESS_PROTECTION]
    return rows


def reassessments_due(user: Any, *, on: dt.date, limit: int = 20) -> QuerySet:
    """Cases the user sees whose newest risk assessment is due again (for the home page); only for
    readers of security content, since the list names the level."""
    if not policy.reads(user, Sensitivity.SECURITY):
        return RiskAssessment.objects.none()
    # The current rows through their partial index (risk_current_due_idx), in due order: no search for
    # the newest assessment of every case. Closed cases are not reassessed.
    rows = (
        RiskAssessment.objects.filter(is_current=True, reassess_by__lt=on)
        .exclude(case__status="closed")
        .select_related("case")
        .only("level", "reassess_by", "case__code")  # what the home page shows
    )
    return policy.within_visible_cases(user, rows).order_by("reassess_by", "id")[:limit]
