"""The review lifecycle every marketplace runs on new listings: an item starts "under review" and
moves to live, or to rejected with a reason, by configurable rules once its review is due.

A review is due `delay_seconds` after the write (0: at once); it is decided lazily, on the next
read of the shop's items, which is the only moment a seller can observe it anyway.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable

from sandboxes.config import ReviewRules
from sandboxes.state import Item, SandboxState, touched


@dataclass(frozen=True)
class StatusWords:
    """A platform's words for the states the sandbox models."""

    reviewing: str
    live: str
    rejected: str
    inactive: str
    deleted: str


@dataclass(frozen=True)
class Verdict:
    approved: bool
    reason: str | None = None
    violation_type: str | None = None   # Shopee-style violation category


APPROVED = Verdict(approved=True)


def judge(item: Item, rules: ReviewRules) -> Verdict:
    text = _folded(f"{item.title}\n{item.description}")
    for word in rules.banned_words:
        if _folded(word) in text:
            return Verdict(False, f"The listing contains a prohibited word: “{word}”", "Prohibited Listing")
    if item.category_id in rules.gtin_required_categories and not item.gtin:
        return Verdict(False, f"A GTIN (barcode) is required for category {item.category_id}", "Insufficient Information")
    return APPROVED


def start_review(item: Item, rules: ReviewRules, words: StatusWords, now: float) -> Item:
    """The item as a fresh write leaves it: under review, due after the configured delay."""
    return touched(item, now, status=words.reviewing, reject_reason=None, review_due_at=now + rules.delay_seconds)


def needs_review_after_edit(item: Item, rules: ReviewRules, words: StatusWords) -> bool:
    """A rejected item goes back to review when its content changes; a live one only if configured."""
    return item.status in (words.rejected, words.reviewing) or (rules.review_on_update and item.status == words.live)


def settle(state: SandboxState, rules: ReviewRules, words: StatusWords, now: float, shop: str | None = None,
           on_decided: Callable[[Item], None] | None = None) -> int:
    """Decide every review that is due; returns how many items changed status. `on_decided` hears of
    each decided item (the platform's push)."""
    decided = 0
    for item in state.due_reviews(words.reviewing, now, shop):
        verdict = judge(item, rules)
        if verdict.approved:
            live = words.inactive if item.extra.get("requested_inactive") else words.live
            item = state.put(touched(item, now, status=live, reject_reason=None, review_due_at=None))
        else:
            item = state.put(touched(item, now, status=words.rejected, reject_reason=verdict.reason, review_due_at=None,
                                     extra={**item.extra, "violation_type": verdict.violation_type}))
        if on_decided is not None:
            on_decided(item)
        decided += 1
    return decided


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()
