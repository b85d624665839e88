"""Contact details in a producer's description, which marketplaces forbid in a listing.

The catalogue keeps them; a listing leaves out every sentence that holds one, so that no "Liên hệ:"
or "Đặt hàng qua Zalo" is left dangling, and says which kinds it left out so the producer report
can tell the producer why the listing's description is shorter than theirs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class ContactKind(StrEnum):
    PHONE = "phone"
    MAP_LINK = "map_link"
    ZALO = "zalo"
    FACEBOOK = "facebook"
    WEBSITE = "website"
    EMAIL = "email"


_LINK_START = r"(?<![\w@.])(?:https?://)?(?:www\.)?"
# Most specific first (see `_kinds_in`).
_PATTERNS: tuple[tuple[ContactKind, re.Pattern[str]], ...] = (
    (ContactKind.EMAIL, re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (ContactKind.MAP_LINK, re.compile(
        _LINK_START + r"(?:maps\.app\.goo\.gl|goo\.gl/maps|maps\.google\.[a-z.]+|google\.[a-z.]+/maps)\S*", re.I)),
    (ContactKind.ZALO, re.compile(_LINK_START + r"(?:chat\.)?zalo\.me/\S+", re.I)),
    (ContactKind.FACEBOOK, re.compile(
        _LINK_START + r"(?:(?:m|web|business)\.)?(?:facebook\.com|fb\.com|fb\.me|m\.me)/\S+", re.I)),
    (ContactKind.WEBSITE, re.compile(
        r"https?://\S+|(?<![\w@.])www\.\S+"
        r"|(?<![\w@.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|vn|net|org|shop|store|online|site|info|biz)(?![\w.]*\w)\S*",
        re.I)),
    # Mobiles 0[35789]x xxx xxxx, landlines 02xx xxxx xxx, with +84 / 0084 for the leading 0, digits
    # grouped by spaces, dots or dashes; hotlines 1800 / 1900. Not a 13-digit barcode or an OCOP code.
    (ContactKind.PHONE, re.compile(
        r"(?<![\w+])(?:\(\+84\)|\+84|0084|0)[\s.-]?(?:2(?:[\s.-]?\d){9}|[35789](?:[\s.-]?\d){8})(?!\d)"
        r"|(?<!\d)1[89]00(?:[\s.-]?\d){4,6}(?!\d)")),
)
# A sentence ends at . ! ? … before a space, except after an abbreviation of a place ("TP. Huế").
_SENTENCE_END = re.compile(r"(?<![\s.]TP\.)(?<![\s.]Tp\.)(?<![\s.]TX\.)(?<!\s[PQ]\.)(?<=[.!?…])\s+")


def without_contact_details(paragraphs: Iterable[str]) -> tuple[list[str], tuple[ContactKind, ...]]:
    """The paragraphs without the sentences that give a contact detail, and the kinds found (in
    `ContactKind` order, so the same kinds always read the same in a report)."""
    kept_paragraphs: list[str] = []
    found: set[ContactKind] = set()
    for paragraph in paragraphs:
        kept = []
        for sentence in _SENTENCE_END.split(paragraph):
            kinds = _kinds_in(sentence)
            found.update(kinds)
            if not kinds:
                kept.append(sentence)
        if kept:
            kept_paragraphs.append(" ".join(kept))
    return kept_paragraphs, tuple(kind for kind in ContactKind if kind in found)


def _kinds_in(sentence: str) -> list[ContactKind]:
    """Each detail counted once, as its most specific kind: a map link is not a website too."""
    kinds = []
    for kind, pattern in _PATTERNS:
        sentence, count = pattern.subn(" ", sentence)
        if count:
            kinds.append(kind)
    return kinds
