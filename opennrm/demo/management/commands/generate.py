"""``opennrm generate --persons N``: synthetic data at scale, for benchmarks."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opennrm.demo import generator, services


class Command(BaseCommand):
    help = (
        "Generate N synthetic persons with their cases, incidents, encrypted identities, lookups, involvements "
        "and timelines, in bulk (for benchmarks). Creates the demo organisations if missing; demo logins only "
        "in demo mode. Never run it against a production database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--persons", type=int, required=True, help="how many persons to add")
        parser.add_argument("--seed", type=int, default=1, help="random seed")
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="rows per transaction (default 5000)"
        )

    def handle(self, *args, **options) -> None:
        persons = options["persons"]
        if not 1 <= persons <= 5_000_000:
            raise CommandError("--persons must be between 1 and 5,000,000.")
        if settings.PRODUCTION:
            raise CommandError("Refusing to generate synthetic data on an instance in production mode.")
        orgs = services.organisations_ensure()
        if settings.DEMO_MODE:
            services.logins_ensure(organisations=orgs)
        self.stdout.write(f"Generating {persons:,} persons …")
        result = generator.generate(
            persons=persons,
            seed=options["seed"],
            batch_size=max(100, options["batch_size"]),
            progress=self.stdout.write,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.persons:,} persons, {result.cases:,} cases and {result.incidents:,} incidents "
                f"in {result.seconds:.1f} s."
            )
        )
