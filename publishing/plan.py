"""Planning: what each listing of one shop needs, from the rendered content and the ledger.

Only new, changed, previously failed (transient or unknown outcome), price/stock-changed and
certificate-expired listings produce calls. A listing the platform rejected is not retried until
its content changes. A create request still under the platform's review (Tiki) is neither created
again nor changed: the publisher reads its state. The plan is pure: no database, no network.

Planning has two stages because rendering (images) is the costly part. `screen` picks the
*candidates* of a shop from the ledger alone: products whose input fingerprint differs from the
one stored when they were last settled, failed ones, and delistings; its `Screening` says why a
product is or is not a candidate (`ocop ledger --explain` prints it, the publisher counts it).
`plan_listing` then decides the exact actions for one candidate from its rendering; the publisher
does that batch by batch, so a no-op run renders nothing and a full run never holds a whole
channel's images in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum

from catalogue.records import CatalogueProduct, NotListable
from connectors.errors import ErrorClass
from connectors.types import NOT_SELLING, ListingStatus
from ledger import Binding
from rendering.listing import Blocked, RenderedListing


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"              # content changed (title, description, images, star claim, ...)
    PRICE_STOCK = "price_stock"    # only price or stock changed
    RELIST = "relist"              # unlisted earlier (expired certificate), listable again
    UNLIST = "unlist"              # certificate expired or revoked while the item is up
    BLOCK = "block"                # the completeness gate stopped it: recorded, not sent
    TRACK = "track"                # a create request under review: its state read (before planning the rest)


PRICE_AND_STOCK_ONLY = frozenset({Action.PRICE_STOCK})


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


def plan_listing(
    product: CatalogueProduct,
    rendering: RenderedListing | Blocked | None,
    binding: Binding | None,
    *,
    product_id: int,
    today: dt.date,
) -> PlannedListing | None:
    """What to do for one product in one shop, or None when nothing is needed."""
    reason = product.not_listable_reason(today)
    if reason is not None:
        return _plan_delisting(product_id, product, binding, reason)
    if isinstance(rendering, Blocked):
        if binding is not None and tuple(binding.blocked_reasons) == rendering.recorded_reasons:
            return None
        return PlannedListing(product_id, product, (Action.BLOCK,), rendering, reasons=rendering.recorded_reasons)
    if rendering is None:
        raise ValueError(f"product {product.product.seller_sku}: listable but not rendered")
    if binding is None or binding.has_no_item:
        # A create refused before is tried again only because the product changed (screening saw a
        # new fingerprint): its price or stock may have been what the platform refused.
        return PlannedListing(product_id, product, (Action.CREATE,), rendering)
    return _plan_existing(product_id, product, rendering, binding)


def _plan_delisting(
    product_id: int, product: CatalogueProduct, binding: Binding | None, reason: NotListable
) -> PlannedListing | None:
    if binding is None or binding.has_no_item or binding.awaits_review or binding.remote_status in NOT_SELLING:
        return None   # no item buyers can see
    return PlannedListing(product_id, product, (Action.UNLIST,), reasons=(reason.value,))


def _plan_existing(
    product_id: int, product: CatalogueProduct, rendering: RenderedListing, binding: Binding
) -> PlannedListing | None:
    actions: list[Action] = []
    if rendering.content_hash != binding.pushed_hash and not _rejected_unchanged(binding, rendering):
        actions.append(Action.UPDATE)
    if (rendering.price_vnd, rendering.stock) != (binding.pushed_price_vnd, binding.pushed_stock):
        actions.append(Action.PRICE_STOCK)
    # Of the items on the shop but not selling (`NOT_SELLING`) only an unlisted one is relisted. A
    # suspended item was taken down by the platform (a policy breach, a frozen shop), which refuses
    # a relist: sent on every run, it would be refused on every run; the seller resolves it in the
    # seller centre, and the next reconciliation that sees it live brings it back into the plan. A
    # draft is left to the seller likewise. A content change is still pushed to either.
    if binding.remote_status == ListingStatus.INACTIVE:
        actions.append(Action.RELIST)
    if not actions:
        return None
    return PlannedListing(product_id, product, tuple(actions), rendering)


def _rejected_unchanged(binding: Binding, rendering: RenderedListing) -> bool:
    """The platform refused exactly this content in an update: sending it again would fail the same way."""
    return binding.last_error_class == ErrorClass.REJECTED and binding.rendered_hash == rendering.content_hash


def narrow(item: PlannedListing | None, only: frozenset[Action] | None) -> PlannedListing | None:
    """Keep only the actions in `only` (e.g. the price-and-stock sync); None if none is left."""
    if item is None or only is None:
        return item
    kept = tuple(action for action in item.actions if action in only)
    return replace(item, actions=kept) if kept else None


class Reason(StrEnum):
    """Why a listing is, or is not, a candidate of the next publish (`Screening.reason`)."""

    # due: the publish renders it and decides its calls
    NEVER_PUSHED = "never_pushed"
    CHANGED = "changed"                  # its inputs (product, images, renderer) changed since last settled
    EDITED_ON_SHOP = "edited_on_shop"    # reconciliation found it edited on the shop: pushed again
    FAILED = "failed"                    # the last call failed (transiently, or its outcome is unknown)
    UNLISTED = "unlisted"                # inactive on the shop: relisted
    GONE = "gone"                        # deleted from the shop: created again
    TO_UNLIST = "to_unlist"              # not listable any more, while buyers still see it
    IN_REVIEW = "in_review"              # a create request the platform has not decided: its state is read
    # not due: nothing is sent
    UNCHANGED = "unchanged"
    REFUSED = "refused"                  # by the platform (a call or its review): not retried until it changes
    BLOCKED = "blocked"                  # the completeness gate stopped it: not retried until it changes
    NOT_SELLING = "not_selling"          # suspended by the platform, or a draft: not relisted by us (`NOT_SELLING`)
    NOT_LISTABLE = "not_listable"        # expired, revoked, no recognition, not physical goods; nothing to unlist
    # not due, found by the publisher after rendering (never by `screen`)
    SAME_RENDERING = "same_rendering"    # due by its inputs, but it renders as last settled: nothing to send

    @property
    def due(self) -> bool:
        return self in _DUE

    @property
    def text(self) -> str:
        return _REASON_TEXT[self]


_DUE = frozenset({Reason.NEVER_PUSHED, Reason.CHANGED, Reason.EDITED_ON_SHOP, Reason.FAILED, Reason.UNLISTED,
                  Reason.GONE, Reason.TO_UNLIST, Reason.IN_REVIEW})

_REASON_TEXT = {
    Reason.NEVER_PUSHED: "never pushed",
    Reason.CHANGED: "changed since last push",
    Reason.EDITED_ON_SHOP: "edited on the shop since last push",
    Reason.FAILED: "failed last time",
    Reason.UNLISTED: "unlisted on the shop: to relist",
    Reason.GONE: "gone from the shop: to create again",
    Reason.TO_UNLIST: "not listable and still on sale: to unlist",
    Reason.IN_REVIEW: "a create request in the platform's review: its state to be read",
    Reason.UNCHANGED: "unchanged since last push",
    Reason.REFUSED: "refused until the content changes",
    Reason.BLOCKED: "blocked until the product is completed",
    Reason.NOT_SELLING: "not selling on the shop, not relisted by us",
    Reason.NOT_LISTABLE: "not listable",
    Reason.SAME_RENDERING: "rendered as last settled",
}


@dataclass(frozen=True)
class Screening:
    """`screen`'s verdict on one product in one shop: whether the next publish handles it, and why."""

    reason: Reason
    detail: str = ""    # the not-listable reason, the blocked fields, the error class, the item's status

    @property
    def due(self) -> bool:
        return self.reason.due

    def __str__(self) -> str:
        return f"{self.reason.text} ({self.detail})" if self.detail else self.reason.text


def screen(
    product: CatalogueProduct, binding: Binding | None, *, fingerprint: str | None, today: dt.date
) -> Screening:
    """Whether the product may need work in this shop, and why (cheap: no rendering)."""
    if binding is not None and binding.awaits_review:
        # first: whatever the product is now, the request is what the shop holds of it
        return Screening(Reason.IN_REVIEW, f"tracking id {binding.tracking_id}")
    not_listable = product.not_listable_reason(today)
    if not_listable is not None:
        if plan_listing(product, None, binding, product_id=0, today=today) is not None:
            return Screening(Reason.TO_UNLIST, not_listable.value)
        return Screening(Reason.NOT_LISTABLE, not_listable.value)
    if binding is None:
        return Screening(Reason.NEVER_PUSHED)
    error = binding.last_error_class
    if binding.source_fingerprint != fingerprint:
        if binding.attempts == 0 and binding.source_fingerprint is None:
            return Screening(Reason.NEVER_PUSHED)
        if binding.remote_status == ListingStatus.DELETED:
            return Screening(Reason.GONE)
        if error is not None and error != ErrorClass.REJECTED:
            return Screening(Reason.FAILED, error)
        if binding.source_fingerprint is None and binding.remote_id is not None:
            return Screening(Reason.EDITED_ON_SHOP)   # reconciliation forgets the fingerprint of a drifted listing
        return Screening(Reason.CHANGED)
    if error == ErrorClass.REJECTED:
        return Screening(Reason.REFUSED)
    if error is not None:
        return Screening(Reason.FAILED, error)
    if binding.remote_status == ListingStatus.REJECTED:
        return Screening(Reason.REFUSED, "in the platform's review")
    if binding.remote_status == ListingStatus.INACTIVE:
        return Screening(Reason.UNLISTED)
    if binding.remote_status == ListingStatus.DELETED:
        return Screening(Reason.GONE)
    if binding.remote_status in NOT_SELLING:
        return Screening(Reason.NOT_SELLING, binding.remote_status)
    if binding.blocked_reasons:
        return Screening(Reason.BLOCKED, "; ".join(binding.blocked_reasons))
    return Screening(Reason.UNCHANGED)


def plan_shop(
    shop_key: str,
    products: dict[int, CatalogueProduct],
    fingerprints: dict[int, str],
    bindings: dict[int, Binding],
    *,
    today: dt.date,
) -> ShopPlan:
    """The candidates of one shop; products are keyed by database id, fingerprints exist for listable ones."""
    candidates = tuple(
        Candidate(product_id, product, fingerprints.get(product_id))
        for product_id, product in sorted(products.items())
        if screen(product, bindings.get(product_id), fingerprint=fingerprints.get(product_id), today=today).due
    )
    return ShopPlan(shop_key, candidates)
