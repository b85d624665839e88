"""The publish step as plain functions: load the catalogue, render per channel, plan per shop, publish in batches.

The Prefect flow in `flows/publish.py` only orchestrates these; tests call them directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select

from catalogue.models import Product
from catalogue.query import load_catalogue
from catalogue.records import CatalogueProduct
from catalogue.store import transaction
from connectors.types import Connector, ShopConfig
from listings import ledger
from listings.plan import Action, PlannedListing, ShopPlan, plan_shop
from listings.profiles import ChannelProfile
from listings.publish import BatchResult, Publisher
from listings.render import Blocked, RenderedListing, render_listing


def load_products(engine: Engine, *, province: str | None = None) -> dict[int, CatalogueProduct]:
    """The catalogue keyed by product id (the ledger's key)."""
    with transaction(engine) as session:
        products = load_catalogue(session, province=province)
        ids = dict(session.execute(select(Product.seller_sku, Product.id)).tuples())
    return {ids[item.product.seller_sku]: item for item in products}


def render_channel(
    products: dict[int, CatalogueProduct], profile: ChannelProfile, *, today: dt.date
) -> dict[int, RenderedListing | Blocked]:
    """Render every listable product for one channel; products outside the denominator are skipped."""
    return {
        product_id: render_listing(product, profile, today=today)
        for product_id, product in products.items()
        if product.is_listable(today)
    }


def plan_for_shop(
    engine: Engine,
    shop: ShopConfig,
    products: dict[int, CatalogueProduct],
    renderings: dict[int, RenderedListing | Blocked],
    *,
    today: dt.date,
    only: frozenset[Action] | None = None,
) -> ShopPlan:
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, shop)
        bindings = ledger.load_bindings(session, shop_id)
    return plan_shop(shop.key, products, renderings, bindings, today=today, only=only)


@dataclass(frozen=True)
class Batch:
    shop_key: str
    number: int
    items: tuple[PlannedListing, ...]


def batches(plan: ShopPlan, size: int) -> Iterator[Batch]:
    """Cut a shop's plan into batches of `size` listings (blocked ones included: they are recorded)."""
    items = plan.listings
    for number, start in enumerate(range(0, len(items), size), start=1):
        yield Batch(plan.shop_key, number, items[start : start + size])


def publish_batch(
    engine: Engine,
    connector: Connector,
    batch: Sequence[PlannedListing],
    *,
    run_id: str,
    today: dt.date,
    only: frozenset[Action] | None = None,
    on_progress=None,
) -> BatchResult:
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, connector.shop)
    publisher = Publisher(engine, connector, shop_id=shop_id, run_id=run_id, today=today, only=only, on_progress=on_progress)
    return publisher.publish(batch)
