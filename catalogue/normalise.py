"""Normalising catalogue text: Unicode form, tone marks, whitespace, junk in names, codes and SKUs.

Real exports mix NFC and NFD, place tone marks differently ("Hoá" / "Hóa", "uỷ" / "ủy") and
decorate names with certification claims ("✓OCOP–", "(Đạt chuẩn OCOP)"). Stored text is NFC with
the junk removed; comparisons use `comparison_key`, which also fixes the tone-mark placement.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

# The five Vietnamese tone marks as combining characters (huyền, sắc, ngã, hỏi, nặng).
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
_SHAPED_VOWELS = "ăâêôơư"   # vowels whose shape mark attracts the tone mark

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_NOT_WORD = re.compile(r"[\W_]+")

_SEPARATOR = "-–—|:_~•·"
_LEADING_JUNK = re.compile(r"^[\s_*.\-–—·•|:~#✓✔☑★☆⭐]+")
_TRAILING_JUNK = re.compile(r"[\s_*\-–—·•|:~#✓✔☑★☆⭐]+$")

# A certification claim is removed as a whole phrase: its lead-in ("Sản phẩm", "Đạt chuẩn", "SP"),
# the stars before or after it and "quốc gia", so no "Đạt" or "Đạt chuẩn quốc gia" is left behind.
# "OCOP" is a word of its own even next to "_" ("OCOP_Hạt sen"), which `\b` would not see.
_STARS = r"(?:[1-5]\s*(?:sao(?![^\W_])|★+|☆+|\*+(?!\s*\d))|[★☆⭐]+)"   # "3*" is a claim, "3*100g" a pack
_OCOP = rf"(?<![^\W_])ocop(?:(?![^\W_])|(?={_STARS}))"
_LEAD_IN = (r"(?<![^\W_])(?:(?:sản\s+phẩm|sp)\s+)?"
            r"(?:(?:đạt\s+chuẩn|đạt|chứng\s+nhận|được\s+công\s+nhận|công\s+nhận|xếp\s+hạng|hạng)\s*[-–:]?\s*)?")
_LEVEL = r"(?:cấp\s+tỉnh|(?:cấp\s+)?quốc\s+gia)"
_CLAIM = re.compile(
    rf"{_LEAD_IN}(?:(?:{_STARS}\s*)?{_OCOP}(?:\s*[-–]?\s*(?:{_STARS}|{_LEVEL}))*|{_STARS}(?:\s*{_LEVEL})?)",
    re.IGNORECASE)
_BRACKETED_CLAIM = re.compile(rf"[(\[][^()\[\]]*?(?:{_OCOP}|{_STARS})[^()\[\]]*[)\]]", re.IGNORECASE)
# "OCOP Hải Phòng - ", "OCOP tỉnh Quảng Ninh - ": the province's programme, a claim too. The words
# after OCOP are a place only when they name a province (checked against catalogue.provinces).
_PROGRAMME = re.compile(
    rf"{_LEAD_IN}{_OCOP}\s+(?:(?:tỉnh|thành\s+phố|tp\.?)\s*)?(?P<place>[^\W\d_]+(?:\s*-\s*[^\W\d_]+|\s+[^\W\d_]+){{0,4}})",
    re.IGNORECASE)
_PLACE_WORD_END = re.compile(r"[^\W\d_](?=\s|-|$)")
_SEPARATOR_RUN = re.compile(rf"\s*([{_SEPARATOR}])(?:\s*[{_SEPARATOR}])+\s*")
_EMPTY_BRACKETS = re.compile(r"[(\[]\s*[)\]]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,;.!?)\]])")

_SKU_MAX = 50
_SKU_PREFIX = "OCOP-"
_SKU_PLAIN = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_text(value: object) -> str:
    """NFC, invisible characters removed, runs of whitespace collapsed to one space, trimmed."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable() and "  " not in text:   # the common case, kept cheap: no tabs, NBSP or invisibles
        return (text if text.isascii() else nfc(text)).strip()
    text = _INVISIBLE.sub("", nfc(text).replace("\u00a0", " "))
    return _SPACES.sub(" ", text).strip()


def clean_product_name(value: object) -> str:
    """A product name without certification claims and decoration: "✓OCOP– Hạt sen" -> "Hạt sen".

    The one owner of the claim rule: ingest stores names through it and rendering applies it again,
    so a name stored before a rule was added cannot carry a claim into a listing. Claims go as whole
    phrases; the separators around them collapse to one, and none is left at either end.
    """
    name = clean_text(value)
    name = _BRACKETED_CLAIM.sub(" ", name)
    name = _PROGRAMME.sub(_without_programme, name)
    name = _CLAIM.sub(" ", name)
    name = _EMPTY_BRACKETS.sub(" ", name)
    name = _SEPARATOR_RUN.sub(lambda match: f" {match.group(1)} ", name)
    name = _TRAILING_JUNK.sub("", _LEADING_JUNK.sub("", name))
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", name)).strip()


def _without_programme(match: re.Match[str]) -> str:
    """What follows "OCOP ‹province›", or the match unchanged when the words after OCOP name no province."""
    place = match.group("place")
    for end in reversed([word.end() for word in _PLACE_WORD_END.finditer(place)]):
        if _is_province(place[:end]):
            return " " + place[end:]
    return match.group()


def _is_province(text: str) -> bool:
    return comparison_key(text) in _province_keys()


@lru_cache(maxsize=1)
def _province_keys() -> frozenset[str]:
    """The comparison keys of every province name, current and pre-2025."""
    # imported here, not at the top: catalogue.provinces is built on this module
    from catalogue.provinces import MERGED_INTO

    return frozenset(comparison_key(name) for new, olds in MERGED_INTO.items() for name in (new, *olds))


def canonical_tone_marks(text: str) -> str:
    """Every syllable with its tone mark in one place (classic style: "hóa", "thủy", "hoàng")."""
    return _WORD.sub(lambda match: _place_tone(match.group()), nfc(text))


def comparison_key(value: object) -> str:
    """The form two spellings of the same name share: canonical tones, lower case, punctuation as spaces."""
    text = canonical_tone_marks(clean_text(value)).casefold()
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


def product_name_key(name: str) -> str:
    return comparison_key(clean_product_name(name))


def ascii_fold(text: str) -> str:
    """Vietnamese without marks: "Đồng Tháp" -> "Dong Thap" (đ is a letter of its own, mapped explicitly)."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(text: str) -> str:
    """ASCII letters and digits joined by hyphens: "Hạt sen sấy" -> "Hat-sen-say"."""
    folded = ascii_fold(text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-")


def seller_sku(ocop_code: str) -> str:
    """The deterministic seller SKU of a product: ASCII, upper case, no spaces, at most 50 characters.

    It is derived from the OCOP code alone, never from the name, because every marketplace write is
    keyed by it: renaming a product must not create a second listing. A code that does not survive
    the ASCII fold unchanged, or is too long, gets a short hash so two codes never share a SKU.
    """
    code = clean_text(ocop_code)
    body = slug(code).upper()
    if code.upper() == body and _SKU_PLAIN.match(body) and len(_SKU_PREFIX) + len(body) <= _SKU_MAX:
        return _SKU_PREFIX + body
    digest = hashlib.sha256(code.encode()).hexdigest()[:8].upper()
    room = _SKU_MAX - len(_SKU_PREFIX) - len(digest) - 1
    head = body[:room].rstrip("-")
    return f"{_SKU_PREFIX}{head}-{digest}" if head else f"{_SKU_PREFIX}{digest}"


@lru_cache(maxsize=65_536)   # a language has few syllables: names repeat them endlessly
def _place_tone(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return word
    bare = nfc("".join(ch for ch in decomposed if ch not in _TONES))
    position = _tone_position(bare.lower())
    if position is None:
        return word
    return nfc(bare[: position + 1] + tones[0] + bare[position + 1:])


def _tone_position(syllable: str) -> int | None:
    """Index of the vowel that carries the tone mark in a (mark-less, lower-case) syllable."""
    start = 0
    if syllable.startswith("qu"):
        start = 2
    elif syllable.startswith("gi") and len(syllable) > 2 and syllable[2] in _VOWELS:
        start = 2
    vowels = [i for i in range(start, len(syllable)) if syllable[i] in _VOWELS]
    if not vowels:
        return 1 if syllable.startswith("gi") else None
    first = vowels[0]
    cluster = [first]
    while cluster[-1] + 1 < len(syllable) and syllable[cluster[-1] + 1] in _VOWELS:
        cluster.append(cluster[-1] + 1)
    shaped = [i for i in cluster if syllable[i] in _SHAPED_VOWELS]
    if shaped:
        return shaped[-1]
    if len(cluster) == 1:
        return first
    if cluster[-1] + 1 < len(syllable):   # a final consonant follows: "hoàng", "toán"
        return cluster[-1]
    return cluster[1] if len(cluster) == 3 else first
