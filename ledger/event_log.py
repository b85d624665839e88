"""The ledger's append-only event log: one row per marketplace call (or decision not to call), read
by run ("what did this run do") or by seller SKU ("what happened to this product")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import ListingBinding, ListingEvent, Shop


@dataclass(frozen=True)
class EventView:
    at: dt.datetime
    shop_key: str
    seller_sku: str
    operation: str
    outcome: str
    request_id: str | None
    error_code: str | None
    message: str | None
    run_id: str | None


def events(session: Session, *, run_id: str | None = None, seller_sku: str | None = None) -> list[EventView]:
    """'What changed in this run' (by run id) and 'what happened to this product' (by seller SKU)."""
    statement = (
        select(ListingEvent, Shop.key, ListingBinding.seller_sku)
        .join(ListingBinding, ListingEvent.binding_id == ListingBinding.id)
        .join(Shop, ListingBinding.shop_id == Shop.id)
        .order_by(ListingEvent.id)
    )
    if run_id is not None:
        statement = statement.where(ListingEvent.run_id == run_id)
    if seller_sku is not None:
        statement = statement.where(ListingBinding.seller_sku == seller_sku)
    return [
        EventView(e.at, shop_key, sku, e.operation, e.outcome, e.request_id, e.error_code, e.message, e.run_id)
        for e, shop_key, sku in session.execute(statement)
    ]
