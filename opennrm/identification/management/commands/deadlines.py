"""``opennrm deadlines``: the work a timer runs, and the per-country deadline table.

    opennrm deadlines run            escalate overdue referrals, alert on reflection periods and guardians,
                                     and send the notices other apps register (residence permit renewals)
    opennrm deadlines list           the rules in force, with their legal basis
    opennrm deadlines set CODE N     change a rule's length for this country (refused below its minimum)

Run ``opennrm deadlines run`` every few minutes (a systemd timer or cron). The pages compute "overdue"
live; this only sends the notices, once each.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from opennrm.audit.services import audit_record
from opennrm.core import deadlines
from opennrm.core.models import DeadlineRule


class Command(BaseCommand):
    help = "Send deadline notices (run) or show and change the deadline rules (list, set)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("run", help="escalate overdue referrals; reflection-period and guardian alerts")
        sub.add_parser("list", help="the deadline rules of this country")
        setter = sub.add_parser("set", help="change the length of a rule")
        setter.add_argument("code")
        setter.add_argument("amount", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "run":
            from opennrm.identification import services

            escalated = services.referrals_escalate()
            reflection = services.reflection_alerts()
            guardians = services.guardian_alerts()
            # Notices of the apps above identification (residence renewals …), registered by them.
            others = "".join(f"; {label}: {job()}" for label, job in sorted(deadlines.NOTICE_JOBS.items()))
            self.stdout.write(
                f"referrals escalated: {escalated}; reflection alerts: {reflection}; guardian alerts: {guardians}"
                + others
            )
        elif action == "list":
            codes = sorted(set(deadlines.DEFAULTS) | set(DeadlineRule.objects.values_list("code", flat=True)))
            for code in codes:
                r = deadlines.rule(code)
                floor = f" (minimum {r.minimum})" if r.minimum else ""
                self.stdout.write(f"{code}: {r.amount} {r.unit}{floor} — {r.legal_basis}")
        else:
            self._set(options["code"], options["amount"])

    @transaction.atomic
    def _set(self, code: str, amount: int) -> None:
        country = settings.COUNTRY_CODE
        current = deadlines.rule(code, country)
        if amount < 1 or (current.minimum and amount < current.minimum):
            raise CommandError(f"{code} cannot be shorter than {current.minimum or 1} {current.unit}")
        row, _ = DeadlineRule.objects.get_or_create(
            country=country,
            code=code,
            defaults={
                "amount": amount,
                "unit": current.unit,
                "minimum": current.minimum,
                "legal_basis": current.legal_basis,
                "note": current.note,
            },
        )
        old = row.amount
        row.amount = amount
        row.save(update_fields=["amount", "updated_at"])
        audit_record(
            actor=None,
            actor_username="operator",
            action="update",
            object_type="deadline_rule",
            object_id=f"{country}:{code}",
            detail={"old": old, "new": amount},
        )
        self.stdout.write(f"{code}: {amount} {row.unit}")
