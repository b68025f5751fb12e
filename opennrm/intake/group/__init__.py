"""Group cases: many persons found together (a workplace raid, a boat) registered in one step, from a
table form, a JSON list or a CSV file, and screened and referred in the same step by identification
(``register_handover``).

All or nothing: every row is checked before anything is written, every problem is reported at once
with the row and the column (as a spreadsheet shows them: the header is row 1), and one transaction
writes the persons, cases, the shared screening and the referrals.
"""

from opennrm.intake.group.columns import (
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
from opennrm.intake.group.csv_import import decode_csv, parse_group_csv, template_csv
from opennrm.intake.group.register import Handover, group_register, register_handover
from opennrm.intake.group.rows import clean_row, clean_rows

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
    "Handover",
    "register_handover",
    "parse_group_csv",
    "template_csv",
]
