"""A shop's candidates: the products it sells whose listing may need work, screened against the ledger.

The catalogue is read once per run (`load_products`, keyed by product id: the ledger's key) and
fingerprinted once per channel; `plan_for_shop` screens a shop's products against its bindings
(`publishing.plan.screen`: cheap, nothing is rendered). `preview` is the dry run: it renders the
candidates and says exactly which calls a publish would make.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import lru_cache

from sqlalchemy import Engine

import ledger
from catalogue.normalise import comparison_key
from catalogue.query import load_catalogue_by_id
from catalogue.records import CatalogueProduct
from connectors.types import ShopConfig
from ocop.store import transaction
from publishing.plan import PlannedListing, ShopPlan, plan_listing, plan_shop
from rendering.listing import input_fingerprint, render_listing
from rendering.profiles import ChannelProfile, load_profile


def load_products(engine: Engine, *, province: str | None = None) -> dict[int, CatalogueProduct]:
    """The catalogue keyed by product id (the ledger's key)."""
    with transaction(engine) as session:
        return load_catalogue_by_id(session, province=province)


def fingerprints(products: dict[int, CatalogueProduct], profile: ChannelProfile, *, today: dt.date) -> dict[int, str]:
    """Input fingerprints of the listable products for one channel (products outside the denominator have none)."""
    return {pid: input_fingerprint(product, profile) for pid, product in products.items() if product.is_listable(today)}


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
