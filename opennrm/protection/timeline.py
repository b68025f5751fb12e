"""Sentences for the security timeline events (shown to readers of security content)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opennrm.cases.models import TimelineEvent
from opennrm.cases.timeline import choice_label as _label
from opennrm.lib.scripts import in_active_script as script
from opennrm.protection.models import FamilyOutcome, MeasureKind, RiskLevel


def describe(event: TimelineEvent) -> str:
    p = dict(event.params or {})
    k = event.kind
    if k == "risk_assessed":
        return _("Risk assessed: %(level)s.") % {"level": _label(RiskLevel, p.get("level", ""))}
    if k in ("measure_added", "measure_ended") and not p.get("measure"):
        return (
            _("A protection measure was recorded.")
            if k == "measure_added"
            else _("A protection measure ended.")
        )
    if k == "measure_added":
        return _("Protection measure: %(measure)s (%(org)s).") % {
            "measure": _label(MeasureKind, p.get("measure", "")),
            "org": script(p.get("org", "")),
        }
    if k == "measure_ended":
        return _("Protection measure ended: %(measure)s.") % {
            "measure": _label(MeasureKind, p.get("measure", ""))
        }
    if k == "staff_named":
        return _("A member of staff of %(org)s was named to know where the person is.") % {
            "org": script(p.get("org", ""))
        }
    if k == "family_assessed":
        return _("Family assessment: %(outcome)s.") % {"outcome": _label(FamilyOutcome, p.get("outcome", ""))}
    if k == "staff_unnamed":
        return _("A member of staff is no longer named to know where the person is.")
    return k
