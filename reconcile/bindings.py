"""What the listing ledger believes about each product x shop, read as plain values for reconciliation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from listings.models import ListingBinding, Shop


@dataclass(frozen=True)
class LedgerEntry:
    shop_key: str
    seller_sku: str
    remote_id: str | None = None
    remote_status: str | None = None
    blocked_reasons: tuple[str, ...] = ()
    last_error_code: str | None = None
    last_error_message: str | None = None
    last_error_class: str | None = None


def load_ledger(session: Session, shop_keys: Iterable[str]) -> list[LedgerEntry]:
    statement = (
        select(Shop.key, ListingBinding.seller_sku, ListingBinding.remote_id, ListingBinding.remote_status,
               ListingBinding.blocked_reasons, ListingBinding.last_error_code, ListingBinding.last_error_message,
               ListingBinding.last_error_class)
        .join(Shop, ListingBinding.shop_id == Shop.id)
        .where(Shop.key.in_(list(shop_keys)))
    )
    return [
        LedgerEntry(key, sku, remote_id, status, tuple(blocked or ()), code, message, error_class)
        for key, sku, remote_id, status, blocked, code, message, error_class in session.execute(statement)
    ]
