"""Reading a provincial XLSX workbook: title rows above the header, merged cells, error cells, serial dates."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from catalogue.sources.columns import HeaderMap, map_headers
from catalogue.sources.table import SourceError, SourceRow, SourceTable, is_data_row

HEADER_SEARCH_ROWS = 30
DATE_COLUMNS = frozenset({"decision_date"})


def read_xlsx(path: Path) -> SourceTable:
    source = str(path)
    try:
        # Not read-only: merged-cell ranges are only available on a fully loaded sheet.
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise SourceError(f"{source}: not a readable XLSX workbook ({error})") from None
    best: tuple[Worksheet, int, HeaderMap] | None = None
    for sheet in workbook.worksheets:
        found = _find_header(sheet)
        if found and (best is None or len(found[1].positions) > len(best[2].positions)):
            best = (sheet, *found)
            if not found[1].missing_required():
                break
    if best is None:
        raise SourceError(f"{source}: no header row found in the first {HEADER_SEARCH_ROWS} rows of any sheet "
                          "(expected columns such as 'Tên sản phẩm', 'Hạng sao'); see docs/catalogue-columns.md")
    sheet, header_row, header_map = best
    missing = header_map.missing_required()
    if missing:
        raise SourceError(f"{source}: sheet '{sheet.title}' row {header_row}: missing required columns: "
                          f"{', '.join(missing)}; see docs/catalogue-columns.md")
    rows = _rows(sheet, header_row, header_map, workbook.epoch)
    return SourceTable(source=source, rows=rows, ignored_columns=header_map.ignored,
                       detail=f"sheet '{sheet.title}', header on row {header_row}")


def _find_header(sheet: Worksheet) -> tuple[int, HeaderMap] | None:
    best: tuple[int, HeaderMap] | None = None
    for number, cells in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
        header_map = map_headers(list(cells))
        if "product_name" in header_map.positions and len(header_map.positions) >= 3:
            if best is None or len(header_map.positions) > len(best[1].positions):
                best = (number, header_map)
    return best


def _rows(sheet: Worksheet, header_row: int, header_map: HeaderMap, epoch: dt.datetime) -> Iterator[SourceRow]:
    fills = _merged_fills(sheet, header_row)
    date_positions = {header_map.positions[c] for c in DATE_COLUMNS if c in header_map.positions}
    for number, cells in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        cells = list(cells)
        for column, value in fills.get(number, {}).items():
            if column < len(cells):
                cells[column] = value
        if not is_data_row(cells):
            continue
        values = [_cell_text(value, i in date_positions, epoch) for i, value in enumerate(cells)]
        yield SourceRow(number=number, values=header_map.row_values(values))


def _merged_fills(sheet: Worksheet, header_row: int) -> dict[int, dict[int, object]]:
    """Values for the hidden cells of vertical merges (one producer over several product rows).

    Merges within a single row (a section heading or footer spread across columns) are left alone.
    """
    fills: dict[int, dict[int, object]] = {}
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= header_row or merged.min_row == merged.max_row:
            continue
        value = sheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                if (row, column) != (merged.min_row, merged.min_col):
                    fills.setdefault(row, {})[column - 1] = value
    return fills


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
