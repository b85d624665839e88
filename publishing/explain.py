"""Why a listing was, or was not, sent: one product's binding on every shop the ledger knows, the
next publish's verdict on it, and its last events (`ocop ledger --explain SKU`).

The verdict is computed as the publish computes it: the catalogue product, its input fingerprint
for the shop's channel, the ledger's binding, `publishing.plan.screen`. Reads the database only
(the catalogue and the ledger): no shops file, no credentials, no marketplace call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

import ledger
from catalogue.models import Producer, Product
from catalogue.records import CatalogueProduct
from ledger import Binding, EventView, KnownShop
from ledger.bindings import utc
from ocop.store import transaction
from publishing.candidates import load_products, sells
from publishing.plan import Reason, Screening, screen
from rendering.listing import input_fingerprint
from rendering.profiles import load_profile

EVENTS_SHOWN = 10
SHORT_HASH = 12


class UnknownSku(LookupError):
    """Neither the catalogue nor the ledger knows the seller SKU."""


@dataclass(frozen=True)
class ShopListing:
    shop_key: str
    channel: str
    province: str | None
    binding: Binding | None
    fingerprint: str | None            # the product's input fingerprint for this channel now
    screening: Screening | None        # None when the publish does not consider the product for this shop
    not_considered: str | None         # why it does not
    held_by: str | None                # the run holding the binding now, if its claim is live
    events: tuple[EventView, ...]      # the last few, oldest first
    event_count: int


@dataclass(frozen=True)
class Explanation:
    seller_sku: str
    product_id: int | None
    product: CatalogueProduct | None
    today: dt.date
    shops: tuple[ShopListing, ...]


def explain(engine: Engine, seller_sku: str, *, today: dt.date, now: dt.datetime | None = None) -> Explanation:
    """What the ledger holds for `seller_sku` on every shop it knows, and what the next publish would do."""
    now = now or dt.datetime.now(dt.UTC)
    product_id, product = _catalogue_product(engine, seller_sku)
    with transaction(engine) as session:
        shops = ledger.known_shops(session)
        bindings = {b.shop_key: b for b in ledger.product_bindings(session, product_id=product_id, seller_sku=seller_sku)}
        events = ledger.events(session, seller_sku=seller_sku)
    if product is None and not bindings:
        raise UnknownSku(f"seller SKU {seller_sku!r} is neither in the catalogue nor in the listing ledger "
                         "(seller SKUs look like OCOP-DT-HATSEN-100G: check case and spelling)")
    listings = []
    for shop in shops:
        binding = bindings.get(shop.key)
        fingerprint, screening, not_considered = _verdict(product, shop, binding, today)
        own_events = [event for event in events if event.shop_key == shop.key]
        held_by = ledger.live_holder(binding, now) if binding is not None else None
        listings.append(ShopListing(
            shop.key, shop.channel, shop.province, binding, fingerprint, screening, not_considered, held_by,
            tuple(own_events[-EVENTS_SHOWN:]), len(own_events)))
    return Explanation(seller_sku, product_id, product, today, tuple(listings))


def _catalogue_product(engine: Engine, seller_sku: str) -> tuple[int | None, CatalogueProduct | None]:
    """The product as the publish loads it (its fingerprint depends on every field, so the same loader)."""
    with transaction(engine) as session:
        found = session.execute(select(Product.id, Producer.province).join(Producer, Producer.id == Product.producer_id)
                                .where(Product.seller_sku == seller_sku)).one_or_none()
    if found is None:
        return None, None
    products = load_products(engine, province=found.province)
    if found.id not in products:   # a province name the loader spells another way: read them all
        products = load_products(engine)
    return found.id, products[found.id]


def _verdict(product: CatalogueProduct | None, shop: KnownShop, binding: Binding | None, today: dt.date):
    """(fingerprint, screening, why not considered), as `publishing.candidates.plan_for_shop` would see it."""
    if product is None:
        return None, None, "not in the catalogue: no publish considers it"
    if not sells(shop.province, product):
        elsewhere = product.producer.address.province
        return None, None, f"not sold on this shop: it sells {shop.province}'s products, the producer is in {elsewhere}"
    fingerprint = input_fingerprint(product, load_profile(shop.channel)) if product.is_listable(today) else None
    return fingerprint, screen(product, binding, fingerprint=fingerprint, today=today), None


def explanation_lines(explanation: Explanation) -> list[str]:
    product = explanation.product
    if product is None:
        head = f"{explanation.seller_sku}: not in the catalogue"
    else:
        head = (f"{explanation.seller_sku}: {product.product.name} (OCOP {product.product.ocop_code}, "
                f"product {explanation.product_id})")
    lines = [f"{head}; as of {explanation.today:%Y-%m-%d}"]
    if not explanation.shops:
        lines.append("no shop in the ledger yet: nothing has been published")
    # a province's shops that never held the product would bury the ones that matter: one line for all
    elsewhere = [shop for shop in explanation.shops if shop.binding is None and shop.screening is None]
    for listing in explanation.shops:
        if listing not in elsewhere:
            lines += _shop_lines(listing)
    if elsewhere:
        lines += ["", f"not sold on {len(elsewhere)} other shop(s) of the ledger: "
                      + ", ".join(shop.shop_key for shop in elsewhere)]
    return lines


def _shop_lines(listing: ShopListing) -> list[str]:
    where = f"{listing.channel}, {listing.province}" if listing.province else listing.channel
    lines = ["", f"{listing.shop_key} ({where})", _field("next publish", _verdict_words(listing))]
    row = listing.binding
    reason = listing.screening.reason if listing.screening else None
    if row is not None and row.last_error_message and reason in (Reason.REFUSED, Reason.FAILED):
        lines.append(_field("", f"the platform said: {_error(row)}"))
    if row is None:
        lines.append(_field("binding", "none: never planned on this shop"))
        return lines
    settled = _short(row.source_fingerprint)
    now = _short(listing.fingerprint)
    lines += [
        _field("binding", f"#{row.binding_id}, created {_when(row.created_at)}, updated {_when(row.updated_at)}, "
                          f"last pushed {_when(row.last_pushed_at)}"),
        _field("remote", f"id {row.remote_id or '-'}, sku id {row.remote_sku_id or '-'}, status "
                         f"{row.remote_status or '-'}, platform status {row.platform_status or '-'}"),
        _field("request", _request_words(row)),
        _field("hashes", f"rendered {_short(row.rendered_hash)}, pushed {_short(row.pushed_hash)}"),
        _field("inputs", f"settled {settled}, now {now}" + (" (same)" if settled == now != "-" else "")),
        _field("pushed", f"price {_number(row.pushed_price_vnd, ' VND')}, stock {_number(row.pushed_stock)}"),
        _field("attempts", str(row.attempts)),
        _field("last error", f"{row.last_error_class} {_error(row)}" if row.last_error_class else "-"),
        _field("claim", _claim_words(row, listing.held_by)),
        _field("blocked", "; ".join(row.blocked_reasons) or "-"),
        _field("last events", f"{len(listing.events)} of {listing.event_count}"),
    ]
    lines += [f"    {_when(e.at)} {e.operation:<12} {e.outcome}{_event_error(e)}" for e in listing.events]
    return lines


def _verdict_words(listing: ShopListing) -> str:
    if listing.screening is None:
        return f"would not consider it: {listing.not_considered}"
    words = f"would {'send' if listing.screening.due else 'not send'} it: {listing.screening}"
    if listing.held_by:
        return f"held by run {listing.held_by} now (the publish waits for it); then {words}"
    return words


def _request_words(row: Binding) -> str:
    """The create request the platform reviews before it makes an item (Tiki), if any."""
    if row.tracking_id is None:
        return "-"
    decided = "awaiting the platform's review" if row.awaits_review else row.remote_status
    return f"tracking id {row.tracking_id}, state {row.platform_status or '-'} ({decided})"


def _claim_words(row: Binding, held_by: str | None) -> str:
    if row.claimed_by is None:
        return "none"
    return f"{row.claimed_by} at {_when(row.claimed_at)}" + ("" if held_by else " (lapsed: free for the next publish)")


def _field(name: str, value: str) -> str:
    return f"  {name:<14} {value}"


def _error(row: Binding) -> str:
    code = f"[{row.last_error_code}] " if row.last_error_code else ""
    return f"{code}{row.last_error_message or ''}".strip()


def _event_error(event: EventView) -> str:
    if not (event.error_code or event.message):
        return ""
    return f" [{event.error_code or '-'}] {event.message or ''}".rstrip()


def _short(value: str | None) -> str:
    return value[:SHORT_HASH] if value else "-"


def _number(value: int | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:,}{unit}"


def _when(value: dt.datetime | None) -> str:
    return "-" if value is None else f"{utc(value):%Y-%m-%d %H:%M:%S} UTC"

