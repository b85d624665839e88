"""The publish step as plain functions: load the catalogue, screen each shop's candidates, publish in batches.

The Prefect flow in `flows/publish.py` only orchestrates these; tests call them directly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from sqlalchemy import Engine, select

import ledger
from catalogue.models import Product
from catalogue.normalise import comparison_key
from catalogue.query import load_catalogue
from catalogue.records import CatalogueProduct
from catalogue.store import transaction
from connectors.types import Connector, ShopConfig
from listings.plan import Action, Candidate, PlannedListing, Reason, ShopPlan, plan_listing, plan_shop
from rendering.profiles import ChannelProfile, load_profile
from listings.publish import BatchResult, ImageCache, ListingOutcome, OnListing, Publisher
from rendering.pool import RenderPool
from rendering.listing import input_fingerprint, render_listing


def load_products(engine: Engine, *, province: str | None = None) -> dict[int, CatalogueProduct]:
    """The catalogue keyed by product id (the ledger's key)."""
    with transaction(engine) as session:
        products = load_catalogue(session, province=province)
        ids = dict(session.execute(select(Product.seller_sku, Product.id)).all())
    return {ids[item.product.seller_sku]: item for item in products}


def fingerprints(products: dict[int, CatalogueProduct], profile: ChannelProfile, *, today: dt.date) -> dict[int, str]:
    """Input fingerprints of the listable products for one channel (products outside the denominator have none)."""
    return {pid: input_fingerprint(product, profile) for pid, product in products.items() if product.is_listable(today)}


def plan_for_shop(
    engine: Engine,
    shop: ShopConfig,
    products: dict[int, CatalogueProduct],
    channel_fingerprints: dict[int, str],
    *,
    today: dt.date,
) -> ShopPlan:
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, shop)
        bindings = ledger.load_bindings(session, shop_id)
    return plan_shop(shop.key, products_for(shop, products), channel_fingerprints, bindings, today=today)


def products_for(shop: ShopConfig, products: dict[int, CatalogueProduct]) -> dict[int, CatalogueProduct]:
    """The products the shop sells (see `sells`)."""
    if not shop.province:
        return products
    return {pid: p for pid, p in products.items() if sells(shop.province, p)}


def sells(shop_province: str | None, product: CatalogueProduct) -> bool:
    """A province's shop sells that province's products; a shop with no province sells them all."""
    return not shop_province or _province_key(product.producer.address.province) == _province_key(shop_province)


@lru_cache(maxsize=256)
def _province_key(province: str) -> str:
    return comparison_key(province)


def preview(engine: Engine, shop: ShopConfig, plan: ShopPlan, *, today: dt.date) -> list[PlannedListing]:
    """The exact actions a publish would take (renders every candidate, keeps no images): the dry run."""
    profile = load_profile(shop.channel)
    with transaction(engine) as session:
        bindings = ledger.load_bindings(session, ledger.ensure_shop(session, shop))
    decided = []
    for candidate in plan.candidates:
        rendering = render_listing(candidate.product, profile, today=today) if candidate.fingerprint else None
        item = plan_listing(candidate.product, rendering, bindings.get(candidate.product_id),
                            product_id=candidate.product_id, today=today)
        if item is not None:
            decided.append(replace(item, rendered=None))
    return decided


@dataclass(frozen=True)
class Batch:
    shop_key: str
    number: int
    items: tuple[Candidate, ...]


def batches(plan: ShopPlan, size: int) -> Iterator[Batch]:
    """Cut a shop's candidates into batches of `size`."""
    items = plan.candidates
    for number, start in enumerate(range(0, len(items), size), start=1):
        yield Batch(plan.shop_key, number, items[start : start + size])


def interleaved_batches(plans: Sequence[ShopPlan], size: int) -> list[Batch]:
    """Every shop's batches taken in turn (a batch of each shop, then the next of each), so that
    every shop is worked on at once, each within its own rate limit."""
    per_shop = [list(batches(plan, size)) for plan in plans]
    return [batch for row in itertools.zip_longest(*per_shop) for batch in row if batch is not None]


def publish_batch(
    engine: Engine,
    connector: Connector,
    batch: Sequence[Candidate],
    *,
    run_id: str,
    today: dt.date,
    only: frozenset[Action] | None = None,
    images: ImageCache | None = None,
    renders: RenderPool | None = None,
    on_listing: OnListing | None = None,
) -> BatchResult:
    """Publish one batch; `renders` draws the listings (default: in this thread). A shop that stops
    answering does not raise: the result says so in `stopped`, with what was done before."""
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, connector.shop)
    renders = renders or RenderPool(processes=0)
    channel = connector.shop.channel
    publisher = Publisher(engine, connector, lambda products: renders.submit_many(channel, products, today),
                          shop_id=shop_id, run_id=run_id, today=today, only=only, images=images, on_listing=on_listing)
    return publisher.publish(batch)


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
    """Every shop's tally for one publish run, fed by the batches as they go (from many threads).

    It is the one source of the run's progress, its summary, its return value and its final state,
    so that none of them claims a listing this run did not settle.
    """

    def __init__(self, shop_keys: Sequence[str], on_change: Callable[[RunTally], None] | None = None) -> None:
        self.shops = {key: ShopTally() for key in shop_keys}
        self._lock = threading.Lock()
        self._on_change = on_change or (lambda tally: None)

    def listener(self, shop_key: str) -> OnListing:
        """The `on_listing` callback for the batches of one shop."""
        return lambda product_id, outcome, not_sent: self.settle(shop_key, product_id, outcome, not_sent)

    def settle(self, shop_key: str, product_id: int, outcome: str, not_sent: Reason | None = None) -> None:
        with self._lock:
            self.shops[shop_key].settle(product_id, outcome, not_sent)
        self._on_change(self)

    def add(self, result: BatchResult) -> None:
        """A batch's calls, failures, holders and stop reason, once it is over."""
        with self._lock:
            shop = self.shops[result.shop_key]
            shop.calls.update(result.calls)
            shop.failures.update(result.failures)
            shop.held_by.update(result.held_by_listing)
            shop.stopped = shop.stopped or result.stopped

    def settled(self) -> tuple[int, int]:
        """(listings this run settled, listings handled but found settled by another run)."""
        with self._lock:
            settled = sum(shop.outcomes[name] for shop in self.shops.values() for name in ListingOutcome.SETTLED)
            elsewhere = sum(shop.outcomes[ListingOutcome.DONE_ELSEWHERE] for shop in self.shops.values())
        return settled, elsewhere

    def unfinished(self) -> dict[str, Counter[str]]:
        """Per shop, the listings left neither settled nor refused, by outcome (failed, held, ...)."""
        with self._lock:
            return {
                key: counts for key, shop in self.shops.items()
                if (counts := Counter({name: n for name, n in shop.outcomes.items() if name in ListingOutcome.UNFINISHED and n}))
            }

    def counts(self) -> dict[str, dict[str, int]]:
        """Per shop: the successful calls, failed calls by error class, listings by every outcome
        but done and unchanged, and unchanged listings by why nothing was sent (`not_sent:<reason>`);
        zeros left out. What the flow returns, its summary's rows and its last log line."""
        with self._lock:
            return {
                key: dict(shop.calls) | {f"failed:{name}": n for name, n in shop.failures.items()}
                | {name: shop.outcomes[name] for name in SUMMARY_OUTCOMES if shop.outcomes[name]}
                | {f"{NOT_SENT}{reason}": n for reason, n in sorted(Counter(shop.not_sent.values()).items())}
                for key, shop in self.shops.items()
            }


NOT_SENT = "not_sent:"   # the prefix of a count of unchanged listings by `Reason`


def summary_rows(counts: dict[str, dict[str, int]]) -> list[dict]:
    """The publish summary table: a row per shop, the usual columns always, any other count after them."""
    extra = sorted({name for shop in counts.values() for name in shop} - set(SUMMARY_COLUMNS))
    return [{"shop": key, **{name: shop.get(name, 0) for name in (*SUMMARY_COLUMNS, *extra)}} for key, shop in counts.items()]


def summary_line(counts: dict[str, dict[str, int]]) -> str:
    """The same counts in one line for the log: "shopee-dong-thap: 3 create, 1 not sent (refused
    until the content changes); lazada-dong-thap: nothing to do"."""
    return "; ".join(f"{key}: " + (", ".join(_count_words(name, n) for name, n in shop.items()) or "nothing to do")
                     for key, shop in counts.items())


def _count_words(name: str, n: int) -> str:
    if name.startswith(NOT_SENT):
        return f"{n} not sent ({Reason(name.removeprefix(NOT_SENT)).text})"
    return f"{n} {name.replace('_', ' ')}"


SUMMARY_COLUMNS = ("create", "adopt", "update", "price_stock", "relist", "unlist", "upload_image", *SUMMARY_OUTCOMES)
