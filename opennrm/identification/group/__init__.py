"""Group cases: many persons found together (a workplace raid, a boat) registered, screened and referred
in one step, from a table form, a JSON list or a CSV file.

All or nothing: every row is checked before anything is written, every problem is reported at once
with the row and the column (as a spreadsheet shows them: the header is row 1), and one transaction
writes the persons, cases, the shared screening and the referrals.
"""

from opennrm.identification.group.columns import (
    COLUMN_NAMES,
    GROUP_COLUMNS,
    MAX_ERRORS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    ROW_KEY,
    Column,
    GroupImportError,
    GroupResult,
)
from opennrm.identification.group.csv_import import decode_csv, parse_group_csv, template_csv
from opennrm.identification.group.register import group_register, group_screening_record
from opennrm.identification.group.rows import clean_row, clean_rows

__all__ = [
    "COLUMN_NAMES",
    "GROUP_COLUMNS",
    "MAX_ERRORS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REQUIRED_COLUMNS",
    "ROW_KEY",
    "Column",
    "GroupImportError",
    "GroupResult",
    "clean_row",
    "clean_rows",
    "decode_csv",
    "group_register",
    "group_screening_record",
    "parse_group_csv",
    "template_csv",
]
