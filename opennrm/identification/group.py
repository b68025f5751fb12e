"""Group cases: many persons found together (a workplace raid, a boat) registered, screened and referred
in one step, from a table form, a JSON list or a CSV file.

All or nothing: every row is checked before anything is written, every problem is reported at once
with the row and the column (as a spreadsheet shows them: the header is row 1), and one transaction
writes the persons, cases, the shared screening and the referrals.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, JSONField, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opennrm import policy
from opennrm.accounts.models import Organisation
from opennrm.accounts.roles import Perm
from opennrm.audit.services import audit_record
from opennrm.cases import services as case_services
from opennrm.cases.models import Case, CaseStatus, Incident, Involvement, TimelineEvent
from opennrm.core import deadlines
from opennrm.identification import indicators
from opennrm.identification import services as identification_services
from opennrm.identification.models import (
    Referral,
    ReferralPurpose,
    Screening,
    ScreeningAnswer,
    ScreeningSetting,
)
from opennrm.lib.dates import local_today
from opennrm.lib.errors import DomainError, NotFound, PermissionDenied
from opennrm.lib.scripts import fold, has_cyrillic
from opennrm.notifications.services import notify
from opennrm.people.identity import clean_identity
from opennrm.people.services import clean_attributes

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


# ---- CSV ------------------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """The text of an uploaded CSV file.

    UTF-8 (with or without the byte-order mark Excel writes) is tried first: it is strict, so legacy
    bytes almost never pass for it. Otherwise the file comes from a Windows code page, and both
    Windows-1250 (Serbian Latin: č ć š ž đ) and Windows-1251 (Cyrillic) decode nearly any bytes, so
    the letters decide: read as Windows-1251, Cyrillic text gives whole Cyrillic words, while Latin
    text gives Latin words with a stray Cyrillic letter where č or ž was ("Иedomir"). Most words
    wholly Cyrillic means Windows-1251, otherwise Windows-1250. UTF-16 (Excel's "Unicode text") is
    recognised by its byte-order mark.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    candidates = []
    for encoding in ("cp1251", "cp1250"):
        try:
            candidates.append((encoding, data.decode(encoding)))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise GroupImportError(
            [
                {
                    "row": 1,
                    "column": "",
                    "message": _("The file's character encoding is not recognised. Save it as CSV UTF-8."),
                }
            ]
        )
    texts = dict(candidates)
    if "cp1251" in texts and ("cp1250" not in texts or _mostly_cyrillic_words(texts["cp1251"])):
        return texts["cp1251"]
    return texts["cp1250"]


def _mostly_cyrillic_words(text: str) -> bool:
    whole = mixed = 0
    for word in re.findall(r"[^\W\d_]+", text):
        cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
        if not cyrillic:
            continue
        if cyrillic == len(word):
            whole += 1
        else:
            mixed += 1
    return whole > mixed


def _delimiter(header_line: str) -> str:
    """Excel writes ";" in locales with a decimal comma (Serbian), "," elsewhere; "\\t" for Unicode text.
    The header holds no quoted delimiters, so counting there is reliable (csv.Sniffer guesses from data)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def parse_group_csv(data: bytes) -> list[dict[str, Any]]:
    """Parse and check an uploaded list of persons. Returns one dict per non-empty row, keyed by the
    column names of GROUP_COLUMNS, with the row's spreadsheet number under ``ROW_KEY``.

    Raises GroupImportError listing every problem: unknown encoding, missing or unknown columns, more
    than MAX_ROWS rows, bad values and duplicate rows.
    """
    if not data or not data.strip():
        raise GroupImportError([{"row": 1, "column": "", "message": _("The file is empty.")}])
    if len(data) > MAX_FILE_BYTES:
        raise GroupImportError(
            [
                {
                    "row": 1,
                    "column": "",
                    "message": _("The file is larger than 5 MB. Split it into several files."),
                }
            ]
        )
    text = decode_csv(data)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise GroupImportError([{"row": 1, "column": "", "message": _("The file is empty.")}])
    declared = re.fullmatch(r"\s*sep=(.)\s*", lines[first])
    if declared:
        # Excel's own hint on the first line ("sep=;"): a line of the file, not a row of the table.
        delimiter = declared.group(1)
        text = "\n" * (first + 1) + "\n".join(lines[first + 1 :])
    else:
        delimiter = _delimiter(lines[first])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    header_row = 0
    mapping: dict[int, str] = {}
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    too_many = 0
    for cells in reader:
        number = reader.line_num  # the physical line, as a spreadsheet numbers rows
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header, header_row = cells, number
            mapping, errors = _map_header(cells, number)
            if errors:
                raise GroupImportError(errors)
            continue
        if len(rows) >= MAX_ROWS:
            too_many += 1
            continue
        row: dict[str, Any] = {ROW_KEY: number}
        for index, value in enumerate(cells):
            if index in mapping:
                row[mapping[index]] = value.strip()
            elif value.strip():
                errors.append(
                    {
                        "row": number,
                        "column": "",
                        "message": _("This row has more cells than the header has columns."),
                    }
                )
                break
        rows.append(row)
    if too_many:
        raise GroupImportError(
            [
                {
                    "row": header_row + MAX_ROWS + 1,
                    "column": "",
                    "message": _(
                        "At most %(limit)s persons can be registered from one file; this file has %(count)s. "
                        "Split it into several files."
                    )
                    % {"limit": f"{MAX_ROWS:,}", "count": f"{MAX_ROWS + too_many:,}"},
                }
            ],
            message=_("The file has more than %(limit)s rows; nobody was registered.")
            % {"limit": f"{MAX_ROWS:,}"},
        )
    if not rows:
        raise GroupImportError(
            [{"row": header_row + 1, "column": "", "message": _("The file lists nobody.")}]
        )
    # Every value problem and every duplicate, in one answer.
    _cleaned, value_errors = _clean_all(rows)
    errors += value_errors
    if errors:
        raise GroupImportError(sorted(errors, key=lambda e: (e["row"], e["column"])))
    return rows


def _map_header(cells: list[str], number: int) -> tuple[dict[int, str], list[dict[str, Any]]]:
    mapping: dict[int, str] = {}
    errors: list[dict[str, Any]] = []
    for index, raw in enumerate(cells):
        if not raw.strip():
            continue  # trailing delimiters from a spreadsheet
        column = HEADER_ALIASES.get(_header_key(raw))
        if column is None:
            errors.append(
                {
                    "row": number,
                    "column": raw.strip(),
                    "message": _("Unknown column %(name)s. The columns are: %(columns)s.")
                    % {"name": raw.strip(), "columns": ", ".join(COLUMN_NAMES)},
                }
            )
        elif column in mapping.values():
            errors.append(
                {
                    "row": number,
                    "column": column,
                    "message": _("The column %(name)s appears twice.") % {"name": column},
                }
            )
        else:
            mapping[index] = column
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        errors.insert(
            0,
            {
                "row": number,
                "column": ", ".join(missing),
                "message": ngettext(
                    "The required column %(names)s is missing.",
                    "The required columns %(names)s are missing.",
                    len(missing),
                )
                % {"names": ", ".join(missing)},
            },
        )
    return mapping, errors


def template_csv(*, delimiter: str = ",") -> bytes:
    """The header row of an upload, UTF-8 with a byte-order mark so that Excel shows Cyrillic right."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(COLUMN_NAMES)
    return codecs.BOM_UTF8 + out.getvalue().encode()


# ---- rows -----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    if not isinstance(value, str):
        raise ValueError
    return value.strip()


def _parse_sex(value: Any) -> str:
    key = _fold(_text(value))
    if key not in SEX_VALUES:
        raise ValueError
    return SEX_VALUES[key]


def _parse_date(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    if not text:
        return None
    match = DOTTED_DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day).isoformat()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text).isoformat()
    raise ValueError


def _parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    text = _text(value)
    if not text:
        return None
    if not re.fullmatch(r"\d{1,4}", text):
        raise ValueError
    return int(text)


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = _fold(_text(value))
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueError


def _parse_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return [v.strip() for v in LIST_SPLIT.split(_text(value)) if v.strip()]


PARSE_MESSAGES = {
    "sex": lambda: _("Enter female, male, other or unknown (also ž/m)."),
    "birth_date": lambda: _("Enter a real date as YYYY-MM-DD or DD.MM.YYYY."),
    "birth_year": lambda: _("Enter a year of four digits."),
    "age_min": lambda: _("Enter an age in whole years."),
    "age_max": lambda: _("Enter an age in whole years."),
    "interpreter_needed": lambda: _("Enter yes or no."),
    "languages": lambda: _("Separate languages with commas or semicolons."),
}
PARSERS = {
    "sex": _parse_sex,
    "birth_date": _parse_date,
    "birth_year": _parse_int,
    "age_min": _parse_int,
    "age_max": _parse_int,
    "interpreter_needed": _parse_bool,
    "languages": _parse_list,
}


def clean_row(row: dict[str, Any], *, today: dt.date) -> tuple[tuple[dict[str, Any], dict[str, Any]], list]:
    """One row to (person attributes, identity) as ``person_create`` takes them, and its problems as
    (column, message) pairs. The person and identity rules are the services' own."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    for key in row:
        if key != ROW_KEY and key not in COLUMN_NAMES:
            problems.append((str(key), _("Unknown column.")))
    for name in COLUMN_NAMES:
        raw = row.get(name)
        try:
            values[name] = PARSERS[name](raw) if name in PARSERS else _text(raw)
        except (ValueError, TypeError):
            problems.append((name, PARSE_MESSAGES.get(name, lambda: _("Enter text."))()))
            values[name] = None
    if not values["given_names"] and not values["family_names"]:
        problems.append(("given_names", _("Enter a given or a family name.")))
    attributes: dict[str, Any] = {"sex": values["sex"] or "unknown"}
    for column, key in (
        ("birth_year", "birth_year"),
        ("age_min", "age_estimate_min"),
        ("age_max", "age_estimate_max"),
    ):
        if values[column] is not None:
            attributes[key] = values[column]
    if values["citizenship"]:
        attributes["citizenship"] = values["citizenship"]
    if values["languages"]:
        attributes["languages"] = values["languages"]
    if values["interpreter_needed"]:
        attributes["interpreter_needed"] = True
    identity: dict[str, Any] = {
        "given_names": values["given_names"] or "",
        "family_names": values["family_names"] or "",
        "birth_date": values["birth_date"],
        "documents": [values["document_number"]] if values["document_number"] else [],
        "contacts": [values["phone"]] if values["phone"] else [],
    }
    # The services' own rules (a value that failed to parse is left out, so each problem is told once).
    try:
        attributes = clean_attributes(attributes)
    except DomainError as exc:
        problems.append((FIELD_COLUMN.get(exc.field or "", exc.field or ""), exc.message))
    try:
        clean_identity(identity, today=today)
    except DomainError as exc:
        column = FIELD_COLUMN.get(exc.field or "", exc.field or "")
        problems.append((column, exc.message))
        if column == "given_names" and identity["family_names"]:
            # clean_identity stops at the first bad name: both may be wrong.
            try:
                clean_identity({"family_names": identity["family_names"]}, today=today)
            except DomainError as second:
                problems.append(("family_names", second.message))
    else:
        birth, year = identity["birth_date"], attributes.get("birth_year")
        if birth and isinstance(year, int) and int(birth[:4]) != year:
            problems.append(("birth_year", _("The year of birth does not match the date of birth.")))
    return (attributes, identity), problems


def _duplicate_key(identity: dict[str, Any], attributes: dict[str, Any]) -> tuple | None:
    name = (_fold(identity.get("given_names") or ""), _fold(identity.get("family_names") or ""))
    if not any(name):
        return None
    documents = identity.get("documents") or [""]
    born = identity.get("birth_date") or attributes.get("birth_year") or ""
    return (*name, str(born), re.sub(r"[^0-9a-z]", "", _fold(documents[0])))


def _clean_all(rows: list[dict[str, Any]]) -> tuple[list[tuple[dict, dict]], list[dict[str, Any]]]:
    today = local_today()
    cleaned: list[tuple[dict, dict]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows, start=1):
        number = row.get(ROW_KEY, index) if isinstance(row, dict) else index
        if not isinstance(row, dict):
            errors.append({"row": number, "column": "", "message": _("Enter each person as an object.")})
            continue
        pair, problems = clean_row(row, today=today)
        errors += [{"row": number, "column": c, "message": m} for c, m in problems]
        key = _duplicate_key(pair[1], pair[0]) if not problems else None
        if key is not None:
            if key in seen:
                errors.append(
                    {
                        "row": number,
                        "column": "given_names",
                        "message": _(
                            "Rows %(first)s and %(second)s are the same person (name, date or year of birth "
                            "and document number). Remove one of them."
                        )
                        % {"first": seen[key], "second": number},
                    }
                )
            else:
                seen[key] = number
        cleaned.append(pair)
    return cleaned, errors


def clean_rows(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Check every row; return (attributes, identity) pairs or raise GroupImportError with every problem."""
    if not isinstance(rows, list) or not rows:
        raise GroupImportError([{"row": 1, "column": "", "message": _("Add at least one person.")}])
    if len(rows) > MAX_ROWS:
        raise GroupImportError(
            [
                {
                    "row": MAX_ROWS + 1,
                    "column": "",
                    "message": _(
                        "At most %(limit)s persons can be registered in one step; the list has %(count)s."
                    )
                    % {"limit": f"{MAX_ROWS:,}", "count": f"{len(rows):,}"},
                }
            ],
            message=_("The list has more than %(limit)s persons; nobody was registered.")
            % {"limit": f"{MAX_ROWS:,}"},
        )
    cleaned, errors = _clean_all(rows)
    if errors:
        raise GroupImportError(sorted(errors, key=lambda e: (e["row"], e["column"])))
    return cleaned


# ---- registration ---------------------------------------------------------------------------------


def _shared_screening_clean(
    data: dict[str, Any],
) -> tuple[indicators.IndicatorSet, dict[str, str], str, dict]:
    if not isinstance(data, dict):
        raise DomainError(_("Describe the shared screening."), field="shared_screening")
    code, version = str(data.get("indicator_set") or ""), str(data.get("version") or "")
    try:
        iset = indicators.get_set(code, version) if version else indicators.latest(code)
    except indicators.UnknownIndicatorSet:
        raise DomainError(
            _("There is no indicator set %(code)s in version %(version)s.")
            % {"code": code, "version": version},
            field="shared_screening.indicator_set",
        ) from None
    setting = data.get("setting") or ScreeningSetting.WORKPLACE_INSPECTION
    if setting not in ScreeningSetting.values:
        raise DomainError(_("Choose one of the listed values."), field="shared_screening.setting")
    answers = data.get("answers")
    if not isinstance(answers, dict) or not answers:
        raise DomainError(_("Answer at least one indicator."), field="shared_screening.answers")
    answers = {str(k): str(v) for k, v in answers.items()}
    try:
        indicators.evaluate(iset, answers, is_child=iset.applies_to == "child")
    except ValueError as exc:
        raise DomainError(str(exc), field="shared_screening.answers") from None
    screened_on = data.get("screened_on") or local_today()
    if not isinstance(screened_on, dt.date):
        try:
            screened_on = dt.date.fromisoformat(str(screened_on))
        except ValueError:
            raise DomainError(
                _("Enter a real date as YYYY-MM-DD."), field="shared_screening.screened_on"
            ) from None
    if screened_on > local_today():
        raise DomainError(_("The date cannot be in the future."), field="shared_screening.screened_on")
    return iset, answers, setting, {**data, "screened_on": screened_on}


def _refer_to_clean(user: Any, organisation: Organisation) -> None:
    if organisation.pk == user.organisation_id:
        raise DomainError(_("Your organisation cannot refer a case to itself."), field="refer_to")
    if not organisation.is_active:
        raise DomainError(_("This organisation is not active."), field="refer_to")


def _set_statuses(*, user: Any, cases: list[Case], status: str, now: dt.datetime, events: list) -> None:
    """One UPDATE for the cases that move to ``status`` (a step of the workflow, as _set_status does)."""
    moving = [c for c in cases if c.status != status]
    if not moving:
        return
    Case.objects.filter(pk__in=[c.pk for c in moving]).update(
        status=status,
        status_changed_at=now,
        closed_at=None,
        version=F("version") + 1,
        updated_by=user,
        updated_at=now,
    )
    for case in moving:
        events.append(_event(user, case, "status_changed", {"old": case.status, "new": status}, now))
        case.status, case.status_changed_at, case.version = status, now, case.version + 1


def _event(user: Any, case: Case, kind: str, params: dict[str, Any], at: dt.datetime) -> TimelineEvent:
    return TimelineEvent(
        case_id=case.pk,
        actor_id=user.pk if getattr(user, "is_authenticated", False) else None,
        organisation_id=user.organisation_id,
        kind=kind,
        params=params,
        at=at,
    )


def _screen_group(*, user: Any, cases: list[Case], shared: tuple, now: dt.datetime, events: list) -> int:
    iset, answers, setting, data = shared
    evaluations = {}
    for is_child in sorted({c.is_child for c in cases}):
        if not iset.is_for(is_child=is_child):
            count = sum(1 for c in cases if c.is_child == is_child)
            raise DomainError(
                ngettext(
                    "The indicator set %(set)s is not for screening %(who)s, and %(n)d person in the group is one. "
                    "Screen them individually.",
                    "The indicator set %(set)s is not for screening %(who)s, and %(n)d persons in the group are. "
                    "Screen them individually.",
                    count,
                )
                % {"set": iset.code, "who": _("children") if is_child else _("adults"), "n": count},
                field="shared_screening.indicator_set",
            )
        # One evaluation per rule (children's or adults'), shared by every case it applies to.
        evaluations[is_child] = indicators.evaluate(iset, answers, is_child=is_child)
    # The result as a literal expression: that keeps PostgreSQL's bulk insert on rows of VALUES. Django's
    # UNNEST path would escape every quote of every copy of the ~1 kB result into one jsonb[] literal,
    # six times slower for 500 cases. (The saved instances keep the expression; they are not returned.)
    results = {flag: Value(e.as_dict(), output_field=JSONField()) for flag, e in evaluations.items()}
    screenings = [
        Screening(
            case_id=case.pk,
            indicator_set=iset.code,
            indicator_version=iset.version,
            setting=setting,
            screened_on=data["screened_on"],
            interpreter_used=bool(data.get("interpreter_used")),
            organisation_id=user.organisation_id,
            as_child=case.is_child,
            recommendation=evaluations[case.is_child].recommendation,
            result=results[case.is_child],
            created_by_id=user.pk,
            updated_by_id=user.pk,
        )
        for case in cases
    ]
    Screening.objects.bulk_create(screenings, batch_size=SCREENING_BATCH)
    ScreeningAnswer.objects.bulk_create(
        [
            ScreeningAnswer(screening_id=screening.pk, indicator=k, answer=v)
            for screening in screenings
            for k, v in sorted(answers.items())
        ]
    )
    for case in cases:
        events.append(
            _event(
                user,
                case,
                "screening_recorded",
                {
                    "set": iset.code,
                    "version": iset.version,
                    "recommendation": evaluations[case.is_child].recommendation,
                },
                now,
            )
        )
    audit_record(
        actor=user,
        action="create",
        object_type="screening",
        object_id=screenings[0].pk,
        case_code=cases[0].code,
        detail={
            "set": iset.code,
            "version": iset.version,
            "count": len(screenings),
            "first": cases[0].code,
            "last": cases[-1].code,
            "recommendations": sorted({e.recommendation for e in evaluations.values()}),
        },
    )
    return len(screenings)


def _refer_group(
    *, user: Any, cases: list[Case], organisation: Organisation, now: dt.datetime, events: list
) -> tuple[str, int]:
    purpose = ReferralPurpose.IDENTIFICATION
    if not policy.can(user, policy.REFERRAL_MAKE, cases[0]):
        raise PermissionDenied()
    refused = [c for c in cases if not identification_services.may_receive(organisation, purpose, c)]
    if refused:
        raise DomainError(
            _("A %(type)s cannot receive a referral for %(purpose)s.")
            % {"type": organisation.get_type_display(), "purpose": ReferralPurpose(purpose).label},
            field="refer_to",
        )
    role = identification_services.ROLE_FOR_PURPOSE[purpose]
    involved = set(
        Involvement.objects.active()
        .filter(case__in=cases, organisation=organisation, role=role)
        .values_list("case_id", flat=True)
    )
    granted = {
        c.pk: Involvement(
            case_id=c.pk,
            organisation_id=organisation.pk,
            role=role,
            started_at=now,
            created_by_id=user.pk,
            updated_by_id=user.pk,
        )
        for c in cases
        if c.pk not in involved
    }
    Involvement.objects.bulk_create(list(granted.values()))
    if granted:
        policy.forget()
    # The persons referred together share a batch code: the receiving organisation sees them as a group.
    batch = f"B-{cases[0].code}"
    due_at = deadlines.due("referral_response", now)
    Referral.objects.bulk_create(
        [
            Referral(
                case_id=c.pk,
                from_organisation_id=user.organisation_id,
                to_organisation_id=organisation.pk,
                purpose=purpose,
                due_at=due_at,
                involvement_id=granted[c.pk].pk if c.pk in granted else None,
                batch=batch,
                created_by_id=user.pk,
                updated_by_id=user.pk,
            )
            for c in cases
        ]
    )
    for case in cases:
        events.append(
            _event(
                user,
                case,
                "referral_made",
                {"org": organisation.name, "purpose": purpose, "due": due_at.isoformat(), "batch": batch},
                now,
            )
        )
    audit_record(
        actor=user,
        action="permission_change" if granted else "create",
        object_type="referral",
        object_id=batch,
        case_code=cases[0].code,
        detail={
            "to": organisation.code,
            "purpose": purpose,
            "batch": batch,
            "count": len(cases),
            "first": cases[0].code,
            "last": cases[-1].code,
            "granted": len(granted),
        },
    )
    # One notification for the group, not one per person.
    notify(
        organisation=organisation,
        kind="referral_received",
        case_code=cases[0].code,
        params={
            "case": f"{cases[0].code}…{cases[-1].code} ({len(cases)})",
            "org": user.organisation.name,
            "purpose": purpose,
            "batch": batch,
        },
    )
    return batch, len(cases)


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
    shared = _shared_screening_clean(shared_screening) if shared_screening else None
    if refer_to is not None:
        _refer_to_clean(user, refer_to)
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
    now = timezone.now()
    events: list[TimelineEvent] = []
    if shared is not None:
        result.screenings = _screen_group(user=user, cases=cases, shared=shared, now=now, events=events)
    if refer_to is not None:
        result.batch, result.referrals = _refer_group(
            user=user, cases=cases, organisation=refer_to, now=now, events=events
        )
    # Screened, then referred, in the same instant: one status change (reported -> referred) per case,
    # not two, tells the same story with half the rows.
    if refer_to is not None or shared is not None:
        target = CaseStatus.REFERRED if refer_to is not None else CaseStatus.SCREENING
        _set_statuses(user=user, cases=cases, status=target, now=now, events=events)
    TimelineEvent.objects.bulk_create(events)
    return result
