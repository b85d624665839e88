"""The catch-up for pushes that never arrived: a sweep of each shop's recently updated items.

A platform gives up on a push after a few retries (Shopee after 3 h, Lazada after 6 h, TikTok after
12 h), and a receiver that was down misses them all. The sweep reads each shop's items through its
connector (`iter_listings`) and, for every bound item updated since `since` whose status is not the
one the ledger holds, notes what the push would have said (`ledger.notice_status`, source "sweep")
and emits the same events. It is no reconciliation: no snapshot, no coverage, statuses only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

import ledger
from connectors.errors import ConnectorError
from connectors.types import Connector
from ocop.store import transaction
from pushes import events

log = logging.getLogger("pushes.catch_up")


@dataclass(frozen=True)
class ShopSweep:
    shop_key: str
    read: int = 0                        # items updated since the sweep's start that were compared
    noted: tuple[str, ...] = ()          # "<remote id>: <old status> -> <new status>"
    error: str | None = None             # the shop could not be read; the others were


def sweep(engine: Engine, connectors: Sequence[Connector], *, since: dt.datetime | None) -> list[ShopSweep]:
    """Note every status change the ledger missed among items updated since `since` (None: all items)."""
    return [_sweep_shop(engine, connector, since) for connector in connectors]


def _sweep_shop(engine: Engine, connector: Connector, since: dt.datetime | None) -> ShopSweep:
    shop_key = connector.shop.key
    with transaction(engine) as session:
        bound = {b.remote_id: b for b in ledger.shop_bindings(session, [shop_key]) if b.remote_id}
    read, noted = 0, []
    try:
        for item in connector.iter_listings():
            if since is not None and item.updated_at is not None and item.updated_at < since:
                continue
            read += 1
            binding = bound.get(item.remote_id)
            if binding is None or (binding.remote_status, binding.platform_status) == (item.status.value,
                                                                                      item.platform_status):
                continue
            notice = ledger.StatusNotice(shop_key, item.remote_id, item.status.value, item.platform_status,
                                         item.reject_reason, item.updated_at or dt.datetime.now(dt.UTC),
                                         source="sweep")
            with transaction(engine) as session:
                noticed = ledger.notice_status(session, notice)
            if noticed is not None and noticed.changed:
                events.listing_needs_action(noticed.binding, item.status, item.reject_reason, "sweep")
                noted.append(f"{item.remote_id}: {binding.remote_status} -> {item.status.value}")
    except ConnectorError as error:
        log.warning("catch-up of %s stopped: %s", shop_key, error)
        return ShopSweep(shop_key, read, tuple(noted), str(error))
    return ShopSweep(shop_key, read, tuple(noted))
