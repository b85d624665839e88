"""Reading a provincial XLSX workbook: title rows above the header, merged cells, error cells, serial dates.

Every sheet whose first rows hold a recognisable header is a data sheet and is read (one sheet per
year or per district is common); sheets without one (notes, charts) are named as skipped. Sheets
are streamed (openpyxl read-only) by the rows they really hold, at most MAX_DATA_ROWS in all.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from catalogue.issues import Issue
from catalogue.messages import summarise
from catalogue.sources.columns import REQUIRED_COLUMNS, HeaderMap, map_headers
from catalogue.sources.mapping import ColumnMapping, missing_columns, suggest_column
from catalogue.sources.table import SourceError, SourceRow, SourceTable, is_data_row
from catalogue.sources.xlsx_archive import ENCRYPTED_ADVICE, MergedRange, SheetScan, scan_archive

HEADER_SEARCH_ROWS = 30
MAX_DATA_ROWS = 500_000
DATE_COLUMNS = frozenset({"decision_date"})
_UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ParseError,
               ValueError, TypeError)


@dataclass
class _DataSheet:
    title: str
    part: str                   # its XML part in the archive
    header_row: int
    header_map: HeaderMap


def read_xlsx(path: Path, mapping: ColumnMapping | None = None) -> SourceTable:
    source = str(path)
    with _unreadable_as_source_error(source):
        scans = scan_archive(path, source)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        with _unreadable_as_source_error(source):
            sheets, skipped = _data_sheets(workbook, source, mapping)
    except BaseException:
        workbook.close()
        raise
    several = len(sheets) > 1
    rows = _rows(workbook, sheets, scans, several, source)
    ignored = tuple(dict.fromkeys(name for sheet in sheets for name in sheet.header_map.ignored))
    unknown = tuple(dict.fromkeys(name for sheet in sheets for name in sheet.header_map.unknown))
    return SourceTable(source=source, rows=rows, ignored_columns=ignored, unknown_columns=unknown,
                       detail=_detail(sheets, skipped),
                       sheets=tuple(sheet.title for sheet in sheets) if several else ())


@contextmanager
def _unreadable_as_source_error(source: str) -> Iterator[None]:
    try:
        yield
    except SourceError:
        raise
    except RuntimeError as error:     # zipfile's "... is encrypted, password required"
        if "encrypted" not in str(error):
            raise
        raise SourceError(f"{source}: the workbook is encrypted; {ENCRYPTED_ADVICE}") from None
    except _UNREADABLE as error:
        raise SourceError(f"{source}: not a readable XLSX workbook ({type(error).__name__}: "
                          f"{str(error)[:200]})") from None


def _data_sheets(workbook, source: str, mapping: ColumnMapping | None) -> tuple[list[_DataSheet], list[str]]:
    sheets, skipped = [], []
    for sheet in workbook.worksheets:
        sheet.reset_dimensions()      # the stored extent may claim a million rows: trust the rows themselves
        found = _find_header(sheet, mapping)
        if found is None:
            skipped.append(sheet.title)
            continue
        header_row, header_map, cells = found
        if header_map.missing_required():
            raise missing_columns(f"{source}: sheet '{sheet.title}' row {header_row}", source, header_map, cells)
        # The part name is not public in openpyxl's read-only sheet; it keys the archive scan.
        sheets.append(_DataSheet(sheet.title, sheet._worksheet_path, header_row, header_map))
    if not sheets:
        _refuse_unmapped_header(workbook, source, mapping)
        raise SourceError(f"{source}: no header row found in the first {HEADER_SEARCH_ROWS} rows of any sheet "
                          f"({summarise(skipped)}; expected columns such as 'Tên sản phẩm', 'Hạng sao'); "
                          "see docs/catalogue-columns.md")
    return sheets, skipped


def _find_header(sheet, mapping: ColumnMapping | None) -> tuple[int, HeaderMap, list] | None:
    best: tuple[int, HeaderMap, list] | None = None
    for number, cells in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
        header_map = map_headers(list(cells), mapping)
        if "product_name" in header_map.positions and len(header_map.positions) >= 3:
            if best is None or len(header_map.positions) > len(best[1].positions):
                best = (number, header_map, list(cells))
    return best


def _refuse_unmapped_header(workbook, source: str, mapping: ColumnMapping | None) -> None:
    """A workbook whose header uses names of its own (`full_name`, `ocop_rating`): refused naming them and the
    columns they may be, when a row reads as a header by its suggested columns."""
    best: tuple[int, int, str, list] | None = None
    for sheet in workbook.worksheets:
        for number, cells in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
            named = {suggest_column(cell) for cell in cells if isinstance(cell, str)} - {None}
            if "product_name" in named and len(named) >= 3 and (best is None or len(named) > best[0]):
                best = (len(named), number, sheet.title, list(cells))
    if best is not None:
        _, number, title, cells = best
        raise missing_columns(f"{source}: sheet '{title}' row {number}", source, map_headers(cells, mapping), cells)


def _detail(sheets: list[_DataSheet], skipped: list[str]) -> str:
    if len(sheets) == 1:
        detail = f"sheet '{sheets[0].title}', header on row {sheets[0].header_row}"
    else:
        detail = "sheets " + summarise([f"'{s.title}' (header on row {s.header_row})" for s in sheets])
    if skipped:
        detail += f"; sheets without a header, not read: {summarise([f'{title!r}' for title in skipped])}"
    return detail


# --- rows -----------------------------------------------------------------------------------------

def _rows(workbook, sheets: list[_DataSheet], scans: dict[str, SheetScan], several: bool,
          source: str) -> Iterator[SourceRow]:
    counted = 0
    try:
        with _unreadable_as_source_error(source):
            for sheet in sheets:
                scan = scans.get(sheet.part, SheetScan())
                for row in _sheet_rows(workbook[sheet.title], sheet, scan, several, workbook.epoch):
                    counted += 1
                    if counted > MAX_DATA_ROWS:
                        raise SourceError(f"{source}: more than {MAX_DATA_ROWS:,} rows with data; "
                                          "split the workbook and ingest the parts one by one")
                    yield row
    finally:
        workbook.close()


def _sheet_rows(worksheet, sheet: _DataSheet, scan: SheetScan, several: bool,
                epoch: dt.datetime) -> Iterator[SourceRow]:
    header_map = sheet.header_map
    width = max(header_map.positions.values()) + 1
    fills = _MergedFills(scan.merged, sheet.header_row, width)
    date_positions = {header_map.positions[c] for c in DATE_COLUMNS if c in header_map.positions}
    first = sheet.header_row + 1
    for number, cells in enumerate(worksheet.iter_rows(min_row=first, max_col=width, values_only=True), start=first):
        if not fills.pending(number) and not any(cell is not None for cell in cells):
            continue
        cells = fills.apply(number, list(cells))
        if not is_data_row(cells):
            continue
        values = [_cell_text(value, i in date_positions, epoch) for i, value in enumerate(cells)]
        title = sheet.title if several else None
        issues = _uncalculated(number, scan, header_map, title)
        yield SourceRow(number, header_map.row_values(values), sheet=title, issues=issues)


class _MergedFills:
    """Values for the hidden cells of vertical merges (one producer over several product rows), row by row.

    Merges within a single row (a section heading or footer spread across columns) are left alone.
    """

    def __init__(self, merged: list[MergedRange], header_row: int, width: int):
        vertical = [m for m in merged if m.min_row > header_row and m.max_row > m.min_row and m.min_col <= width]
        self.waiting = deque(sorted(vertical, key=lambda m: m.min_row))
        self.active: list[tuple[MergedRange, object]] = []

    def pending(self, number: int) -> bool:
        return bool(self.active) or bool(self.waiting and self.waiting[0].min_row <= number)

    def apply(self, number: int, cells: list[object]) -> list[object]:
        while self.waiting and self.waiting[0].min_row <= number:
            merged = self.waiting.popleft()
            self.active.append((merged, cells[merged.min_col - 1]))
        self.active = [(merged, value) for merged, value in self.active if merged.max_row >= number]
        for merged, value in self.active:
            for column in range(merged.min_col - 1, min(merged.max_col, len(cells))):
                if (number, column) != (merged.min_row, merged.min_col - 1):
                    cells[column] = value
        return cells


def _uncalculated(number: int, scan: SheetScan, header_map: HeaderMap, sheet: str | None) -> tuple[Issue, ...]:
    if not scan.uncalculated:
        return ()
    issues = []
    for column, position in header_map.positions.items():
        if (number, position + 1) in scan.uncalculated:
            cell = f"{get_column_letter(position + 1)}{number}"
            rule = (f"cell {cell} holds a formula that was never calculated (the file was saved without its "
                    "values, e.g. by a program): open the workbook in Excel and save it, or paste the values")
            severity = "error" if column in REQUIRED_COLUMNS else "warning"
            issues.append(Issue(number, column, None, rule, severity, sheet))
    return tuple(issues)


def _cell_text(value: object, is_date: bool, epoch: dt.datetime) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        if is_date:
            return _serial_date(value, epoch)
        return str(int(value)) if float(value).is_integer() else repr(value)
    text = str(value).strip()
    return text or None


def _serial_date(value: float, epoch: dt.datetime) -> str:
    try:
        return from_excel(value, epoch).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        return str(value)
