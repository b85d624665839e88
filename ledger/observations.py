"""What reconciliation saw on the shops, written back to the ledger.

Reconciliation says what it saw (`Observation`, built by `reconcile.feedback` from its findings);
the ledger decides what that changes: a listing gone from its shop loses its remote id (the next
publish creates it again), a drifted one loses its pushed fingerprints (the next publish pushes the
catalogue's content again), and every bound listing takes the status the shop reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import ListingBinding, Shop


@dataclass(frozen=True)
class Observation:
    """What reconciliation saw of one bound listing on its shop."""

    shop_key: str
    seller_sku: str
    remote_status: str | None        # our ListingStatus word; None when the shop no longer holds it
    platform_status: str | None
    remote_id: str | None
    drifted: bool = False            # edited on the shop: its content no longer matches what we pushed


def observe(session: Session, observations: Iterable[Observation]) -> int:
    """Bring the ledger in line with what the shops really hold; returns the bindings changed."""
    observations = list(observations)
    keys = {seen.shop_key for seen in observations}
    rows = {
        (shop_key, row.seller_sku): row
        for row, shop_key in session.execute(
            select(ListingBinding, Shop.key).join(Shop, ListingBinding.shop_id == Shop.id).where(Shop.key.in_(keys))
        ).all()
    }
    changed = 0
    for seen in observations:
        row = rows.get((seen.shop_key, seen.seller_sku))
        if row is None:
            continue
        changes = _changes_seen(row, seen)
        if changes:
            for name, value in changes.items():
                setattr(row, name, value)
            changed += 1
    return changed


def _changes_seen(row: ListingBinding, seen: Observation) -> dict:
    if seen.remote_status is None:
        if row.remote_id is None:
            return {}
        return {"remote_id": None, "remote_sku_id": None, "remote_status": "deleted", "platform_status": None,
                "pushed_hash": None, "source_fingerprint": None}
    changes = {"remote_status": seen.remote_status, "platform_status": seen.platform_status}
    if seen.remote_id and seen.remote_id != row.remote_id:
        changes["remote_id"] = seen.remote_id
    if seen.drifted:
        changes |= {"pushed_hash": None, "pushed_price_vnd": None, "source_fingerprint": None}
    return {name: value for name, value in changes.items() if getattr(row, name) != value}
