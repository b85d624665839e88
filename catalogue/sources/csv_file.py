"""Reading a catalogue CSV export: any of Excel's text encodings, comma, semicolon or tab separated.

The header is checked when the file is opened (a file without the required columns is refused
before anything is ingested); the rows are then streamed.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from catalogue.sources.columns import HeaderMap, map_headers
from catalogue.sources.encodings import detect_encoding
from catalogue.sources.table import SourceError, SourceRow, SourceTable, is_data_row

_DELIMITERS = (",", ";", "\t")
csv.field_size_limit(16 * 1024 * 1024)   # long descriptions are real; a runaway quote still fails


def read_csv(path: Path) -> SourceTable:
    source = str(path)
    encoding = detect_encoding(path)
    handle = path.open(encoding=encoding, newline="")
    try:
        first_line = handle.readline()
        skipped = 0
        if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
            delimiter, skipped = first_line.strip()[4], 1     # Excel's "sep=;" hint line
            first_line = handle.readline()
        else:
            delimiter = "\t" if encoding.startswith("utf-16") else max(_DELIMITERS, key=first_line.count)
        reader = csv.reader(itertools.chain([first_line], handle), delimiter=delimiter)
        headers = next(reader, None)
        if not headers:
            raise SourceError(f"{source}: the file is empty")
        header_map = map_headers(headers)
        missing = header_map.missing_required()
        if missing:
            raise SourceError(f"{source}: missing required columns: {', '.join(missing)} "
                              f"(found: {', '.join(h for h in headers if h.strip()) or 'no header'}); "
                              "see docs/catalogue-columns.md")
    except BaseException:
        handle.close()
        raise
    return SourceTable(source=source, rows=_rows(handle, reader, header_map, skipped, source),
                       ignored_columns=header_map.ignored,
                       detail=f"encoding {encoding}, delimiter {delimiter!r}")


def _rows(handle: TextIO, reader, header_map: HeaderMap, skipped: int, source: str) -> Iterator[SourceRow]:
    with handle:
        line = reader.line_num
        try:
            for cells in reader:
                number = line + 1 + skipped   # the line the record starts on, as an editor shows it
                line = reader.line_num
                if is_data_row(cells):
                    yield SourceRow(number, header_map.row_values([cell if cell.strip() else None for cell in cells]))
        except (csv.Error, UnicodeDecodeError) as error:
            raise SourceError(f"{source}: line {reader.line_num + skipped}: unreadable CSV: {error}") from None
