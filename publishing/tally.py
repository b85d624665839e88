"""What one publish run did, shop by shop, as its batches go: calls made, each listing's last
outcome, who held what; the run's summary and final log line are read from it, and its progress
(`publishing.progress`).

It is the one source of the run's progress, its summary, its return value and its final state,
so that none of them claims a listing this run did not settle.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from publishing.plan import Reason
from publishing.publisher import BatchResult, ListingOutcome, OnListing

# The listing outcomes a shop's summary names (besides the calls made), in the order shown.
SUMMARY_OUTCOMES = (ListingOutcome.REFUSED, ListingOutcome.BLOCKED, ListingOutcome.FAILED, ListingOutcome.NOT_ATTEMPTED,
                    ListingOutcome.HELD, ListingOutcome.OUT_OF_SCOPE)


@dataclass
class ShopTally:
    """What one run did to one shop: the calls it made, and each listing's last outcome in this run."""

    calls: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    last: dict[int, str] = field(default_factory=dict)        # product id -> its last ListingOutcome
    outcomes: Counter[str] = field(default_factory=Counter)   # ListingOutcome -> listings, from `last`
    held_by: dict[int, str] = field(default_factory=dict)     # product id -> the run holding it
    not_sent: dict[int, Reason] = field(default_factory=dict)  # product id -> why its last outcome sent nothing
    retries: dict[str, tuple[int, int]] = field(default_factory=dict)  # error code -> (calls retried, then answered)
    estimated: set[int] = field(default_factory=set)   # product ids this run pushed with an estimated package
    stopped: str | None = None

    def settle(self, product_id: int, outcome: str, not_sent: Reason | None = None) -> None:
        previous = self.last.get(product_id)
        if previous is not None:
            self.outcomes[previous] -= 1
        self.last[product_id] = outcome
        self.outcomes[outcome] += 1
        if not_sent is None:
            self.not_sent.pop(product_id, None)
        else:
            self.not_sent[product_id] = not_sent

    def held(self) -> set[int]:
        return {pid for pid, outcome in self.last.items() if outcome == ListingOutcome.HELD}

    def held_runs(self) -> Counter[str]:
        return Counter(self.held_by.get(pid, "unknown") for pid in self.held())


class RunTally:
    """Every shop's tally for one publish run, fed by the batches as they go (from many threads)."""

    def __init__(self, shop_keys: Sequence[str], on_change: Callable[[RunTally], None] | None = None) -> None:
        self.shops = {key: ShopTally() for key in shop_keys}
        self.lock = threading.Lock()
        self._on_change = on_change or (lambda tally: None)

    def listener(self, shop_key: str) -> OnListing:
        """The `on_listing` callback for the batches of one shop."""
        return lambda product_id, outcome, not_sent: self.settle(shop_key, product_id, outcome, not_sent)

    def settle(self, shop_key: str, product_id: int, outcome: str, not_sent: Reason | None = None) -> None:
        with self.lock:
            self.shops[shop_key].settle(product_id, outcome, not_sent)
        self._on_change(self)

    def add(self, result: BatchResult) -> None:
        """A batch's calls, failures, holders and stop reason, once it is over."""
        with self.lock:
            shop = self.shops[result.shop_key]
            shop.calls.update(result.calls)
            shop.failures.update(result.failures)
            shop.held_by.update(result.held_by_listing)
            shop.estimated |= result.estimated
            shop.stopped = shop.stopped or result.stopped

    def add_retries(self, shop_key: str, retries: dict[str, tuple[int, int]]) -> None:
        """The shop's connector's retried calls over the whole run (`connectors.base.RetryCounts`)."""
        with self.lock:
            self.shops[shop_key].retries = dict(retries)

    def settled(self) -> tuple[int, int]:
        """(listings this run settled, listings handled but found settled by another run)."""
        with self.lock:
            settled = sum(shop.outcomes[name] for shop in self.shops.values() for name in ListingOutcome.SETTLED)
            elsewhere = sum(shop.outcomes[ListingOutcome.DONE_ELSEWHERE] for shop in self.shops.values())
        return settled, elsewhere

    def unfinished(self) -> dict[str, Counter[str]]:
        """Per shop, the listings left neither settled nor refused, by outcome (failed, held, ...)."""
        with self.lock:
            return {
                key: counts for key, shop in self.shops.items()
                if (counts := Counter({name: n for name, n in shop.outcomes.items() if name in ListingOutcome.UNFINISHED and n}))
            }

    def counts(self) -> dict[str, dict[str, int]]:
        """Per shop: the successful calls, failed calls by error class, listings by every outcome
        but done and unchanged, unchanged listings by why nothing was sent (`not_sent:<reason>`), the
        listings pushed with an estimated weight and box (`with_estimated_package`), and
        calls retried by error code (`retried:<code>`) with how many the platform then answered (`retried_ok:<code>`);
        zeros left out. What the flow returns, its summary's rows and its last log line."""
        with self.lock:
            return {
                key: dict(shop.calls) | {f"failed:{name}": n for name, n in shop.failures.items()}
                | {name: shop.outcomes[name] for name in SUMMARY_OUTCOMES if shop.outcomes[name]}
                | {f"{NOT_SENT}{reason}": n for reason, n in sorted(Counter(shop.not_sent.values()).items())}
                | ({ESTIMATED: len(shop.estimated)} if shop.estimated else {})
                | {f"{RETRIED}{code}": n for code, (n, _) in shop.retries.items()}
                | {f"{RETRIED_OK}{code}": ok for code, (_, ok) in shop.retries.items()}
                for key, shop in self.shops.items()
            }


NOT_SENT = "not_sent:"   # the prefix of a count of unchanged listings by `Reason`
ESTIMATED = "with_estimated_package"   # listings pushed with an estimated weight and box
RETRIED = "retried:"     # the prefix of a count of calls retried, by the error that caused it
RETRIED_OK = "retried_ok:"  # ...and of those, the ones the platform then answered


def summary_rows(counts: dict[str, dict[str, int]]) -> list[dict]:
    """The publish summary table: a row per shop, the usual columns always, any other count after them."""
    extra = sorted({name for shop in counts.values() for name in shop} - set(SUMMARY_COLUMNS))
    return [{"shop": key, **{name: shop.get(name, 0) for name in (*SUMMARY_COLUMNS, *extra)}} for key, shop in counts.items()]


def summary_line(counts: dict[str, dict[str, int]]) -> str:
    """The same counts in one line for the log: "shopee-dong-thap: 3 create, 1 not sent (refused
    until the content changes), 4 calls retried after http_503 (4 then answered); lazada-dong-thap:
    nothing to do"."""
    return "; ".join(f"{key}: " + (", ".join(_count_words(name, n, shop) for name, n in shop.items()
                                             if not name.startswith(RETRIED_OK)) or "nothing to do")
                     for key, shop in counts.items())


def _count_words(name: str, n: int, shop: dict[str, int]) -> str:
    if name.startswith(NOT_SENT):
        return f"{n} not sent ({Reason(name.removeprefix(NOT_SENT)).text})"
    if name.startswith(RETRIED):
        code = name.removeprefix(RETRIED)
        return f"{n} calls retried after {code} ({shop.get(RETRIED_OK + code, 0)} then answered)"
    return f"{n} {name.replace('_', ' ')}"


SUMMARY_COLUMNS = ("create", "adopt", "update", "price_stock", "relist", "unlist", "upload_image", *SUMMARY_OUTCOMES)
