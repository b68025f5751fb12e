"""Sentences for the residence and health-coverage timeline events (translated when shown).

The permit events are written with legal sensitivity (they name the ground or a refusal); the
coverage event with medical sensitivity and without its basis."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opennrm.cases.models import TimelineEvent
from opennrm.cases.timeline import choice_label as _label
from opennrm.cases.timeline import short_date as _date
from opennrm.residence.models import PermitDecision, ResidenceGround


def describe(event: TimelineEvent) -> str:
    p = dict(event.params or {})
    k = event.kind
    if k == "permit_applied":
        ground = _label(ResidenceGround, p.get("ground", ""))
        if p.get("renewal"):
            return _("Renewal of the temporary residence permit applied for (%(ground)s).") % {
                "ground": ground
            }
        return _("Temporary residence permit applied for (%(ground)s).") % {"ground": ground}
    if k == "permit_decided":
        if p.get("decision") == PermitDecision.GRANTED:
            return _("Temporary residence permit granted until %(date)s.") % {"date": _date(p.get("until"))}
        return _("Temporary residence permit refused.")
    if k == "permit_renewal_due":
        return _(
            "The temporary residence permit expires on %(date)s: the coordinator was reminded to renew it."
        ) % {"date": _date(p.get("date"))}
    if k == "health_coverage_recorded":
        if p.get("entitled"):
            return _("Entitled to free health care from %(date)s.") % {"date": _date(p.get("from"))}
        return _("Not entitled to free health care from %(date)s.") % {"date": _date(p.get("from"))}
    return k
