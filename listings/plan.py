"""Planning: what each listing of one shop needs, from the rendered content and the ledger.

Only new, changed, previously failed (transient or unknown outcome), price/stock-changed and
certificate-expired listings produce calls. A listing the platform rejected is not retried until
its content changes. The plan is pure: no database, no network.

Planning has two stages because rendering (images) is the costly part. `screen` picks the
*candidates* of a shop from the ledger alone: products whose input fingerprint differs from the
one stored when they were last settled, failed ones, and delistings. `plan_listing` then decides
the exact actions for one candidate from its rendering; the publisher does that batch by batch,
so a no-op run renders nothing and a full run never holds a whole channel's images in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum

from catalogue.records import CatalogueProduct, NotListable
from connectors.errors import ErrorClass
from connectors.types import ListingStatus
from listings.render import Blocked, RenderedListing

# Statuses in which an item is not visible to buyers, whatever the reason.
NOT_SELLING = frozenset({ListingStatus.INACTIVE, ListingStatus.DELETED})


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"              # content changed (title, description, images, star claim, ...)
    PRICE_STOCK = "price_stock"    # only price or stock changed
    RELIST = "relist"              # unlisted earlier (expired certificate), listable again
    UNLIST = "unlist"              # certificate expired or revoked while the item is up
    BLOCK = "block"                # the completeness gate stopped it: recorded, not sent


PRICE_AND_STOCK_ONLY = frozenset({Action.PRICE_STOCK})


@dataclass(frozen=True)
class BindingState:
    """The ledger's view of one product x shop, as planning needs it."""

    product_id: int
    seller_sku: str
    remote_id: str | None = None
    remote_status: str | None = None
    rendered_hash: str | None = None
    pushed_hash: str | None = None
    pushed_price_vnd: int | None = None
    pushed_stock: int | None = None
    last_error_class: str | None = None
    blocked_reasons: tuple[str, ...] = ()
    attempts: int = 0
    source_fingerprint: str | None = None   # input fingerprint of the last fully settled rendering
    binding_id: int | None = None           # the ledger row, for writing outcomes to it


@dataclass(frozen=True)
class PlannedListing:
    product_id: int
    product: CatalogueProduct
    actions: tuple[Action, ...]
    rendered: RenderedListing | Blocked | None = None
    reasons: tuple[str, ...] = ()

    @property
    def seller_sku(self) -> str:
        return self.product.product.seller_sku



@dataclass(frozen=True)
class Candidate:
    """A product whose listing in one shop may need work; decided only once it is rendered."""

    product_id: int
    product: CatalogueProduct
    fingerprint: str | None     # None when the product is outside the denominator (nothing to render)


@dataclass(frozen=True)
class ShopPlan:
    shop_key: str
    candidates: tuple[Candidate, ...]

    def restricted_to(self, product_ids: set[int]) -> ShopPlan:
        return ShopPlan(self.shop_key, tuple(c for c in self.candidates if c.product_id in product_ids))


def count_actions(listings: list[PlannedListing]) -> Counter[str]:
    return Counter(action.value for item in listings for action in item.actions)


def has_no_item(binding: BindingState) -> bool:
    """Whether the shop holds no item for this binding (never created, or deleted): a create is due."""
    return binding.remote_id is None or binding.remote_status == ListingStatus.DELETED


def plan_listing(
    product: CatalogueProduct,
    rendering: RenderedListing | Blocked | None,
    binding: BindingState | None,
    *,
    product_id: int,
    today: dt.date,
) -> PlannedListing | None:
    """What to do for one product in one shop, or None when nothing is needed."""
    reason = product.not_listable_reason(today)
    if reason is not None:
        return _plan_delisting(product_id, product, binding, reason)
    if isinstance(rendering, Blocked):
        if binding is not None and tuple(binding.blocked_reasons) == tuple(rendering.reasons):
            return None
        return PlannedListing(product_id, product, (Action.BLOCK,), rendering, reasons=tuple(rendering.reasons))
    if rendering is None:
        raise ValueError(f"product {product.product.seller_sku}: listable but not rendered")
    if binding is None or has_no_item(binding):
        # A create refused before is tried again only because the product changed (screening saw a
        # new fingerprint): its price or stock may have been what the platform refused.
        return PlannedListing(product_id, product, (Action.CREATE,), rendering)
    return _plan_existing(product_id, product, rendering, binding)


def _plan_delisting(
    product_id: int, product: CatalogueProduct, binding: BindingState | None, reason: NotListable
) -> PlannedListing | None:
    if binding is None or binding.remote_id is None or binding.remote_status in NOT_SELLING:
        return None
    return PlannedListing(product_id, product, (Action.UNLIST,), reasons=(reason.value,))


def _plan_existing(
    product_id: int, product: CatalogueProduct, rendering: RenderedListing, binding: BindingState
) -> PlannedListing | None:
    actions: list[Action] = []
    if rendering.content_hash != binding.pushed_hash and not _rejected_unchanged(binding, rendering):
        actions.append(Action.UPDATE)
    if (rendering.price_vnd, rendering.stock) != (binding.pushed_price_vnd, binding.pushed_stock):
        actions.append(Action.PRICE_STOCK)
    if binding.remote_status == ListingStatus.INACTIVE:
        actions.append(Action.RELIST)
    if not actions:
        return None
    return PlannedListing(product_id, product, tuple(actions), rendering)


def _rejected_unchanged(binding: BindingState, rendering: RenderedListing) -> bool:
    """The platform refused exactly this content in an update: sending it again would fail the same way."""
    return binding.last_error_class == ErrorClass.REJECTED and binding.rendered_hash == rendering.content_hash


def narrow(item: PlannedListing | None, only: frozenset[Action] | None) -> PlannedListing | None:
    """Keep only the actions in `only` (e.g. the price-and-stock sync); None if none is left."""
    if item is None or only is None:
        return item
    kept = tuple(action for action in item.actions if action in only)
    return replace(item, actions=kept) if kept else None


def screen(
    product: CatalogueProduct, binding: BindingState | None, *, fingerprint: str | None, today: dt.date
) -> bool:
    """Whether the product may need work in this shop (cheap: no rendering)."""
    if not product.is_listable(today):
        return plan_listing(product, None, binding, product_id=0, today=today) is not None
    if binding is None or binding.source_fingerprint != fingerprint:
        return True
    if binding.last_error_class == ErrorClass.REJECTED:
        return False   # refused: not retried until the product changes
    return binding.last_error_class is not None or binding.remote_status in NOT_SELLING


def plan_shop(
    shop_key: str,
    products: dict[int, CatalogueProduct],
    fingerprints: dict[int, str],
    bindings: dict[int, BindingState],
    *,
    today: dt.date,
) -> ShopPlan:
    """The candidates of one shop; products are keyed by database id, fingerprints exist for listable ones."""
    candidates = tuple(
        Candidate(product_id, products[product_id], fingerprints.get(product_id))
        for product_id in sorted(products)
        if screen(products[product_id], bindings.get(product_id), fingerprint=fingerprints.get(product_id), today=today)
    )
    return ShopPlan(shop_key, candidates)
