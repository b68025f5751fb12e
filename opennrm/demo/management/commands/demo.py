"""``opennrm demo``: load synthetic demo data and demo logins (demo mode only)."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from opennrm.accounts.models import Organisation
from opennrm.cases.models import Case
from opennrm.demo import data, services, story


class Command(BaseCommand):
    help = (
        "Load synthetic demo data: the organisations of the Serbian NRM, one demo login per role and about "
        "440 invented persons from 2019 to today. Works only with OPENNRM_MODE=demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if organisations already exist"
        )
        parser.add_argument(
            "--print-logins", action="store_true", help="print the demo logins as a table (creates nothing)"
        )
        parser.add_argument(
            "--users-json", action="store_true", help="print the demo logins as JSON only (creates nothing)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")

    def handle(self, *args, **options) -> None:
        if options["users_json"]:
            logins = [
                {k: row[k] for k in ("username", "password", "role", "organisation")}
                for row in services.logins_present()
            ]
            self.stdout.write(json.dumps(logins, ensure_ascii=False, indent=2))
            return
        if options["print_logins"]:
            self._print_logins()
            return
        if not services.demo_allowed():
            raise CommandError(
                "Refusing to create demo data: demo logins exist only in demo mode. "
                "Run it as OPENNRM_MODE=demo opennrm demo."
            )
        if options["if_empty"] and Organisation.objects.exists():
            self.stdout.write("Organisations already exist; demo data not loaded (--if-empty).")
            return
        if Case.objects.exists():
            raise CommandError("This database already holds cases; the demo loads into an empty database.")
        started = time.monotonic()
        orgs = services.organisations_ensure()
        users = services.logins_ensure(organisations=orgs)
        self.stdout.write(f"{len(orgs)} organisations and {len(users)} demo logins ready; loading persons …")
        result = story.load(users=users, orgs=orgs, seed=options["seed"], progress=self.stdout.write)
        per_year = ", ".join(f"{y}: {n}" for y, n in sorted(result.identified.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.1f} s: {result.persons} persons; "
                f"identified victims per year {per_year}."
            )
        )

    def _print_logins(self) -> None:
        rows = services.logins_present()
        if not rows:
            self.stdout.write(
                "No demo logins in this database. Load them with: OPENNRM_MODE=demo opennrm demo"
            )
            return
        if not services.demo_allowed():
            self.stderr.write(
                "Note: demo logins are refused unless the instance runs with OPENNRM_MODE=demo."
            )
        headers = ("username", "password", "role", "organisation")
        table = [(r["username"], r["password"], r["role_label"], r["organisation"]) for r in rows]
        widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write("")
        self.stdout.write(f"OpenNRM demo — open {data.DEMO_URL} and log in as one of:")
        self.stdout.write("")
        self.stdout.write(line.format(*headers).rstrip())
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in table:
            self.stdout.write(line.format(*row).rstrip())
        self.stdout.write("")
        self.stdout.write("All persons and cases are synthetic. Demo logins work only in demo mode.")
