"""Checking the rows of a group list: every problem at once, with its row and column."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from opennrm.intake.group.columns import (
    COLUMN_NAMES,
    DOTTED_DATE,
    FIELD_COLUMN,
    LIST_SPLIT,
    MAX_ROWS,
    NO,
    ROW_KEY,
    SEX_VALUES,
    YES,
    GroupImportError,
    _fold,
)
from opennrm.lib import clock
from opennrm.lib.errors import DomainError
from opennrm.people.identity import clean_identity
from opennrm.people.services import clean_attributes

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
    today = clock.today()
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
