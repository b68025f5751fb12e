"""Re-encrypt every encrypted value under a new data key, in batches, with progress."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from opennrm.core.rotation import rotate_data_key


class Command(BaseCommand):
    help = "Create a new data key and re-encrypt identities, notes and documents with it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options) -> None:
        def progress(label: str, done: int, total: int) -> None:
            self.stdout.write(f"{label}: {done}/{total}")

        key, counts = rotate_data_key(batch_size=options["batch_size"], progress=progress)
        self.stdout.write(f"data key {key.pk} active; re-encrypted {counts}")
