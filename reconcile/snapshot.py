"""A dated snapshot of what every shop really holds, read through the connectors and kept in the database.

Reading is the only part of reconciliation that calls a marketplace; everything after it works on
the stored snapshot, which is why `ocop report` can rebuild reports offline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from connectors.errors import ConnectorError, NotFound
from connectors.types import Connector, ListingStatus, RemoteListing
from reconcile.models import ReconcileRun, ShopPullRow, SnapshotListingRow
from reconcile.ocop_claims import OcopClaim, read_claim


@dataclass(frozen=True)
class ShopRef:
    key: str
    channel: str


@dataclass(frozen=True)
class ShopListing:
    """One remote item of one shop, with the OCOP claim its title and description make."""

    shop_key: str
    remote: RemoteListing
    claim: OcopClaim


@dataclass(frozen=True)
class ShopPull:
    """A shop's full state, or the error that stopped the reading (then `listings` proves nothing)."""

    shop: ShopRef
    listings: tuple[ShopListing, ...] = ()
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Snapshot:
    taken_at: dt.datetime
    pulls: tuple[ShopPull, ...]

    @property
    def shops(self) -> tuple[ShopRef, ...]:
        return tuple(pull.shop for pull in self.pulls)

    def listings(self) -> Iterator[ShopListing]:
        for pull in self.pulls:
            yield from pull.listings


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    province: str | None
    as_of: dt.date
    target_pct: float | None
    started_at: dt.datetime


def pull_shop(connector: Connector) -> ShopPull:
    """Every item of one shop, all pages; items the list gives thinly are read again one by one."""
    shop = ShopRef(connector.shop.key, connector.channel.value)
    try:
        detailed = (_detailed(connector, item) for item in connector.iter_listings())
        listings = tuple(_with_claim(shop.key, item) for item in detailed if item is not None)
    except ConnectorError as error:
        # Connector errors carry only the platform's code and message, never credentials.
        return ShopPull(shop, error=str(error))
    return ShopPull(shop, listings)


def pull_snapshot(connectors: Sequence[Connector], *, max_workers: int = 4) -> Snapshot:
    """Read all shops at once (each within its connector's own rate limit)."""
    taken_at = dt.datetime.now(dt.UTC)
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(connectors)))) as pool:
        pulls = tuple(pool.map(pull_shop, connectors))
    return Snapshot(taken_at, pulls)


def _detailed(connector: Connector, item: RemoteListing) -> RemoteListing | None:
    """The item with title, price and any rejection reason; None if it vanished before the detail call.

    Some lists leave these out (Shopee's item list has ids only; TikTok's search omits audit reasons).
    """
    thin = item.title is None or item.price_vnd is None or (
        item.status == ListingStatus.REJECTED and item.reject_reason is None)
    if not thin or item.status == ListingStatus.DELETED:
        return item
    try:
        return connector.get(item.remote_id)
    except NotFound:
        return None


def _with_claim(shop_key: str, item: RemoteListing) -> ShopListing:
    return ShopListing(shop_key, item, read_claim(item.title, item.description))


def save_snapshot(session: Session, snapshot: Snapshot, *, province: str | None, as_of: dt.date,
                  target_pct: float | None = None) -> int:
    """Store the snapshot as a new run; returns the run id."""
    run = ReconcileRun(province=province, as_of=as_of, target_pct=target_pct, started_at=snapshot.taken_at,
                       finished_at=dt.datetime.now(dt.UTC))
    run.pulls = [ShopPullRow(shop_key=p.shop.key, channel=p.shop.channel, listings=len(p.listings), error=p.error)
                 for p in snapshot.pulls]
    session.add(run)
    session.flush()
    rows = [_row(run.id, listing) for listing in snapshot.listings()]
    for start in range(0, len(rows), 5000):
        session.execute(insert(SnapshotListingRow), rows[start : start + 5000])
    return run.id


def _row(run_id: int, listing: ShopListing) -> dict:
    remote = listing.remote
    return {
        "run_id": run_id, "shop_key": listing.shop_key, "remote_id": remote.remote_id,
        "remote_sku_id": remote.remote_sku_id, "tracking_id": remote.tracking_id, "seller_sku": remote.seller_sku,
        "status": remote.status.value, "platform_status": remote.platform_status, "title": remote.title,
        "price_vnd": remote.price_vnd,
        "stock": remote.stock, "gtin": remote.gtin, "reject_reason": remote.reject_reason,
        "claims_ocop": listing.claim.mentions_ocop, "claimed_stars": listing.claim.stars,
        "remote_updated_at": remote.updated_at,
    }


def latest_run_id(session: Session, province: str | None = None) -> int | None:
    statement = select(ReconcileRun.id).order_by(ReconcileRun.id.desc()).limit(1)
    if province is not None:
        statement = statement.where(ReconcileRun.province == province)
    return session.scalars(statement).first()


def load_snapshot(session: Session, run_id: int) -> tuple[RunInfo, Snapshot]:
    run = session.get(ReconcileRun, run_id)
    if run is None:
        raise LookupError(f"no reconciliation run with id {run_id}")
    info = RunInfo(run.id, run.province, run.as_of, run.target_pct, run.started_at)
    by_shop: dict[str, list[ShopListing]] = {pull.shop_key: [] for pull in run.pulls}
    columns = [getattr(SnapshotListingRow, name) for name in _LOADED]
    statement = select(*columns).where(SnapshotListingRow.run_id == run_id).order_by(SnapshotListingRow.id)
    for row in session.execute(statement):
        by_shop[row.shop_key].append(_listing(row))
    pulls = tuple(ShopPull(ShopRef(p.shop_key, p.channel), tuple(by_shop[p.shop_key]), p.error) for p in run.pulls)
    return info, Snapshot(run.started_at, pulls)


_LOADED = ("shop_key", "remote_id", "remote_sku_id", "tracking_id", "seller_sku", "status", "platform_status",
           "title", "price_vnd", "stock", "gtin", "reject_reason", "claims_ocop", "claimed_stars", "remote_updated_at")


def _listing(row) -> ShopListing:
    remote = RemoteListing(
        remote_id=row.remote_id, seller_sku=row.seller_sku, status=ListingStatus(row.status),
        platform_status=row.platform_status, title=row.title, price_vnd=row.price_vnd, stock=row.stock,
        gtin=row.gtin, remote_sku_id=row.remote_sku_id, reject_reason=row.reject_reason,
        updated_at=row.remote_updated_at, tracking_id=row.tracking_id,
    )
    return ShopListing(row.shop_key, remote, OcopClaim(bool(row.claims_ocop), row.claimed_stars))
