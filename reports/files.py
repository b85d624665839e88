"""Writing spreadsheet files: report tables as XLSX (one sheet per table) and CSV (one file per table).

CSV is UTF-8 with a BOM, which is what Excel needs to open Vietnamese text correctly; numbers are
plain (percentages with a dot and one decimal) so the files stay machine-readable.

Every text cell goes through `ocop.spreadsheets.spreadsheet_text`, as in every file the project writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ocop.spreadsheets import spreadsheet_text, write_csv_rows
from reports.i18n import percent_tenths

if TYPE_CHECKING:
    from reconcile.coverage import Share
    from reports.tables import Table

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NUMBER_FORMATS = {"pct": "0.0%", "int": "#,##0", "money": "#,##0", "date": "yyyy-mm-dd"}


def write_csv(table: Table, path: Path) -> Path:
    rows = ([_plain(value, column.kind) for value, column in zip(row, table.columns)] for row in table.rows)
    return write_csv_rows(path, [column.label for column in table.columns], rows)


def _plain(value: object, kind: str) -> object:
    if value is None:
        return ""
    if kind == "pct":
        return _percent(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _percent(share: Share) -> float | str:
    """One decimal, as on the page: 1999 of 2000 is 99.9, never 100."""
    if share.listable == 0:
        return ""
    return percent_tenths(share.live, share.listable) / 10


def write_xlsx(tables: Sequence[Table], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.sheet, used))
        sheet.append([spreadsheet_text(column.label) for column in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_excel(value, column.kind) for value, column in zip(row, table.columns)])
        _format_columns(sheet, table)
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    workbook.save(path)
    return path


def _excel(value: object, kind: str) -> object:
    if kind == "pct":
        return None if value is None or value.listable == 0 else _percent(value) / 100
    if isinstance(value, str):
        return spreadsheet_text(value)
    return value


def _format_columns(sheet, table: Table) -> None:
    formats = [_NUMBER_FORMATS.get(column.kind) for column in table.columns]
    for row in sheet.iter_rows(min_row=2):
        for cell, number_format in zip(row, formats):
            if number_format:
                cell.number_format = number_format
            elif isinstance(cell.value, str):
                cell.data_type = "s"   # text stays text: "=..." in a product name is not a formula
    for index, column in enumerate(table.columns, start=1):
        widest = max([len(column.label)] + [len(str(row[index - 1] or "")) for row in table.rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, widest + 2))


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", name)[:31].strip() or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate
