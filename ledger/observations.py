"""What reconciliation saw on the shops, written back to the ledger.

Reconciliation says what it saw (`Observation`, built by `reconcile.feedback` from its findings);
the ledger decides what that changes: a listing gone from its shop loses its remote id (the next
publish creates it again), a create request the platform has not made an item yet is held by its
tracking id (no remote id until then; the item seen clears it), a drifted one loses its pushed
fingerprints (the next publish pushes the catalogue's content again), and every bound listing takes
the status the shop reports.

Between reconciliations a platform says on its own that a listing's status changed (a push, or a
sweep of recently updated items that finds a push missed: `StatusNotice`); `notice_status` notes it,
and `status_notices` hands what was noted since a reconciliation's snapshot to whoever rebuilds its
reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.bindings import Binding, binding_by_id, utc
from ledger.models import ListingBinding, ListingEvent, Shop


@dataclass(frozen=True)
class Observation:
    """What reconciliation saw of one bound listing on its shop."""

    shop_key: str
    seller_sku: str
    remote_status: str | None        # our ListingStatus word; None when the shop no longer holds it
    platform_status: str | None
    remote_id: str | None
    drifted: bool = False            # edited on the shop: its content no longer matches what we pushed
    tracking_id: str | None = None   # the listing is a create request the platform has not made an item yet


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
    if seen.tracking_id:
        changes |= {"tracking_id": seen.tracking_id, "remote_id": None, "remote_sku_id": None}
    elif seen.remote_id:
        changes |= {"remote_id": seen.remote_id, "tracking_id": None}
    if seen.drifted:
        changes |= {"pushed_hash": None, "pushed_price_vnd": None, "source_fingerprint": None}
    return {name: value for name, value in changes.items() if getattr(row, name) != value}


@dataclass(frozen=True)
class StatusNotice:
    """A listing's new status as its platform told it between reconciliations: a push, or a sweep of
    the shop's recently updated items that found a push missed."""

    shop_key: str
    remote_id: str
    remote_status: str               # our ListingStatus word
    platform_status: str
    reason: str | None
    at: dt.datetime                  # when the platform says the status changed (UTC)
    source: str = "push"             # push | sweep
    message_id: str | None = None    # the platform's id of the push: one delivered twice is noted once


@dataclass(frozen=True)
class Noticed:
    binding: Binding
    changed: bool                    # False: already known (a push delivered twice, or older than one noted)


_NOTICE_OPERATIONS = {"push": "status_push", "sweep": "status_sweep"}


def notice_status(session: Session, notice: StatusNotice) -> Noticed | None:
    """Note a status the platform reported: an event in the log (outcome: our status word, error_code:
    the platform's, message: its reason) and the binding's status, unless a later one is already
    noted. None when no binding of the shop holds that remote id."""
    row = session.execute(
        select(ListingBinding).join(Shop, ListingBinding.shop_id == Shop.id)
        .where(Shop.key == notice.shop_key, ListingBinding.remote_id == notice.remote_id)
    ).scalar_one_or_none()
    if row is None:
        return None
    earlier = session.execute(
        select(ListingEvent.request_id, ListingEvent.at)
        .where(ListingEvent.binding_id == row.id, ListingEvent.operation.in_(list(_NOTICE_OPERATIONS.values())))
    ).all()
    if notice.message_id is not None and any(request_id == notice.message_id for request_id, _ in earlier):
        return Noticed(_as_binding(session, row), changed=False)
    session.add(ListingEvent(binding_id=row.id, operation=_NOTICE_OPERATIONS[notice.source],
                             outcome=notice.remote_status, request_id=notice.message_id,
                             error_code=notice.platform_status[:64], message=notice.reason, at=notice.at))
    newer_noted = any(utc(at) > notice.at for _, at in earlier)
    changed = not newer_noted and (row.remote_status, row.platform_status) != (notice.remote_status,
                                                                             notice.platform_status)
    if changed:
        row.remote_status, row.platform_status = notice.remote_status, notice.platform_status
    session.flush()
    return Noticed(_as_binding(session, row), changed)


def status_notices(session: Session, shop_keys: Iterable[str], *, after: dt.datetime) -> list[StatusNotice]:
    """The statuses platforms reported after `after` for these shops' listings, oldest first."""
    rows = session.execute(
        select(ListingEvent, Shop.key, ListingBinding.remote_id)
        .join(ListingBinding, ListingEvent.binding_id == ListingBinding.id)
        .join(Shop, ListingBinding.shop_id == Shop.id)
        .where(Shop.key.in_(list(shop_keys)), ListingEvent.operation.in_(list(_NOTICE_OPERATIONS.values())),
               ListingEvent.at > after, ListingBinding.remote_id.is_not(None))
        .order_by(ListingEvent.at, ListingEvent.id)
    ).all()
    sources = {operation: source for source, operation in _NOTICE_OPERATIONS.items()}
    return [StatusNotice(shop_key, remote_id, event.outcome, event.error_code or "", event.message, utc(event.at),
                         sources[event.operation], event.request_id)
            for event, shop_key, remote_id in rows]


def _as_binding(session: Session, row: ListingBinding) -> Binding:
    return binding_by_id(session, row.id)
