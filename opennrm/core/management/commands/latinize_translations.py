"""Write the Serbian Latin catalogue (sr_Latn) from the Serbian Cyrillic one.

Serbian Latin is a transliteration of Serbian Cyrillic, so translators maintain one catalogue. Format
placeholders (%(name)s, {{ name }}) are protected from transliteration.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

from opennrm.lib.scripts import to_latin

PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]|%[sd]|\{\{[^}]*\}\}|\{[^}]*\}|<[^>]+>")


def latinize(text: str) -> str:
    parts = []
    last = 0
    for m in PLACEHOLDER.finditer(text):
        parts.append(to_latin(text[last : m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(to_latin(text[last:]))
    return "".join(parts)


class Command(BaseCommand):
    help = "Generate locale/sr_Latn from locale/sr by transliteration."

    def handle(self, *args, **options) -> None:
        base = Path(settings.LOCALE_PATHS[0])
        for src in sorted((base / "sr" / "LC_MESSAGES").glob("*.po")):
            po = polib.pofile(str(src))
            po.metadata["Language"] = "sr_Latn"
            for entry in po:
                if entry.msgstr:
                    entry.msgstr = latinize(entry.msgstr)
                for key, value in list(entry.msgstr_plural.items()):
                    entry.msgstr_plural[key] = latinize(value)
            dest = base / "sr_Latn" / "LC_MESSAGES" / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            po.save(str(dest))
            self.stdout.write(f"wrote {dest}")
