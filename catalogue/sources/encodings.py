"""Turning the bytes of a text export into NFC text, and refusing legacy Vietnamese font encodings.

Excel writes "CSV UTF-8" (with BOM), "Unicode Text" (UTF-16LE, tab-separated) or the Windows
codepage (cp1258, which decodes to decomposed marks). Older government files use the TCVN3 (ABC)
or VNI fonts: their bytes decode without error but read as "Hîp t¸c x·" / "Hôïp taùc xaõ", so they
are recognised by the characters such text is made of and refused with a clear message.
"""

from __future__ import annotations

import codecs
import re

from catalogue.normalise import nfc
from catalogue.sources.table import SourceError

# Characters Vietnamese Unicode text never contains, but TCVN3 / VNI text read as Unicode is full of.
_TCVN3_MARKS = re.compile("[¨©ª«¬®µ¶·¸¹]")
_VNI_MARKS = re.compile("[øïñÑöûØÏÖÛ]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SAMPLE = 200_000


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """The file's text in NFC and the encoding it was read with."""
    text, encoding = _decode(data, source)
    legacy = legacy_font_encoding(text)
    if legacy:
        raise SourceError(
            f"{source}: the text is in the legacy {legacy} font encoding (reads like "
            f"{_example(text, legacy)!r}); convert it to Unicode first (e.g. Unikey's converter, "
            f"{legacy} -> Unicode) and save as CSV UTF-8 or XLSX")
    return nfc(text), encoding


def legacy_font_encoding(text: str) -> str | None:
    """"TCVN3" or "VNI" when the text looks typed in those fonts, else None."""
    sample = text[:_SAMPLE]
    non_ascii = len(_NON_ASCII.findall(sample))
    if non_ascii < 3:
        return None
    tcvn3 = len(_TCVN3_MARKS.findall(sample))
    vni = len(_VNI_MARKS.findall(sample))
    if max(tcvn3, vni) < 3 or max(tcvn3, vni) < 0.15 * non_ascii:
        return None
    return "TCVN3" if tcvn3 >= vni else "VNI"


def _decode(data: bytes, source: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8", source), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", source), "utf-16"
    if _looks_utf16le(data):
        return _strict(data, "utf-16-le", source), "utf-16-le"
    if b"\x00" in data[:4096]:
        raise SourceError(f"{source}: not a text file (binary content); expected CSV or XLSX")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    legacy = legacy_font_encoding(data[:_SAMPLE].decode("cp1252", errors="replace"))
    if legacy:
        return data.decode("cp1252", errors="replace"), legacy
    try:
        return data.decode("cp1258"), "cp1258"
    except UnicodeDecodeError as error:
        raise SourceError(f"{source}: cannot decode byte {data[error.start]:#04x} at offset {error.start}: "
                          "expected UTF-8, UTF-16 or Windows-1258 (cp1258) text") from None


def _looks_utf16le(data: bytes) -> bool:
    head = data[:4096]
    return len(head) >= 4 and head[1::2].count(0) > 0.4 * (len(head) // 2) and head[0::2].count(0) == 0


def _strict(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise SourceError(f"{source}: invalid {encoding} at offset {error.start}") from None


def _example(text: str, legacy: str) -> str:
    marks = _TCVN3_MARKS if legacy == "TCVN3" else _VNI_MARKS
    hit = marks.search(text)
    if hit is None:
        return ""
    start = max(0, hit.start() - 12)
    return " ".join(text[start:hit.start() + 12].split())
