"""The columns of a group list, and what a group registration returns or refuses."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import ngettext

from opennrm.cases import services as case_services
from opennrm.cases.models import Case, Incident
from opennrm.lib.errors import DomainError
from opennrm.lib.scripts import fold, has_cyrillic

MAX_ROWS = case_services.MAX_GROUP
MAX_ERRORS = 100
MAX_FILE_BYTES = 5 * 1024 * 1024
# Rows of VALUES per INSERT of screenings (PostgreSQL takes at most 65,535 parameters per statement).
SCREENING_BATCH = 1000
ROW_KEY = "_row"  # the row number the user sees (spreadsheet row, table row or list position)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    aliases: tuple[str, ...]


# The columns of the CSV file and of the table form, in the order of the template. Header names are
# matched case-insensitively, in Latin or Cyrillic, with or without diacritics, spaces or underscores.
GROUP_COLUMNS: tuple[Column, ...] = (
    Column("given_names", True, ("given_name", "first_name", "first_names", "ime", "imena")),
    Column("family_names", True, ("family_name", "last_name", "surname", "prezime", "prezimena")),
    Column("sex", True, ("pol",)),
    Column("birth_date", False, ("date_of_birth", "dob", "datum_rodjenja", "datum_rodenja")),
    Column("birth_year", False, ("year_of_birth", "godina_rodjenja", "godina_rodenja")),
    Column("age_min", False, ("age_from", "godine_od")),
    Column("age_max", False, ("age_to", "godine_do")),
    Column("citizenship", False, ("nationality", "drzavljanstvo")),
    Column("languages", False, ("language", "jezici", "jezik")),
    Column("interpreter_needed", False, ("interpreter", "prevodilac", "tumac")),
    Column("document_number", False, ("document", "passport", "broj_dokumenta")),
    Column("phone", False, ("telephone", "telefon")),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in GROUP_COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in GROUP_COLUMNS if c.required)

# Values of ``sex`` after folding (Cyrillic to Latin, lower case, no diacritics): ж, ž and z are one.
SEX_VALUES: dict[str, str] = {
    **dict.fromkeys(("female", "f", "z", "zenski", "zensko", "zena"), "female"),
    **dict.fromkeys(("male", "m", "muski", "musko", "muskarac"), "male"),
    **dict.fromkeys(("other", "o", "drugo", "drugi"), "other"),
    **dict.fromkeys(("unknown", "u", "nepoznato", "nepoznat", "nije poznato"), "unknown"),
}
YES = frozenset({"yes", "y", "da", "1", "true", "x"})  # fold("да") == "da"
NO = frozenset({"no", "n", "ne", "0", "false", ""})
DOTTED_DATE = re.compile(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\.?$")
LIST_SPLIT = re.compile(r"[;,]")
LATIN_FOLD = str.maketrans({"đ": "dj", "ć": "c", "č": "c", "š": "s", "ž": "z"})

# Which column a field name of the person and identity cleaners stands for.
FIELD_COLUMN = {
    "age_estimate_min": "age_min",
    "age_estimate_max": "age_max",
    "documents": "document_number",
    "contacts": "phone",
}


def _fold(text: str) -> str:
    """A comparable key like ``scripts.fold``, which transliterates every value: that step costs more
    than all other checks of a row, so only text with Cyrillic letters takes it. Used for keys within
    one upload (duplicates) and for matching fixed words (sex, yes/no), never for stored lookups."""
    if has_cyrillic(text):
        return fold(text)
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(LATIN_FOLD))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9 \-']", " ", plain).split())


def _header_key(name: str) -> str:
    return "_".join(t for t in re.split(r"[\s\-_]+", fold(name)) if t)


HEADER_ALIASES: dict[str, str] = {
    _header_key(alias): column.name for column in GROUP_COLUMNS for alias in (column.name, *column.aliases)
}


class GroupImportError(DomainError):
    """The rows cannot be registered. ``extra["errors"]`` lists every problem (at most MAX_ERRORS) as
    {"row", "column", "message"}; nothing was written."""

    def __init__(self, errors: list[dict[str, Any]], message: str | None = None):
        total = len(errors)
        shown = errors[:MAX_ERRORS]
        if message is None:
            message = ngettext(
                "There is %(n)d problem in the list; nobody was registered.",
                "There are %(n)d problems in the list; nobody was registered.",
                total,
            ) % {"n": total}
        super().__init__(message, extra={"errors": shown, "total": total})
        self.errors = shown


@dataclass
class GroupResult:
    incident: Incident
    cases: list[Case]
    batch: str = ""
    screenings: int = 0
    referrals: int = 0
    children: int = 0
