"""What every reader returns: numbered rows keyed by canonical column, or a SourceError."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalogue.issues import Issue


class SourceError(Exception):
    """The source cannot be read at all (encoding, format, missing columns, HTTP): nothing is ingested."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int                      # as the user finds it: spreadsheet row, file line, or registry item
    values: dict[str, object]        # canonical column -> raw value (str, or None when blank)
    sheet: str | None = None         # the sheet, when a workbook's rows come from several
    issues: tuple[Issue, ...] = ()   # what the reader found wrong (an uncalculated formula, a line's encoding)

    @property
    def key(self) -> tuple[str, int]:
        return (self.sheet or "", self.number)


@dataclass
class SourceTable:
    """A readable source: its header was accepted; `rows` may be a stream, to be consumed once."""

    source: str
    rows: Iterable[SourceRow]
    ignored_columns: tuple[str, ...] = ()
    unknown_columns: tuple[str, ...] = ()   # the ignored headers that are no column: a columns file may map them
    detail: str = ""                 # e.g. the encoding or sheet that was read
    sheets: tuple[str, ...] = ()     # the sheets rows come from, in reading order, when there are several


def is_data_row(cells: list[object]) -> bool:
    """Blank lines, section headings ("I. THỰC PHẨM") and footers hold at most one value: not products."""
    filled = 0
    for cell in cells:
        if cell is not None and str(cell).strip():
            filled += 1
            if filled >= 2:
                return True
    return False
