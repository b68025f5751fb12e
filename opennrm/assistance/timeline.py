"""Sentences for the assistance timeline events (translated when shown)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opennrm.assistance.models import (
    ClosureReason,
    CooperationStance,
    FollowUpOutcome,
    ServiceStatus,
    ServiceType,
)
from opennrm.cases.models import TimelineEvent
from opennrm.cases.timeline import choice_label as _label
from opennrm.cases.timeline import short_date as _date
from opennrm.lib.scripts import in_active_script as script


def describe(event: TimelineEvent) -> str:
    p = dict(event.params or {})
    org = script(p.get("org", ""))
    service = _label(ServiceType, p.get("service", ""))
    k = event.kind
    if k == "needs_assessed":
        return _("Needs assessed (%(count)s needs).") % {"count": p.get("count", "")}
    if k == "plan_opened":
        return _("Assistance plan opened.")
    if k == "plan_approved":
        return _("The guardian approved the assistance plan (version %(version)s).") % {
            "version": p.get("version", "")
        }
    if k == "service_requested":
        return _("Service requested from %(org)s: %(service)s.") % {"org": org, "service": service}
    if k == "service_status":
        return _("%(service)s (%(org)s): %(status)s.") % {
            "service": service,
            "org": org,
            "status": _label(ServiceStatus, p.get("status", "")),
        }
    if k == "service_consent_withdrawn":
        return _("The person withdrew consent to share the case file with %(org)s (%(service)s).") % {
            "org": org,
            "service": service,
        }
    if k == "cooperation_recorded":
        return _("Stance towards the authorities recorded: %(stance)s.") % {
            "stance": _label(CooperationStance, p.get("stance", ""))
        }
    if k == "reintegration_started":
        return _("Reintegration follow-up by %(org)s: %(count)s contacts until %(until)s.") % {
            "org": org,
            "count": p.get("count", ""),
            "until": _date(p.get("until", "")),
        }
    if k == "follow_up_done":
        return _("Follow-up contact: %(outcome)s.") % {
            "outcome": _label(FollowUpOutcome, p.get("outcome", ""))
        }
    if k == "closure_requested":
        return _("Closure requested: %(reason)s.") % {"reason": _label(ClosureReason, p.get("reason", ""))}
    if k == "closure_approved":
        return _("Closure approved: the case is closed.")
    if k == "closure_rejected":
        return _("Closure not approved.")
    if k == "case_reopened":
        return _("The case was reopened.")
    return k
