"""Writing spreadsheet files: report tables as XLSX (one sheet per table) and CSV (one file per table).

CSV is UTF-8 with a BOM, which is what Excel needs to open Vietnamese text correctly; numbers are
plain (percentages with a dot and one decimal) so the files stay machine-readable.

Every text cell of every CSV and XLSX the project writes (these reports, the ingest rejects CSV,
the sample catalogues) goes through `spreadsheet_text`: catalogue and platform text is data, and
must never run as a formula nor stop a workbook from being written.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from catalogue.messages import visible
from reports.i18n import percent_tenths

if TYPE_CHECKING:   # kept light: catalogue code writes its rejects CSV through this module
    from reconcile.coverage import Share
    from reports.tables import Table

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NUMBER_FORMATS = {"pct": "0.0%", "int": "#,##0", "money": "#,##0", "date": "yyyy-mm-dd"}
# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (full-width forms included).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters no XLSX (XML 1.0) can hold: C0 controls other than tab and line ends, surrogates, U+FFFE/U+FFFF.
_NOT_IN_SPREADSHEETS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def spreadsheet_text(text: str) -> str:
    """The one rule for text in a CSV or XLSX cell: never a formula, never a character that breaks the file.

    A leading formula character (after any spaces) gets an apostrophe, as Excel's own text prefix;
    control characters are shown as escapes ("\\x1b"), so one bad product cannot stop a report.
    """
    if _NOT_IN_SPREADSHEETS.search(text):
        text = _NOT_IN_SPREADSHEETS.sub(lambda match: visible(match[0]), text)
    if text.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def write_csv_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """A CSV Excel opens as UTF-8 (with BOM), every text cell through `spreadsheet_text`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([spreadsheet_text(label) for label in header])
        for row in rows:
            writer.writerow([spreadsheet_text(value) if isinstance(value, str) else value for value in row])
    return path


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
