"""Reading a catalogue CSV export: any of Excel's text encodings, comma, semicolon or tab separated."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from catalogue.sources.columns import map_headers
from catalogue.sources.encodings import decode_text
from catalogue.sources.table import SourceError, SourceRow, SourceTable, is_data_row

_DELIMITERS = (",", ";", "\t")


def read_csv(path: Path) -> SourceTable:
    source = str(path)
    text, encoding = decode_text(path.read_bytes(), source)
    first_line, _, rest = text.partition("\n")
    skipped_lines = 0
    if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
        delimiter = first_line.strip()[4]   # Excel's "sep=;" hint line
        text, skipped_lines = rest, 1
        first_line = text.partition("\n")[0]
    else:
        delimiter = "\t" if encoding.startswith("utf-16") else _guess_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise SourceError(f"{source}: the file is empty") from None
    header_map = map_headers(headers)
    missing = header_map.missing_required()
    if missing:
        raise SourceError(f"{source}: missing required columns: {', '.join(missing)} "
                          f"(found: {', '.join(h for h in headers if h.strip()) or 'no header'}); "
                          "see docs/catalogue-columns.md")
    rows = list(_rows(reader, header_map, skipped_lines, source))
    return SourceTable(source=source, rows=rows, columns=tuple(header_map.positions),
                       ignored_columns=header_map.ignored, detail=f"encoding {encoding}, delimiter {delimiter!r}")


def _rows(reader, header_map, skipped_lines: int, source: str):
    line = reader.line_num
    try:
        for cells in reader:
            number = line + 1 + skipped_lines   # the line the record starts on, as an editor shows it
            line = reader.line_num
            if is_data_row(cells):
                yield SourceRow(number=number, values=header_map.row_values([c if c.strip() else None for c in cells]))
    except csv.Error as error:
        raise SourceError(f"{source}: line {reader.line_num + skipped_lines}: malformed CSV: {error}") from None


def _guess_delimiter(header_line: str) -> str:
    return max(_DELIMITERS, key=header_line.count)
