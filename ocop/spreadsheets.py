"""Text in a CSV or XLSX cell: every text cell of every CSV and XLSX the project writes (reports, the
ingest rejects CSV, the sample catalogues) goes through `spreadsheet_text`: catalogue and platform
text is data, and must never run as a formula nor stop a workbook from being written."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ocop.text import visible

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
