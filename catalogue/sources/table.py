"""What every reader returns: numbered rows keyed by canonical column, or a SourceError."""

from __future__ import annotations

from dataclasses import dataclass, field


class SourceError(Exception):
    """The source cannot be read at all (encoding, format, missing columns, HTTP): nothing is ingested."""


@dataclass(frozen=True)
class SourceRow:
    number: int                      # as the user finds it: spreadsheet row, file line, or registry item
    values: dict[str, object]        # canonical column -> raw value (str, or None when blank)


@dataclass
class SourceTable:
    source: str
    rows: list[SourceRow]
    columns: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    detail: str = ""                 # e.g. the encoding or sheet that was read
    extras: dict[str, str | None] = field(default_factory=dict)


def is_data_row(cells: list[object]) -> bool:
    """Blank lines, section headings ("I. THỰC PHẨM") and footers hold at most one value: not products."""
    filled = 0
    for cell in cells:
        if cell is not None and str(cell).strip():
            filled += 1
            if filled >= 2:
                return True
    return False
