"""The publish step as plain functions: load the catalogue, screen each shop's candidates, publish in batches.

The Prefect flow in `flows/publish.py` only orchestrates these; tests call them directly.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Engine, select

from catalogue.models import Product
from catalogue.normalise import comparison_key
from catalogue.query import load_catalogue
from catalogue.records import CatalogueProduct
from catalogue.store import transaction
from connectors.types import Connector, ShopConfig
from listings import ledger
from listings.plan import Action, Candidate, PlannedListing, ShopPlan, plan_listing, plan_shop
from listings.profiles import ChannelProfile, load_profile
from listings.publish import BatchResult, ImageCache, Publisher
from listings.render_pool import RenderPool
from listings.render import input_fingerprint, render_listing


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
    """A province's shop sells that province's products; a shop with no province sells them all."""
    if not shop.province:
        return products
    province = comparison_key(shop.province)
    return {pid: p for pid, p in products.items() if comparison_key(p.producer.address.province) == province}


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
    on_progress=None,
) -> BatchResult:
    """Publish one batch; `renders` draws the listings (default: in this thread)."""
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, connector.shop)
    renders = renders or RenderPool(processes=0)
    channel = connector.shop.channel
    publisher = Publisher(engine, connector, lambda products: renders.submit_many(channel, products, today),
                          shop_id=shop_id, run_id=run_id, today=today, only=only, images=images, on_progress=on_progress)
    return publisher.publish(batch)
