"""Registering a whole group in one transaction; screening and referring it in the same step is the
identification layer's, handed over through ``HANDOVER`` (registered in its AppConfig.ready())."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.cases import services as case_services
from opennrm.intake.group.columns import GroupResult
from opennrm.intake.group.rows import clean_rows
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied

# ---- the handover to identification -----------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """What the layer above does with a group just registered, in the same transaction: ``prepare``
    checks its part of the request before anything is written (and returns what ``apply`` needs);
    ``apply`` screens and refers the new cases, filling ``result``."""

    prepare: Callable[..., Any]
    apply: Callable[..., None]


HANDOVER: Handover | None = None


def register_handover(handover: Handover) -> None:
    global HANDOVER
    HANDOVER = handover


# ---- registration ---------------------------------------------------------------------------------


@transaction.atomic
def group_register(
    *,
    user: Any,
    incident_code: str | None,
    incident_data: dict[str, Any] | None,
    rows: list[dict[str, Any]],
    referral_source: str,
    shared_screening: dict[str, Any] | None = None,
    refer_to: Organisation | None = None,
    summary: str = "",
) -> GroupResult:
    """Register a group found together: one incident, one case per person, optionally one screening with
    the indicators shared by the group (evaluated once, stored in each case) and one referral per case
    sent together (a shared batch code, one notification).

    Everything is checked before anything is written; any error leaves nothing behind.
    """
    if not policy.has_perm(user, Perm.CASE_CREATE) or not user.organisation_id:
        raise PermissionDenied()
    persons = clean_rows(rows)
    handover = None
    if shared_screening or refer_to is not None:
        if HANDOVER is None:
            raise DomainError(_("Screening and referral are not available."), field="shared_screening")
        # Checked before anything is written, like the rows.
        handover = HANDOVER.prepare(user=user, shared_screening=shared_screening, refer_to=refer_to)
    if incident_code:
        try:
            incident = case_services.incident_for_user(user=user, code=incident_code.strip())
        except NotFound:
            raise DomainError(
                _("No incident with this code is known to your organisation."), field="incident_code"
            ) from None
    elif incident_data:
        incident = case_services.incident_create(user=user, data=incident_data)
    else:
        raise DomainError(_("Describe the incident, or give an existing incident code."), field="incident")
    cases = case_services.intake_register_group(
        user=user, incident=incident, persons=persons, referral_source=referral_source, summary=summary
    )
    result = GroupResult(incident=incident, cases=cases, children=sum(1 for c in cases if c.is_child))
    if handover is not None:
        assert HANDOVER is not None  # it prepared ``handover`` above
        HANDOVER.apply(user=user, cases=cases, prepared=handover, result=result)
    return result
