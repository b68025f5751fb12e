"""The ``opennrm`` command: Django's management commands with OpenNRM's settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # Operators type `opennrm rotate-data-key`; Django command modules use underscores.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["opennrm", *args])


if __name__ == "__main__":
    main()
