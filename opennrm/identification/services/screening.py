"""Screening a case with a versioned indicator set."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.audit.services import audit_record
from opennrm.cases.models import Case, CaseStatus
from opennrm.cases.services import case_status_set, timeline_add
from opennrm.identification import indicators
from opennrm.identification.models import Screening, ScreeningAnswer, ScreeningSetting
from opennrm.lib import clock
from opennrm.lib.clean import clean_choice, clean_past_date
from opennrm.lib.errors import DomainError

# --- Screening ---------------------------------------------------------------------------------


@transaction.atomic
def screening_record(
    *,
    user: Any,
    case: Case,
    indicator_set: str,
    version: str,
    answers: dict[str, str],
    setting: str,
    screened_on: Any = None,
    interpreter_used: bool = False,
) -> Screening:
    """Record a screening and its evaluation. The result is a suggestion; the Centre decides."""
    policy.require(user, policy.SCREENING_RECORD, case)
    try:
        iset = indicators.get_set(str(indicator_set), str(version))
    except indicators.UnknownIndicatorSet:
        raise DomainError(
            _("There is no indicator set %(code)s in version %(version)s.")
            % {"code": indicator_set, "version": version},
            field="indicator_set",
        ) from None
    clean_choice(setting, ScreeningSetting, "setting")
    if not isinstance(answers, dict) or not answers:
        raise DomainError(_("Answer at least one indicator."), field="answers")
    try:
        evaluation = indicators.evaluate(iset, answers, is_child=case.is_child)
    except ValueError as exc:
        raise DomainError(str(exc), field="answers") from None
    screening = Screening.objects.create(
        case=case,
        indicator_set=iset.code,
        indicator_version=iset.version,
        setting=setting,
        screened_on=clean_past_date(screened_on, "screened_on", default=clock.today()),
        interpreter_used=bool(interpreter_used),
        organisation_id=user.organisation_id,
        as_child=case.is_child,
        recommendation=evaluation.recommendation,
        result=evaluation.as_dict(),
        created_by=user,
        updated_by=user,
    )
    ScreeningAnswer.objects.bulk_create(
        [ScreeningAnswer(screening=screening, indicator=k, answer=v) for k, v in sorted(answers.items())]
    )
    if case.status == CaseStatus.REPORTED:
        case_status_set(user=user, case=case, status=CaseStatus.SCREENING)
    timeline_add(
        case=case,
        user=user,
        kind="screening_recorded",
        params={"set": iset.code, "version": iset.version, "recommendation": evaluation.recommendation},
    )
    audit_record(
        actor=user,
        action="create",
        object_type="screening",
        object_id=screening.pk,
        case_code=case.code,
        detail={"set": iset.code, "version": iset.version, "recommendation": evaluation.recommendation},
    )
    return screening
