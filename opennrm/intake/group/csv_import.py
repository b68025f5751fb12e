"""Reading a group list from a CSV file: encodings, delimiters, headers in either script."""

from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opennrm.intake.group.columns import (
    COLUMN_NAMES,
    HEADER_ALIASES,
    MAX_FILE_BYTES,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    ROW_KEY,
    GroupImportError,
    _header_key,
)
from opennrm.intake.group.rows import _clean_all

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
