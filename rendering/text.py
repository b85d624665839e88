"""Listing text rules: cleaning catalogue text, fitting text to a limit.

Limits count characters (code points) of NFC text, as the platforms do. Cutting happens at a word
boundary; only a single word longer than the whole budget is cut inside, and then never between a
letter and its combining mark.

This module is the one owner of title fitting: `fit_title` fits a title, and `could_be_fitted`
answers whether a title read back from a shop could be one it fitted. Reconciliation asks the
latter, so a change to the fitting never makes our own live titles look edited.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from itertools import chain

from catalogue.normalise import comparison_key

_TAG = re.compile(r"<[^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_TRAILING_JOINERS = " -–—,;:/&+(|.·_"
_WORD_END = re.compile(r"[\s,;:!?]")


def plain(value: str | None) -> str:
    """One line of catalogue text as plain text: NFC, markup and control characters removed."""
    return " ".join(plain_paragraphs(value))


def plain_paragraphs(value: str | None) -> list[str]:
    """Catalogue free text as plain paragraphs (blank-line or line-break separated)."""
    if not value:
        return []
    text = unicodedata.normalize("NFC", value)
    while (stripped := _TAG.sub(" ", text)) != text:  # "<<b>script>" leaves "<script>" after one pass
        text = stripped
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    paragraphs = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return [paragraph for paragraph in paragraphs if paragraph]


def contains_pack(name: str, pack: str) -> bool:
    """True when the name already states the pack size ("Gạo ST25 5kg" and "5 kg")."""
    return bool(pack) and _squeeze(pack) in _squeeze(name)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def cut_at_word(text: str, max_chars: int) -> str:
    """The longest prefix of `text` within `max_chars` that ends at a word boundary.

    Trailing separators ("-", ",", "(") are dropped. If even the first word is longer than the
    budget, it is cut at the last character boundary that does not split a combining sequence.
    """
    if len(text) <= max_chars:
        return text
    if max_chars <= 0:
        return ""
    ends = [match.start() for match in _WORD_END.finditer(text, 1, max_chars + 1)]
    if ends:
        boundary = ends[-1]
        cut = _close_brackets(text[:boundary]).rstrip(_TRAILING_JOINERS + "\n")
        if cut:
            return cut
    return _cut_inside_word(text, max_chars)


def _close_brackets(text: str) -> str:
    """Drop a parenthetical the cut left open: "Gạo ST25 (loại đặc" -> "Gạo ST25"."""
    opened = text.rfind("(")
    return text[:opened] if opened > text.rfind(")") else text


def _cut_inside_word(text: str, max_chars: int) -> str:
    end = max_chars
    while end > 0 and unicodedata.combining(text[end]):
        end -= 1
    return text[:end]


def fit_title(compose: Callable[[str, bool], str], name: str, max_chars: int) -> str | None:
    """Fit a title composed by `compose(name, with_optional_parts)` within `max_chars`.

    Order of sacrifice: optional parts (e.g. the origin) first, then the tail of the product name,
    word by word. The parts the template always keeps (pack size, "OCOP 4★") are never cut. None
    when even a one-character name does not fit.
    """
    for with_optional in (True, False):
        title = compose(name, with_optional)
        if len(title) <= max_chars:
            return title
    budget = len(name) - (len(compose(name, False)) - max_chars)
    while budget > 0:
        title = compose(cut_at_word(name, budget), False)
        overflow = len(title) - max_chars
        if overflow <= 0:
            return title
        budget -= overflow
    return None


def names_in_full(title: str, name: str) -> bool:
    """Whether `title` holds the whole `name` as whole words (case, tone-mark placement and punctuation aside)."""
    return f" {_key(name)} " in f" {_key(title)} "


def could_be_fitted(
    title: str, compose: Callable[[str, bool], str], name: str, *, likely_limit: int | None = None
) -> bool:
    """Whether a title read back from a shop could be the one `fit_title(compose, name, limit)` made,
    under any limit (an older one too). `likely_limit`, the limit in force, is tried first.

    Yes when it holds the whole name, whatever text stands around it (the template's, or a
    seller's); else only when it is, word for word, a title fitting gives under some limit (the
    name cut short). Compared as `comparison_key`s, so case, tone-mark placement and punctuation
    do not count. A title renamed by hand is neither.
    """
    if names_in_full(title, name):
        return True
    key = _key(title)
    composed = cache(compose)   # the few distinct cuts of the name serve every limit
    likely = [fit_title(composed, name, likely_limit)] if likely_limit else []
    fitted_titles = chain(likely, _fitted_titles(composed, name))
    return any(fitted is not None and _key(fitted) == key for fitted in fitted_titles)


def _fitted_titles(compose: Callable[[str, bool], str], name: str) -> Iterator[str]:
    """Every title `fit_title` gives for `name`, from the longest limit down, asking `fit_title`
    itself rather than restating its rule. A fitted title is what fitting gives under every limit
    from its own length up to the limit it was fitted under, so one limit per distinct title is
    asked (the contract test asks every limit)."""
    limit = len(compose(name, True))
    while limit > 0 and (title := fit_title(compose, name, limit)) is not None:
        yield title
        limit = len(title) - 1


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    return comparison_key(text)


def fit_text(compose: Callable[[str], str], free_text: str, max_chars: int, *, marker: str = "…") -> str | None:
    """Fit a text composed around `free_text` within `max_chars` by cutting the free text at a word.

    Used for descriptions: the certification facts the template adds are never cut, only the
    producer's own prose. None when the text does not fit even with no prose at all.
    """
    text = compose(free_text)
    if len(text) <= max_chars:
        return text
    budget = len(free_text) - (len(text) - max_chars) - len(marker)
    while budget > 0:
        text = compose(cut_at_word(free_text, budget) + marker)
        overflow = len(text) - max_chars
        if overflow <= 0:
            return text
        budget -= overflow
    text = compose("")
    return text if len(text) <= max_chars else None
