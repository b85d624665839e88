"""Characters a catalogue value may not carry, decided per class (docs/catalogue-columns.md, "Characters").

- Refused (the row is rejected): NUL and unpaired surrogates, which the database cannot store
  (PostgreSQL refuses NUL; a surrogate cannot be encoded), and the non-characters U+FFFE/U+FFFF,
  which no XML (so no XLSX report) may hold; control characters (C0 other than tab and line ends,
  DEL, C1), which are never text: terminal escape codes, printer codes, or a damaged file. Removing
  an ESC would leave the rest of its escape sequence as a product name.
- Removed with a warning (the row lands): bidirectional controls (U+202A–U+202E, U+2066–U+2069,
  U+200E/U+200F, U+061C) and other invisible format characters. Vietnamese is written left to
  right: these only reorder or hide what a buyer and the province office read.
- Removed silently by `normalise.clean_text`: zero-width spaces and joiners, soft hyphens, BOMs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SILENT_FORMAT = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")   # what clean_text removes anyway
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WHITESPACE_CONTROLS = frozenset("\t\n\r")


@dataclass(frozen=True)
class Screened:
    text: str                       # the value, with what is removed with a warning removed
    refusal: str | None = None      # why the value cannot be stored (the row is rejected)
    removed: str | None = None      # what was removed (a warning)


def screen(text: str) -> Screened:
    """Sort a value's unusual characters into refused / removed with a warning / fine. Cheap for plain text."""
    if text.isprintable():
        return Screened(text)
    unusual = sorted({char for char in text if not char.isprintable()} - _WHITESPACE_CONTROLS - _SILENT_FORMAT)
    refused = [char for char in unusual if _refused(char)]
    if refused:
        return Screened(text, refusal=_refusal(text, refused))
    removable = [char for char in unusual if unicodedata.category(char) == "Cf"]
    if not removable:
        return Screened(text)
    kept = re.sub("[" + re.escape("".join(removable)) + "]", "", text)
    return Screened(kept, removed=_removal(removable))


def _refused(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cc", "Cs") or _is_noncharacter(char)


def _is_noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _refusal(text: str, refused: list[str]) -> str:
    first = refused[0]
    position = text.index(first) + 1
    named = describe(first)
    if first == "\x00":
        return (f"holds a NUL character (U+0000) at character {position}, which the database cannot store; "
                "the file may be damaged: remove it")
    if unicodedata.category(first) == "Cs":
        return f"holds {named} at character {position} (a broken UTF-16 escape), which the database cannot store"
    if _is_noncharacter(first):
        return f"holds {named} at character {position}, which is not a character (no spreadsheet can hold it)"
    return (f"holds the control character {named} at character {position}: control characters are not text "
            "(terminal or printer codes, or a damaged file); remove it")


def _removal(removable: list[str]) -> str:
    kinds = "bidirectional control" if all(char in _BIDI for char in removable) else "invisible formatting character"
    plural = "s" if len(removable) > 1 else ""
    return f"removed the {kinds}{plural} {', '.join(describe(char) for char in removable)}: it only reorders or hides text"


def describe(char: str) -> str:
    """"U+202E (RIGHT-TO-LEFT OVERRIDE)", "U+001B (ESC)"."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


_CONTROL_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BACKSPACE", "\x0b": "VERTICAL TAB", "\x0c": "FORM FEED",
                  "\x1b": "ESC", "\x7f": "DEL"}
