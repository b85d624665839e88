"""Readers that turn a catalogue source into numbered rows of canonical columns.

`read_file` recognises the format from the content (XLSX is a zip archive, legacy .xls an OLE
file, JSON starts with "[" or "{", anything else is read as delimited text); the registry pull
lives in `registry`.
"""

from __future__ import annotations

from pathlib import Path

from catalogue.sources.csv_file import read_csv
from catalogue.sources.json_file import read_json
from catalogue.sources.mapping import ColumnMapping, MissingColumns, load_mapping, mapping_beside
from catalogue.sources.table import SourceError, SourceRow, SourceTable
from catalogue.sources.xlsx_archive import ENCRYPTED_ADVICE
from catalogue.sources.xlsx_file import read_xlsx

__all__ = ["ColumnMapping", "MissingColumns", "SourceError", "SourceRow", "SourceTable", "load_mapping",
           "mapping_beside", "read_file"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# Office keeps a password-protected .xlsx in an OLE container whose directory names this stream.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CHUNK = 1 << 20


def read_file(path: Path | str, mapping: ColumnMapping | None = None) -> SourceTable:
    """The source's rows; `mapping` (a columns file) maps the file's own headers onto the documented columns."""
    path = Path(path)
    table = _read(path, mapping)
    if mapping is not None and mapping.path is not None:
        table.detail = f"{table.detail}; columns mapped by {mapping.path.name}"
    return table


def _read(path: Path, mapping: ColumnMapping | None) -> SourceTable:
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError as error:
        raise SourceError(f"{path}: cannot open ({error.strerror})") from None
    if head.startswith(_ZIP_MAGIC):
        return read_xlsx(path, mapping)
    if head.startswith(_OLE_MAGIC):
        if _holds_encrypted_package(path):
            raise SourceError(f"{path}: the workbook is encrypted (password-protected); {ENCRYPTED_ADVICE}")
        raise SourceError(f"{path}: a legacy Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV UTF-8")
    if head.startswith(b"%PDF"):
        raise SourceError(f"{path}: a PDF, not a CSV or XLSX file")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return read_json(path, mapping)
    return read_csv(path, mapping)


def _holds_encrypted_package(path: Path) -> bool:
    overlap = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if _ENCRYPTED_PACKAGE in overlap + chunk:
                return True
            overlap = chunk[-len(_ENCRYPTED_PACKAGE):]
    return False
