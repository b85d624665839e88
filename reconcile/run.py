"""Reconciliation end to end: read the shops, store the snapshot, classify, measure coverage, keep
history, and tell the ledger what the shops hold.

`reconcile_shops` is the one call the `reconcile_listings` flow makes; `evaluate_run` re-reads a
stored run without calling any marketplace (used by reports and `ocop report`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

import ledger
from catalogue.query import load_catalogue
from catalogue.records import CatalogueProduct
from connectors.types import Connector
from ocop.channels import ListingStatus
from ocop.store import transaction
from reconcile.classify import Reconciliation, classify
from reconcile.coverage import Coverage, compute_coverage
from reconcile.feedback import observations
from reconcile.history import record_coverage
from reconcile.snapshot import (
    RunInfo,
    ShopPull,
    Snapshot,
    latest_run_id,
    load_snapshot,
    pull_snapshot,
    save_snapshot,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class ReconcileResult:
    run: RunInfo
    reconciliation: Reconciliation
    coverage: Coverage
    bindings_refreshed: int = 0     # ledger bindings this reconciliation changed (none when a stored run is re-read)
    # Statuses platforms pushed after the snapshot was taken, applied over it (the latest per item).
    notices: tuple[ledger.StatusNotice, ...] = ()

    @property
    def run_id(self) -> int:
        return self.run.run_id

    @property
    def below_target(self) -> bool:
        """True when any channel, or all channels at once, is below the run's target: alert on it."""
        return self.coverage.below_target


def today_in_vietnam() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def reconcile_shops(engine: Engine, connectors: Sequence[Connector], *, province: str | None,
                    as_of: dt.date | None = None, target_pct: float | None = None,
                    catalogue: Sequence[CatalogueProduct] | None = None, max_workers: int = 4,
                    imported: Sequence[ShopPull] = ()) -> ReconcileResult:
    """Read every shop in full, store the snapshot, classify it, record the run's coverage, and bring
    the ledger in line with what the shops hold: the next publish then re-creates a listing a
    seller deleted, relists one found unlisted, and re-pushes content edited by hand (drift).

    `catalogue` defaults to the stored catalogue of the province. `imported`: the shops without an
    API, each as its latest imported export shows it (`reconcile.imported.latest_pull`).
    """
    snapshot = pull_snapshot(connectors, max_workers=max_workers)
    snapshot = replace(snapshot, pulls=snapshot.pulls + tuple(imported))
    with transaction(engine) as session:
        run_id = save_snapshot(session, snapshot, province=province, as_of=as_of or today_in_vietnam(),
                               target_pct=target_pct)
    result = evaluate_run(engine, run_id, catalogue=catalogue)
    with transaction(engine) as session:
        record_coverage(session, run_id, result.coverage)
    with transaction(engine) as session:
        refreshed = ledger.observe(session, observations(result.reconciliation))
    return replace(result, bindings_refreshed=refreshed)


def evaluate_run(engine: Engine, run_id: int | None = None, *, province: str | None = None,
                 catalogue: Sequence[CatalogueProduct] | None = None) -> ReconcileResult:
    """Classify a stored run (the latest of `province` when `run_id` is None); reads only the database."""
    with transaction(engine) as session:
        if run_id is None:
            run_id = latest_run_id(session, province)
            if run_id is None:
                raise LookupError(f"no stored reconciliation run for province {province!r}: run reconcile first")
        info, snapshot = load_snapshot(session, run_id)
        products = list(catalogue) if catalogue is not None else load_catalogue(session, province=info.province)
        shop_keys = [shop.key for shop in snapshot.shops]
        bindings = ledger.shop_bindings(session, shop_keys)
        notices = latest_notices(ledger.status_notices(session, shop_keys, after=snapshot.taken_at))
    reconciliation = classify(products, with_notices(snapshot, notices), bindings, as_of=info.as_of)
    return ReconcileResult(info, reconciliation, compute_coverage(reconciliation, target_pct=info.target_pct),
                           notices=tuple(notices.values()))


def latest_notices(notices: Sequence[ledger.StatusNotice]) -> dict[tuple[str, str], ledger.StatusNotice]:
    """The last status each item was pushed with, by (shop, remote id); `notices` come oldest first."""
    return {(notice.shop_key, notice.remote_id): notice for notice in notices}


def with_notices(snapshot: Snapshot, notices: dict[tuple[str, str], ledger.StatusNotice]) -> Snapshot:
    """The snapshot with each item a platform pushed a newer status for since, at that status: a
    listing banned or approved since the last full reading shows so in the next report."""
    if not notices:
        return snapshot
    pulls = []
    for pull in snapshot.pulls:
        listings = []
        for item in pull.listings:
            notice = notices.get((item.shop_key, item.remote.remote_id))
            if notice is not None:
                item = replace(item, remote=replace(item.remote, status=ListingStatus(notice.remote_status),
                                                    platform_status=notice.platform_status,
                                                    reject_reason=notice.reason, updated_at=notice.at))
            listings.append(item)
        pulls.append(replace(pull, listings=tuple(listings)))
    return replace(snapshot, pulls=tuple(pulls))

