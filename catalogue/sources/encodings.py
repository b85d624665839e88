"""Recognising the text encoding of a catalogue export, and refusing legacy Vietnamese font encodings.

Excel writes "CSV UTF-8" (with BOM), "Unicode Text" (UTF-16LE, tab-separated) or the Windows
codepage (cp1258, which decodes to decomposed marks; values are NFC-normalised when cleaned).
Older government files use the TCVN3 (ABC) or VNI fonts: their bytes decode without error but
read as "Hîp t¸c x·" / "Hôïp taùc xaõ", so they are recognised by the characters such text is made
of and refused with a clear message. The file is checked in chunks, never held whole in memory.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from catalogue.messages import summarise
from catalogue.sources.table import SourceError

# Characters Vietnamese Unicode text never contains, but TCVN3 / VNI text read as Unicode is full of.
_TCVN3_MARKS = re.compile("[¨©ª«¬®µ¶·¸¹]")
_VNI_MARKS = re.compile("[øïñÑöûØÏÖÛ]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
SAMPLE_BYTES = 256 * 1024
_CHUNK = 1 << 20


@dataclass(frozen=True)
class TextEncoding:
    codec: str                          # what the file is read with
    stray_lines: frozenset[int] = frozenset()   # lines of a UTF-8 file that are not UTF-8 (read as STRAY_CODEC)


STRAY_CODEC = "cp1258"
STRAY_NAME = "Windows-1258 (cp1258)"


def detect_encoding(path: Path) -> TextEncoding:
    """How to read `path`; SourceError if it is binary, undecodable or legacy-font text.

    A UTF-8 file with a few lines in another encoding (pasted from an older export) is read, those
    lines as Windows-1258: the rows on them carry a warning naming the line and the encoding.
    """
    source = str(path)
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = TextEncoding("utf-16")
    elif _looks_utf16le(head):
        encoding = TextEncoding("utf-16-le")
    elif _looks_binary(head[:4096]):
        raise SourceError(f"{source}: not a text file (binary content: {_control_bytes(head[:4096])} of its first "
                          f"{len(head[:4096]):,} bytes are control codes); expected CSV or XLSX")
    else:
        encoding = _utf8_or_codepage(path, head)
    sample = head.decode(encoding.codec, errors="ignore")
    legacy = legacy_font_encoding(sample)
    if legacy:
        raise _legacy_error(source, legacy, sample)
    return encoding


def _utf8_or_codepage(path: Path, head: bytes) -> TextEncoding:
    codec = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    if _decodes(path, codec):
        return TextEncoding(codec)
    utf8_lines, stray_lines = _utf8_line_scan(path)
    if not stray_lines or (codec == "utf-8-sig" or utf8_lines >= len(stray_lines)):
        return TextEncoding(codec, frozenset(stray_lines))
    text = head.decode("cp1252", errors="replace")
    legacy = legacy_font_encoding(text)
    if legacy:
        raise _legacy_error(str(path), legacy, text)
    if not _decodes(path, STRAY_CODEC):
        raise SourceError(f"{path}: cannot decode the text: expected UTF-8, UTF-16 or {STRAY_NAME}")
    return TextEncoding(STRAY_CODEC)


def _utf8_line_scan(path: Path) -> tuple[int, list[int]]:
    """How many non-ASCII lines are UTF-8, and which lines are not (numbered from 1)."""
    utf8_lines, stray_lines = 0, []
    with path.open("rb") as handle:
        for number, line in enumerate(physical_lines(handle), start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                utf8_lines += 1
            except UnicodeDecodeError:
                stray_lines.append(number)
    return utf8_lines, stray_lines


def physical_lines(handle: BinaryIO) -> Iterator[bytes]:
    """The lines of a byte stream as an editor numbers them: ended by LF, CRLF or a lone CR (old Mac files)."""
    for line in handle:
        if b"\r" in line and line.count(b"\r") > line.endswith(b"\r\n"):
            yield from line.splitlines(keepends=True)
        else:
            yield line


def legacy_font_encoding(text: str) -> str | None:
    """"TCVN3" or "VNI" when the text looks typed in those fonts, else None."""
    non_ascii = len(_NON_ASCII.findall(text))
    if non_ascii < 3:
        return None
    tcvn3 = len(_TCVN3_MARKS.findall(text))
    vni = len(_VNI_MARKS.findall(text))
    if max(tcvn3, vni) < 3 or max(tcvn3, vni) < 0.05 * non_ascii:
        return None
    return "TCVN3" if tcvn3 >= vni else "VNI"


def legacy_font_example(text: str, legacy: str) -> str:
    """A few words around the first tell-tale character, to show what the text reads like."""
    marks = _TCVN3_MARKS if legacy == "TCVN3" else _VNI_MARKS
    hit = marks.search(text)
    start = max(0, hit.start() - 12) if hit else 0
    return " ".join(text[start:start + 24].split())


def legacy_font_advice(legacy: str) -> str:
    return (f"convert it to Unicode first (e.g. Unikey's converter, {legacy} -> Unicode) "
            "and save as CSV UTF-8 or XLSX")


def _legacy_error(source: str, legacy: str, text: str) -> SourceError:
    example = legacy_font_example(text, legacy)
    marks = _TCVN3_MARKS if legacy == "TCVN3" else _VNI_MARKS
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if marks.search(line)]
    return SourceError(f"{source}: the text is in the legacy {legacy} font encoding (lines {summarise(lines, 5)}; "
                       f"reads like {example!r}); {legacy_font_advice(legacy)}")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_CONTROL_BYTES = bytes(range(0x20)).translate(None, b"\t\n\r\x1b")


def _control_bytes(head: bytes) -> int:
    return len(head) - len(head.translate(None, _CONTROL_BYTES))


def _looks_binary(head: bytes) -> bool:
    """Images, archives, executables: many control bytes. A text file with a stray NUL is still text: the
    rows holding it are rejected by name (catalogue.characters), not the whole file."""
    return bool(head) and _control_bytes(head) > max(2, 0.02 * len(head))


def _looks_utf16le(head: bytes) -> bool:
    head = head[:4096]
    return len(head) >= 4 and head[1::2].count(0) > 0.4 * (len(head) // 2) and head[0::2].count(0) == 0
