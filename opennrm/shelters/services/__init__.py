"""Writes for facilities and placements (keyword-only, one transaction, policy, audit, timeline)."""

from opennrm.shelters.services._common import (
    MAX_ACCOMPANYING,
    MAX_BEDS,
    MAX_OVERRIDE_REASON,
    MIN_OVERRIDE_REASON,
    TIMELINE_KINDS,
)
from opennrm.shelters.services.facilities import FACILITY_FIELDS, facility_create, facility_update
from opennrm.shelters.services.placements import (
    facility_for_placement,
    placement_check,
    placement_exit,
    placement_move,
    placement_place,
    placement_wait,
    placement_withdraw,
)

__all__ = [
    "FACILITY_FIELDS",
    "MAX_ACCOMPANYING",
    "MAX_BEDS",
    "MAX_OVERRIDE_REASON",
    "MIN_OVERRIDE_REASON",
    "TIMELINE_KINDS",
    "facility_create",
    "facility_for_placement",
    "facility_update",
    "placement_check",
    "placement_exit",
    "placement_move",
    "placement_place",
    "placement_wait",
    "placement_withdraw",
]
