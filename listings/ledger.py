"""The listing ledger: bindings (product x shop), claims, outcomes and the append-only event log.

Every function takes a connection, a session or an engine, and plain values; ORM rows do not leave
this module. The publisher's per-listing writes (`renew`, `mark_sending`, `record`, `settle`,
`remember_images`) are single Core statements on ids it already holds, built once at import: a
listing costs two or three short transactions, not ORM round trips.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from catalogue.store import writing
from connectors.errors import ConnectorError, ErrorClass
from connectors.types import ShopConfig
from listings import claims
from listings.claims import CLAIM_LEASE
from listings.models import ImageUpload, ListingBinding, ListingEvent, Shop
from listings.plan import BindingState


_bindings = ListingBinding.__table__
_events = ListingEvent.__table__


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ensure_shop(session: Session, shop: ShopConfig) -> int:
    row = session.scalars(select(Shop).where(Shop.key == shop.key)).one_or_none()
    if row is None:
        row = Shop(key=shop.key, channel=shop.channel.value, name=shop.name or shop.key, province=shop.province)
        session.add(row)
        session.flush()
    return row.id


# INSERT ... ON CONFLICT DO NOTHING statements by (dialect name, table name), built on first use.
_INSERT_NEW: dict = {}


def _insert_new(executor, table, *key: str):
    """INSERT ... ON CONFLICT (key) DO NOTHING for `table` in the dialect of `executor` (a session or a
    connection), built once per dialect: the same statement every call is compiled once by
    SQLAlchemy, and many rows go as one executemany."""
    dialect = executor.dialect if hasattr(executor, "dialect") else executor.get_bind().dialect
    statement = _INSERT_NEW.get((dialect.name, table.name))
    if statement is None:
        insert_for = pg_insert if dialect.name == "postgresql" else sqlite_insert
        statement = insert_for(table).on_conflict_do_nothing(index_elements=list(key))
        _INSERT_NEW[(dialect.name, table.name)] = statement
    return statement


def ensure_bindings(session, shop_id: int, products: Iterable[tuple[int, str]]) -> None:
    """Create the binding rows that do not exist yet, so that every planned listing has a row to claim."""
    rows = [{"product_id": pid, "shop_id": shop_id, "seller_sku": sku, "attempts": 0} for pid, sku in products]
    if rows:
        session.execute(_insert_new(session, _bindings, "product_id", "shop_id"), rows)


def _state(row) -> BindingState:
    return BindingState(
        binding_id=row.id,
        product_id=row.product_id,
        seller_sku=row.seller_sku,
        remote_id=row.remote_id,
        remote_status=row.remote_status,
        rendered_hash=row.rendered_hash,
        pushed_hash=row.pushed_hash,
        pushed_price_vnd=row.pushed_price_vnd,
        pushed_stock=row.pushed_stock,
        last_error_class=row.last_error_class,
        blocked_reasons=tuple(row.blocked_reasons or ()),
        attempts=row.attempts,
        source_fingerprint=row.source_fingerprint,
    )


def load_bindings(session: Session, shop_id: int) -> dict[int, BindingState]:
    rows = session.scalars(select(ListingBinding).where(ListingBinding.shop_id == shop_id))
    return {row.product_id: _state(row) for row in rows}


def held_bindings(connection, shop_id: int, product_ids: Iterable[int]) -> dict[int, BindingState]:
    """The bindings a batch has just claimed, read once: while the claim holds, only its owner writes them."""
    ids = sorted(product_ids)
    states: dict[int, BindingState] = {}
    for start in range(0, len(ids), 500):
        statement = select(_bindings).where(_bindings.c.shop_id == shop_id,
                                            _bindings.c.product_id.in_(ids[start : start + 500]))
        states.update((row.product_id, _state(row)) for row in connection.execute(statement))
    return states


def claim(engine: Engine, shop_id: int, product_ids: Sequence[int], owner: str) -> set[int]:
    """Take the bindings no live worker holds; returns the product ids this owner now holds.

    A claim is free when nobody holds it, when its lease ran out, or when its owner is known to be
    gone (`listings.claims.abandoned`: its process died on this machine, or it was an earlier
    attempt of this same run). On PostgreSQL the candidate rows are locked with FOR UPDATE SKIP
    LOCKED, so two workers claiming at once split the rows instead of waiting on or double-taking
    them. SQLite has a single writer, so the conditional UPDATE alone is atomic there.
    """
    now = _now()
    claimed: set[int] = set()
    with writing(engine) as connection:
        for start in range(0, len(product_ids), 500):
            chunk = list(product_ids[start : start + 500])
            free = _free(owner, now, _abandoned_owners(connection, shop_id, chunk, owner, now))
            candidates = select(_bindings.c.id).where(_bindings.c.shop_id == shop_id, _bindings.c.product_id.in_(chunk), free)
            if connection.dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
            ids = list(connection.scalars(candidates))
            if not ids:
                continue
            statement = (
                update(_bindings)
                .where(_bindings.c.id.in_(ids), free)
                .values(claimed_by=owner, claimed_at=now)
                .returning(_bindings.c.product_id)
            )
            claimed.update(connection.scalars(statement))
    return claimed


def _free(owner: str, now: dt.datetime, abandoned_owners: set[str]):
    column = _bindings.c.claimed_by
    conditions = [column.is_(None), column == owner, _bindings.c.claimed_at < now - CLAIM_LEASE]
    if abandoned_owners:
        conditions.append(column.in_(sorted(abandoned_owners)))
    return or_(*conditions)


def _abandoned_owners(connection, shop_id: int, product_ids: list[int], owner: str, now: dt.datetime) -> set[str]:
    """The other owners holding live-looking claims on these rows whose holder is in fact gone."""
    others = select(_bindings.c.claimed_by).distinct().where(
        _bindings.c.shop_id == shop_id, _bindings.c.product_id.in_(product_ids),
        _bindings.c.claimed_by.is_not(None), _bindings.c.claimed_by != owner,
        _bindings.c.claimed_at >= now - CLAIM_LEASE,
    )
    return {other for other in connection.scalars(others) if claims.abandoned(other, owner)}


def holders(connection, shop_id: int, product_ids: Iterable[int]) -> dict[int, str]:
    """Who holds each of these bindings now (those nobody holds are left out)."""
    ids = sorted(product_ids)
    held: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        statement = select(_bindings.c.product_id, _bindings.c.claimed_by).where(
            _bindings.c.shop_id == shop_id, _bindings.c.product_id.in_(ids[start : start + 500]),
            _bindings.c.claimed_by.is_not(None))
        held.update((row.product_id, row.claimed_by) for row in connection.execute(statement))
    return held


def release(engine: Engine, shop_id: int, owner: str, product_ids: set[int]) -> None:
    """Release the rows this batch claimed (other batches of the same run may still hold theirs)."""
    ids = sorted(product_ids)
    with writing(engine) as connection:
        for start in range(0, len(ids), 500):
            connection.execute(
                update(ListingBinding)
                .where(and_(ListingBinding.shop_id == shop_id, ListingBinding.claimed_by == owner,
                            ListingBinding.product_id.in_(ids[start : start + 500])))
                .values(claimed_by=None, claimed_at=None)
            )


def renew(connection, shop_id: int, owner: str, product_ids: Iterable[int]) -> set[int]:
    """Refresh this owner's claims; returns the product ids it still holds (a claim that outlived
    the lease may have been taken over by another worker). A batch's `ClaimKeeper` calls it."""
    ids = sorted(product_ids)
    held: set[int] = set()
    for start in range(0, len(ids), 500):
        statement = (
            update(_bindings)
            .where(_bindings.c.shop_id == shop_id, _bindings.c.claimed_by == owner,
                   _bindings.c.product_id.in_(ids[start : start + 500]))
            .values(claimed_at=_now())
            .returning(_bindings.c.product_id)
        )
        held.update(connection.scalars(statement))
    return held


_MARK_SENDING = (
    update(_bindings)
    .where(_bindings.c.id == bindparam("binding"))
    .values(last_error_class=ErrorClass.UNKNOWN_OUTCOME.value, last_error_code=None,
            last_error_message="create sent or about to be; its outcome was not recorded")
)


def mark_sending(connection, binding_ids: Sequence[int]) -> None:
    """Written before creates are sent: if the process dies before their outcomes are recorded, the
    bindings say "unknown outcome", and the next attempt looks each seller SKU up before creating."""
    if binding_ids:
        connection.execute(_MARK_SENDING, [{"binding": binding_id} for binding_id in binding_ids])


@dataclass(frozen=True)
class Outcome:
    """What one marketplace call did, as the ledger records it."""

    operation: str
    outcome: str                      # ok | failed | blocked | found
    request_id: str | None = None
    error: ConnectorError | None = None


# The SET clause is completed by the keys of each call's parameters (the binding's changed columns).
_UPDATE_BINDING = update(_bindings).where(_bindings.c.id == bindparam("binding"))
_UPDATE_BINDING_COUNTING = _UPDATE_BINDING.values(attempts=_bindings.c.attempts + 1)
_APPEND_EVENT = insert(_events)


def record(connection, binding_id: int, run_id: str | None, outcome: Outcome, **binding_changes) -> None:
    """Apply `binding_changes` to the binding and append the event, in the caller's transaction.
    Every call but a decision not to call (`block`) counts as an attempt."""
    error = outcome.error
    if error is not None:
        binding_changes |= {
            "last_error_code": error.code,
            "last_error_message": error.message,
            "last_error_class": error.error_class.value,
        }
    elif outcome.outcome in ("ok", "blocked"):
        binding_changes |= {"last_error_code": None, "last_error_message": None, "last_error_class": None}
    statement = _UPDATE_BINDING if outcome.operation == "block" else _UPDATE_BINDING_COUNTING
    updated = connection.execute(statement, {"binding": binding_id, **binding_changes})
    if updated.rowcount != 1:
        raise LookupError(f"no listing binding {binding_id}")
    connection.execute(_APPEND_EVENT, {
        "binding_id": binding_id,
        "run_id": run_id,
        "operation": outcome.operation,
        "outcome": outcome.outcome,
        "request_id": outcome.request_id or (error.request_id if error else None),
        "error_code": error.code if error else None,
        "message": error.message if error else None,
    })


def settle(connection, binding_id: int, fingerprint: str | None) -> None:
    """Remember the input fingerprint the binding now reflects (see `listings.plan.screen`)."""
    connection.execute(_UPDATE_BINDING, {"binding": binding_id, "source_fingerprint": fingerprint})


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
    """Bring the ledger in line with what the shops really hold; returns the bindings changed.

    A listing gone from its shop loses its remote id (the next publish creates it again); a drifted
    one loses its pushed fingerprints (the next publish pushes the catalogue's content again).
    """
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


def uploaded_images(session, shop_id: int) -> dict[str, str]:
    rows = session.execute(select(ImageUpload.sha256, ImageUpload.remote_ref).where(ImageUpload.shop_id == shop_id))
    return dict(rows.all())


def remember_images(connection, shop_id: int, uploads: Sequence[tuple[str, str]]) -> None:
    """Remember uploaded images (sha256, the shop's reference) so they are never uploaded again."""
    if uploads:
        connection.execute(_insert_new(connection, ImageUpload.__table__, "shop_id", "sha256"),
                           [{"shop_id": shop_id, "sha256": sha, "remote_ref": ref} for sha, ref in uploads])


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
