from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from opennrm.audit.verify import verify_chain, write_checkpoint


class Command(BaseCommand):
    help = (
        "Audit log: `verify` the hash chains (exit 1 naming the first broken entry) or write a `checkpoint`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument("--all", action="store_true", help="list every problem, not only the first")
        parser.add_argument(
            "--checkpoint", action="store_true", help="after a clean verify, write a checkpoint"
        )

    def handle(self, *args, **options) -> None:
        result = verify_chain(stop_at_first=not options["all"])
        if options["action"] == "checkpoint" and result.ok:
            # Never checkpoint a state that does not verify: it would vouch for tampering.
            self.stdout.write(f"checkpoint written: {write_checkpoint()}")
            return
        if result.ok:
            self.stdout.write(f"audit log intact: {result.entries} entries in {result.streams} streams")
            if options["checkpoint"]:
                self.stdout.write(f"checkpoint written: {write_checkpoint()}")
            return
        for problem in result.problems:
            self.stderr.write(f"BROKEN: {problem}")
        sys.exit(1)
