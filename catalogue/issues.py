"""What ingest says about a row: its place (sheet and row, or file line), the field, the value and the rule broken."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.messages import quoted
from ocop.text import visible


def place(sheet: str | None, row: int) -> str:
    """Where a user finds a row: "row 12", or "sheet '2024' row 12" in a workbook read sheet by sheet."""
    return f"sheet '{sheet}' row {row}" if sheet else f"row {row}"


@dataclass(frozen=True, slots=True)
class Issue:
    row: int
    field: str
    value: str | None    # whole, with control characters shown as escapes (see messages.visible)
    rule: str
    severity: str = "error"    # error: row rejected | warning: row kept | duplicate: row merged or flagged
    sheet: str | None = None

    def __post_init__(self) -> None:
        if self.value is not None and not self.value.isprintable():
            object.__setattr__(self, "value", visible(self.value))

    @property
    def key(self) -> tuple[str, int]:
        return (self.sheet or "", self.row)

    def __str__(self) -> str:
        return f"{place(self.sheet, self.row)}, {self.field} = {quoted(self.value)}: {self.rule}"
