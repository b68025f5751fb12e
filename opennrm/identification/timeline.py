"""Sentences for the identification workflow's timeline events (translated when shown)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from opennrm.cases.models import TimelineEvent
from opennrm.identification.models import (
    AgeOutcome,
    DecisionKind,
    DecisionOutcome,
    ProcedureRecordKind,
    Recommendation,
    ReferralPurpose,
)
from opennrm.lib.scripts import in_active_script as script


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _date(value: str) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return value or ""


def _purpose(p: dict[str, Any]) -> str:
    return _label(ReferralPurpose, p.get("purpose", ""))


def describe(event: TimelineEvent) -> str:
    p = dict(event.params or {})
    org = script(p.get("org", ""))
    k = event.kind
    if k == "screening_recorded":
        return _("Screening with indicator set %(set)s (version %(version)s): %(recommendation)s.") % {
            "set": p.get("set", ""),
            "version": p.get("version", ""),
            "recommendation": _label(Recommendation, p.get("recommendation", "")),
        }
    if k == "referral_made":
        return _("Referred to %(org)s for %(purpose)s.") % {"org": org, "purpose": _purpose(p)}
    if k == "referral_accepted":
        return _("%(org)s accepted the referral for %(purpose)s.") % {"org": org, "purpose": _purpose(p)}
    if k == "referral_declined":
        return _("%(org)s declined the referral for %(purpose)s.") % {"org": org, "purpose": _purpose(p)}
    if k == "referral_withdrawn":
        return _("The referral to %(org)s for %(purpose)s was withdrawn.") % {
            "org": org,
            "purpose": _purpose(p),
        }
    if k == "referral_overdue":
        return _("%(org)s has not answered the referral for %(purpose)s in time; escalated.") % {
            "org": org,
            "purpose": _purpose(p),
        }
    if k == "procedure_started":
        return _("Identification procedure started: the person is a presumed victim.")
    if k == "procedure_record_added":
        return _("Procedure record added: %(kind)s.") % {
            "kind": _label(ProcedureRecordKind, p.get("kind", ""))
        }
    if k == "decision_issued":
        return _("Identification decision (%(kind)s): %(outcome)s.") % {
            "kind": _label(DecisionKind, p.get("kind", "")),
            "outcome": _label(DecisionOutcome, p.get("outcome", "")),
        }
    if k == "age_assessed":
        return _("Age assessed: %(outcome)s.") % {"outcome": _label(AgeOutcome, p.get("outcome", ""))}
    if k == "guardian_appointed":
        return _("%(org)s appointed a guardian.") % {"org": org}
    if k == "reflection_started":
        return _("Recovery and reflection period from %(from)s to %(to)s.") % {
            "from": _date(p.get("from", "")),
            "to": _date(p.get("to", "")),
        }
    if k == "guardian_overdue":
        return _(
            "No guardian appointed by %(date)s: the centre for social work and the Centre were alerted."
        ) % {"date": _date(p.get("date", ""))}
    return k


KINDS = (
    "guardian_overdue",
    "screening_recorded",
    "referral_made",
    "referral_accepted",
    "referral_declined",
    "referral_withdrawn",
    "referral_overdue",
    "procedure_started",
    "procedure_record_added",
    "decision_issued",
    "age_assessed",
    "guardian_appointed",
    "reflection_started",
)
