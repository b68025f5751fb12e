"""Sentences for the shelter timeline events (translated when shown).

They never name the facility: the timeline is read by everyone in the case, and where the person
sleeps is shown only through selectors.placement_whereabouts.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from opennrm.cases.models import TimelineEvent
from opennrm.shelters.models import ExitDestination


def _destination(value: str) -> str:
    try:
        return str(ExitDestination(value).label)
    except ValueError:
        return value


def describe(event: TimelineEvent) -> str:
    p = dict(event.params or {})
    k = event.kind
    if k == "placement_waiting":
        return _("Put on the waiting list of a facility.")
    if k == "placement_wait_withdrawn":
        return _("Taken off the waiting list of a facility.")
    if k == "placement_made":
        if p.get("override"):
            return _("Placed in a facility by an override of the Centre head, with written reasons.")
        return _("Placed in a facility.")
    if k == "placement_moved":
        if p.get("override"):
            return _("Moved to another facility by an override of the Centre head, with written reasons.")
        return _("Moved to another facility.")
    if k == "placement_ended":
        return _("Left the facility; destination: %(destination)s.") % {
            "destination": _destination(p.get("destination", ""))
        }
    if k == "placement_bed_free":
        return _("A bed became free in a facility where the person is first on the waiting list.")
    return k
