"""Writes of the identification workflow: screening, referral, the procedure and its decisions, child and
foreign-national safeguards.

Every function: keyword-only, one transaction, policy checked first, then input, audit and timeline
written, notifications sent after commit.
"""

from opennrm.identification.services.procedure import (
    DEFAULT_LEGAL_BASIS,
    MIN_REASONS,
    current_decision,
    decision_issue,
    procedure_record_add,
    procedure_start,
)
from opennrm.identification.services.referrals import (
    CHILD_IDENTIFIERS,
    FIRST_LINE_PURPOSES,
    RECEIVERS,
    ROLE_FOR_PURPOSE,
    SUPERVISOR_ROLES,
    purposes_for,
    receives,
    referral_create,
    referral_respond,
    referral_withdraw,
    referrals_escalate,
)
from opennrm.identification.services.safeguards import (
    age_assessment_record,
    guardian_alerts,
    guardian_appoint,
    reflection_alerts,
    reflection_period_start,
)
from opennrm.identification.services.screening import screening_record
from opennrm.people.models import is_foreign_national

__all__ = [
    "CHILD_IDENTIFIERS",
    "DEFAULT_LEGAL_BASIS",
    "FIRST_LINE_PURPOSES",
    "MIN_REASONS",
    "RECEIVERS",
    "ROLE_FOR_PURPOSE",
    "SUPERVISOR_ROLES",
    "age_assessment_record",
    "current_decision",
    "decision_issue",
    "guardian_alerts",
    "guardian_appoint",
    "is_foreign_national",
    "receives",
    "procedure_record_add",
    "procedure_start",
    "purposes_for",
    "reflection_alerts",
    "reflection_period_start",
    "referral_create",
    "referral_respond",
    "referral_withdraw",
    "referrals_escalate",
    "screening_record",
]
