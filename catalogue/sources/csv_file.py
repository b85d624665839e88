"""Reading a catalogue CSV export: any of Excel's text encodings, comma, semicolon or tab separated.

The header is checked when the file is opened (a file without the required columns is refused
before anything is ingested); the rows are then streamed.

The csv module follows quotes across line ends, as it must for a description written on several
lines. A stray quote at the start of a cell makes it swallow the records below it into that cell,
so the lines each record is made of are tracked: a record spread over several lines whose lines
look like records of their own (or that has more cells than the header) is rejected by its line,
and the lines it swallowed are read again as the rows they are.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from catalogue.issues import Issue
from catalogue.sources.columns import HeaderMap, map_headers
from catalogue.sources.encodings import STRAY_CODEC, STRAY_NAME, TextEncoding, detect_encoding, physical_lines
from catalogue.sources.mapping import ColumnMapping, missing_columns
from catalogue.sources.table import SourceError, SourceRow, SourceTable, is_data_row

_DELIMITERS = (",", ";", "\t")
MAX_RECORD_LINES = 500    # a quoted cell may run over this many lines; longer is a quote left open
csv.field_size_limit(16 * 1024 * 1024)   # long descriptions are real; a runaway quote still fails


def read_csv(path: Path, mapping: ColumnMapping | None = None) -> SourceTable:
    source = str(path)
    encoding = detect_encoding(path)
    handle = path.open("rb")
    try:
        lines = _Lines(_numbered_lines(handle, encoding))
        delimiter, skipped = _delimiter(lines, encoding)
        header = next(_records(lines, delimiter, width=0), None)
        if header is None or not header.cells:
            raise SourceError(f"{source}: the file is empty")
        header_map = map_headers(header.cells, mapping)
        if header_map.missing_required():
            raise missing_columns(source, source, header_map, header.cells)
    except BaseException:
        handle.close()
        raise
    rows = _rows(handle, lines, delimiter, header_map, len(header.cells), encoding, source)
    detail = f"encoding {encoding.codec}, delimiter {delimiter!r}" + (", the sep= line skipped" if skipped else "")
    return SourceTable(source=source, rows=rows, ignored_columns=header_map.ignored,
                       unknown_columns=header_map.unknown, detail=detail)


def _delimiter(lines: _Lines, encoding: TextEncoding) -> tuple[str, bool]:
    """Excel's "sep=;" hint line, else the separator the header line uses most."""
    number, first = lines.peek()
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        lines.skip()
        return first.strip()[4], True
    if encoding.codec.startswith("utf-16"):
        return "\t", False
    return max(_DELIMITERS, key=first.count), False


# --- physical lines -------------------------------------------------------------------------------

def _numbered_lines(handle: BinaryIO, encoding: TextEncoding) -> Iterator[tuple[int, str]]:
    """(line number, text) for every physical line of the file, its stray lines decoded as such."""
    if not encoding.stray_lines:
        return enumerate(io.TextIOWrapper(handle, encoding=encoding.codec, newline=""), start=1)
    return _with_stray_lines(handle, encoding)


def _with_stray_lines(handle: BinaryIO, encoding: TextEncoding) -> Iterator[tuple[int, str]]:
    codec = encoding.codec
    for number, line in enumerate(physical_lines(handle), start=1):
        yield number, line.decode(STRAY_CODEC if number in encoding.stray_lines else codec)
        codec = "utf-8" if codec == "utf-8-sig" else codec


class _Lines:
    """Feeds csv.reader one physical line at a time, remembering which lines the current record took.

    Lines can be handed back, to be read again; at most MAX_RECORD_LINES go into one record.
    """

    def __init__(self, source: Iterator[tuple[int, str]]):
        self.source = source
        self.pending: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if len(self.taken) >= MAX_RECORD_LINES:
            raise StopIteration
        line = self.pending.popleft() if self.pending else next(self.source)
        self.taken.append(line)
        return line[1]

    def peek(self) -> tuple[int, str]:
        if not self.pending:
            self.pending.append(next(self.source, (1, "")))
        return self.pending[0]

    def skip(self) -> None:
        self.pending.popleft()

    def start_record(self) -> None:
        self.taken = []

    def give_back(self, lines: list[tuple[int, str]]) -> None:
        self.pending.extendleft(reversed(lines))


@dataclass(slots=True)
class _Record:
    line: int                         # the line it starts on, as an editor shows it
    last_line: int
    cells: list[str]
    swallowed: tuple[int, int] | None = None   # (first, last) line a quote left open ran over


def _records(lines: _Lines, delimiter: str, width: int) -> Iterator[_Record]:
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        lines.start_record()
        try:
            cells = next(reader)
        except StopIteration:
            return
        taken = lines.taken
        if len(taken) > 1 and width and _quote_ran_over(cells, taken, delimiter, width):
            lines.give_back(taken[1:])
            reader = csv.reader(lines, delimiter=delimiter)
            yield _Record(taken[0][0], taken[0][0], cells, swallowed=(taken[1][0], taken[-1][0]))
            continue
        yield _Record(taken[0][0], taken[-1][0], cells)


def _quote_ran_over(cells: list[str], taken: list[tuple[int, str]], delimiter: str, width: int) -> bool:
    """A record over several lines is a quote left open when it has more cells than the header, or when a
    line it took has (nearly) as many separators as a record: a description's own lines do not."""
    if len(cells) > width:
        return True
    separators = max(2, (width - 1) * 3 // 4)
    return any(text.count(delimiter) >= separators for _, text in taken[1:])


# --- rows -----------------------------------------------------------------------------------------

def _rows(handle: BinaryIO, lines: _Lines, delimiter: str, header_map: HeaderMap, width: int,
          encoding: TextEncoding, source: str) -> Iterator[SourceRow]:
    with handle:
        try:
            for record in _records(lines, delimiter, width):
                if is_data_row(record.cells):
                    yield _source_row(record, header_map, encoding.stray_lines)
        except (csv.Error, UnicodeDecodeError) as error:
            raise SourceError(f"{source}: line {lines.taken[-1][0] if lines.taken else '?'}: "
                              f"unreadable CSV: {error}") from None


def _source_row(record: _Record, header_map: HeaderMap, stray_lines: frozenset[int]) -> SourceRow:
    values = header_map.row_values([cell if cell.strip() else None for cell in record.cells])
    issues: tuple[Issue, ...] = ()
    if record.swallowed:
        issues = (_open_quote(record, header_map),)
    elif stray_lines:
        issues = tuple(_stray_line(record, number, header_map)
                       for number in range(record.line, record.last_line + 1) if number in stray_lines)
    return SourceRow(record.line, values, issues=issues)


def _open_quote(record: _Record, header_map: HeaderMap) -> Issue:
    position = next((i for i, cell in enumerate(record.cells) if "\n" in cell or "\r" in cell), 0)
    cell = record.cells[position] if record.cells else ""
    first, last = record.swallowed
    span = f"line {first}" if first == last else f"lines {first}–{last}"
    rule = (f'a quote (") opens this cell and is not closed on its line: {span} were read into it; '
            f"they are read again as rows of their own. Check the quotes on line {record.line}")
    return Issue(record.line, header_map.name_at(position), cell.splitlines()[0] if cell else None, rule)


def _stray_line(record: _Record, number: int, header_map: HeaderMap) -> Issue:
    position = next((i for i, cell in enumerate(record.cells) if not cell.isascii()), 0)
    value = record.cells[position] if record.cells else None
    rule = f"line {number} is not UTF-8 like the rest of the file: read as {STRAY_NAME}; save the whole file as CSV UTF-8"
    return Issue(record.line, header_map.name_at(position), value, rule, "warning")
