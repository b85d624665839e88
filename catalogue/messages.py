"""Putting catalogue values into messages: control characters shown, long values cut, long lists summed up.

A message is read in a terminal, a log or a Prefect artifact: a 2,000,000-character cell or 20,000
column names must not flood it, and an ESC or a right-to-left override must not act on it. The
rejects file keeps each value whole (with control characters shown the same way).
"""

from __future__ import annotations

from collections.abc import Sequence

from ocop.text import visible

SHOWN_CHARACTERS = 80
SHOWN_ITEMS = 10


def shorten(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """At most about `limit` characters, saying how long the whole value is when it was cut."""
    if len(text) <= limit:
        return visible(text)
    return f"{visible(text[:limit])}… ({len(text):,} characters)"


def quoted(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """A value as a message shows it: quoted and cut, or None."""
    return "None" if value is None else f"'{shorten(str(value), limit)}'"


def summarise(items: Sequence[object], limit: int = SHOWN_ITEMS) -> str:
    """"a, b, c" or "a, b, c, … and 19,990 more"; each item cut too."""
    shown = ", ".join(shorten(str(item), 40) for item in items[:limit])
    if len(items) <= limit:
        return shown
    return f"{shown}, … and {len(items) - limit:,} more"
