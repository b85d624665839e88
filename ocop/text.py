"""Untrusted text shown to people: catalogue values, platform answers, file contents."""

from __future__ import annotations


def visible(text: str) -> str:
    """The text with every character that does not print (controls, bidi overrides, NUL) as an escape: "\\x1b"."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == " " else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
