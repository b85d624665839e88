"""One pass over an XLSX archive before its rows are read: damage found, and what the streaming reader misses.

openpyxl's read-only reader streams a sheet by its real rows (a stray cell in A1048576 costs
nothing), but it does not give the merged ranges (they follow the rows in the sheet's XML) nor
tell a formula that was never calculated from an empty cell. So every part of the archive is
decompressed once here: a damaged part (bad CRC, broken deflate data) or an encrypted one refuses
the file by name, and each worksheet's XML is searched, as bytes, for its merged ranges and its
formula cells without a saved value.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from openpyxl.utils import column_index_from_string

from catalogue.sources.table import SourceError

_CHUNK = 1 << 20
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
_REF = rb'([A-Z]{1,3})(\d{1,7})'


@dataclass(frozen=True)
class MergedRange:
    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass
class SheetScan:
    merged: list[MergedRange] = field(default_factory=list)
    uncalculated: set[tuple[int, int]] = field(default_factory=set)   # (row, column) of formulas with no value


ENCRYPTED_ADVICE = ("remove the password (Excel: File > Info > Protect Workbook > Encrypt with Password, "
                    "clear it) and save it again as .xlsx")


def scan_archive(path: Path, source: str) -> dict[str, SheetScan]:
    """Worksheet part name -> what its XML says; SourceError naming the part that cannot be read."""
    scans: dict[str, SheetScan] = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.flag_bits & 0x1:
                raise SourceError(f"{source}: the workbook is encrypted (its part {info.filename} needs a password); "
                                  f"{ENCRYPTED_ADVICE}")
            try:
                with archive.open(info) as stream:
                    if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                        scans[info.filename] = _scan_sheet(stream)
                    else:
                        while stream.read(_CHUNK):
                            pass
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                raise SourceError(f"{source}: the workbook is damaged: its part {info.filename} cannot be read "
                                  f"({error}); open it in Excel and save it again, or export it again") from None
    return scans


def _scan_sheet(stream: IO[bytes]) -> SheetScan:
    scan = SheetScan()
    first = stream.read(_CHUNK)
    root = _ROOT.search(first)
    patterns = _Patterns(root[1] + b":" if root and root[1] else b"")
    carry = first
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            _scan_piece(carry, patterns, scan)
            return scan
        buffer = carry + chunk
        cut = _safe_cut(buffer)
        _scan_piece(buffer[:cut], patterns, scan)
        carry = buffer[cut:]


def _safe_cut(buffer: bytes) -> int:
    """Just after the last cell that is closed in the buffer (else the last tag), so no cell is split."""
    closed_cell = buffer.rfind(b"c>")
    if closed_cell >= 0:
        return closed_cell + 2
    return buffer.rfind(b">") + 1


class _Patterns:
    """The sheet's tags, with the namespace prefix some writers put on every tag ("x:c")."""

    def __init__(self, prefix: bytes):
        tag = re.escape(b"<" + prefix)
        self.formula = re.compile(tag + rb"f[\s>/]")
        self.cell_start = re.compile(tag + rb"c\s[^>]*>\Z")
        self.cell_ref = re.compile(rb'\sr="' + _REF + b'"')
        self.value = re.compile(tag + rb"v>[^<]")               # a saved value (openpyxl writes an empty <v />)
        self.empty_value = re.compile(tag + rb"v[\s>/]")       # a string formula may have saved ""
        self.merge = re.compile(tag + rb'mergeCell\s[^>]*?ref="' + _REF + rb'(?::' + _REF + rb')?"')


def _has_value(piece: bytes, start: int, end: int, cell_tag: bytes, patterns: _Patterns) -> bool:
    if patterns.value.search(piece, start, end):
        return True
    return b't="str"' in cell_tag and patterns.empty_value.search(piece, start, end) is not None


def _scan_piece(piece: bytes, patterns: _Patterns, scan: SheetScan) -> None:
    for match in patterns.formula.finditer(piece):
        start = patterns.cell_start.search(piece, max(0, match.start() - 400), match.start())
        reference = patterns.cell_ref.search(start[0]) if start else None
        if reference is None:
            continue          # a cell without its reference: its place cannot be told
        end = piece.find(b"c>", match.end())
        if not _has_value(piece, match.end(), end if end >= 0 else len(piece), start[0], patterns):
            scan.uncalculated.add((int(reference[2]), column_index_from_string(reference[1].decode())))
    for match in patterns.merge.finditer(piece):
        first_col, first_row = column_index_from_string(match[1].decode()), int(match[2])
        last_col = column_index_from_string(match[3].decode()) if match[3] else first_col
        last_row = int(match[4]) if match[4] else first_row
        scan.merged.append(MergedRange(first_row, first_col, last_row, last_col))
