"""What a listing's text claims about OCOP: the mark at all, and a star rating if it names one.

Sellers write the claim many ways: "OCOP 4 sao", "4 sao OCOP", "OCOP 4★", "★★★★ OCOP",
"(Đạt chuẩn OCOP)", "OCOP 4-star". A claim is read only next to the word OCOP, so
"5 sao" in a review quote or "500 g" does not count.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

_STAR_WORD = r"(?:sao|stars?|★|\*)"
_AFTER = re.compile(rf"ocop\W{{0,3}}(?:hạng\s*)?([1-5])\s*-?\s*{_STAR_WORD}")
_BEFORE = re.compile(rf"([1-5])\s*-?\s*{_STAR_WORD}\W{{0,3}}ocop")
_GLYPHS_AFTER = re.compile(r"ocop\W{0,3}?(★{1,5})")
_GLYPHS_BEFORE = re.compile(r"(★{1,5})\W{0,3}ocop")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class OcopClaim:
    mentions_ocop: bool
    stars: int | None = None


NO_CLAIM = OcopClaim(mentions_ocop=False)


def read_claim(*texts: str | None) -> OcopClaim:
    """The first star rating claimed next to "OCOP" in the texts, in order (title before description)."""
    folded = [_fold(t) for t in texts if t]
    if not any("ocop" in text for text in folded):
        return NO_CLAIM
    for text in folded:
        stars = _stars_in(text)
        if stars is not None:
            return OcopClaim(mentions_ocop=True, stars=stars)
    return OcopClaim(mentions_ocop=True)


def _fold(text: str) -> str:
    """Descriptions are HTML on some channels: read the visible text."""
    visible = html.unescape(_TAG.sub(" ", text))
    return unicodedata.normalize("NFC", visible).casefold()


def _stars_in(text: str) -> int | None:
    for pattern in (_AFTER, _BEFORE):
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    for pattern in (_GLYPHS_AFTER, _GLYPHS_BEFORE):
        match = pattern.search(text)
        if match:
            return len(match.group(1))
    return None
