"""Bindings: one product x shop, with its remote ids and status, fingerprints, last error and claim.

`Binding` is the ledger's one record of a binding, whoever reads it: planning and the publisher
(a shop's bindings, or those a batch has just claimed), reconciliation (the bindings of the shops
it read), `ocop ledger --explain` (one product's, on every shop). Shops and bindings are made here
on first use, so that every planned listing has a row to claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from connectors.types import ListingStatus, ShopConfig
from ledger.models import ListingBinding, Shop

_bindings = ListingBinding.__table__
_shops = Shop.__table__


@dataclass(frozen=True)
class Binding:
    """One product x shop as the ledger holds it. Times are in UTC."""

    shop_key: str
    seller_sku: str
    product_id: int | None = None
    binding_id: int | None = None           # the ledger row, for writing outcomes to it
    remote_id: str | None = None
    remote_sku_id: str | None = None
    tracking_id: str | None = None          # a create request the platform reviews before it is an item
    remote_status: str | None = None        # our ListingStatus word: live, under_review, ...
    platform_status: str | None = None      # the platform's own word
    rendered_hash: str | None = None        # the content last rendered (and tried)
    pushed_hash: str | None = None          # the content last pushed successfully: only a success sets it
    pushed_price_vnd: int | None = None
    pushed_stock: int | None = None
    source_fingerprint: str | None = None   # input fingerprint of the last fully settled rendering
    package_estimated: bool | None = None   # the weight and box last pushed were estimated; None: never pushed
    blocked_reasons: tuple[str, ...] = ()
    attempts: int = 0
    last_error_class: str | None = None
    last_error_code: str | None = None
    last_error_message: str | None = None
    claimed_by: str | None = None
    claimed_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    last_pushed_at: dt.datetime | None = None

    @property
    def awaits_review(self) -> bool:
        """A create request (Tiki's) the platform has not decided yet: no item, and none to create either;
        its state is read by its tracking id."""
        return self.tracking_id is not None and self.remote_id is None and self.remote_status not in (
            ListingStatus.REJECTED, ListingStatus.DELETED)

    @property
    def has_no_item(self) -> bool:
        """Whether the shop holds no item for this binding (never created, deleted, or a request the
        platform rejected): a create is due."""
        return (self.remote_id is None and not self.awaits_review) or self.remote_status == ListingStatus.DELETED


@dataclass(frozen=True)
class KnownShop:
    """A shop the ledger has bindings for (or will have: it is made before its first plan)."""

    shop_id: int
    key: str
    channel: str
    province: str | None


def ensure_shop(session: Session, shop: ShopConfig) -> int:
    row = session.scalars(select(Shop).where(Shop.key == shop.key)).one_or_none()
    if row is None:
        row = Shop(key=shop.key, channel=shop.channel.value, name=shop.name or shop.key, province=shop.province)
        session.add(row)
        session.flush()
    return row.id


def known_shops(session: Session) -> list[KnownShop]:
    """Every shop of the ledger, by key."""
    rows = session.execute(select(_shops.c.id, _shops.c.key, _shops.c.channel, _shops.c.province).order_by(_shops.c.key))
    return [KnownShop(*row) for row in rows]


# INSERT ... ON CONFLICT DO NOTHING statements by (dialect name, table name), built on first use.
_INSERT_NEW: dict = {}


def insert_new(executor, table, *key: str):
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
        session.execute(insert_new(session, _bindings, "product_id", "shop_id"), rows)


_SELECT = select(_shops.c.key.label("shop_key"), *_bindings.columns).join_from(
    _bindings, _shops, _bindings.c.shop_id == _shops.c.id)


def load_bindings(session: Session, shop_id: int) -> dict[int, Binding]:
    """A shop's bindings by product id."""
    return {row.product_id: _binding(row) for row in session.execute(_SELECT.where(_bindings.c.shop_id == shop_id))}


def held_bindings(connection, shop_id: int, product_ids: Iterable[int]) -> dict[int, Binding]:
    """The bindings a batch has just claimed, read once: while the claim holds, only its owner writes them."""
    ids = sorted(product_ids)
    found: dict[int, Binding] = {}
    for start in range(0, len(ids), 500):
        statement = _SELECT.where(_bindings.c.shop_id == shop_id, _bindings.c.product_id.in_(ids[start : start + 500]))
        found.update((row.product_id, _binding(row)) for row in connection.execute(statement))
    return found


def shop_bindings(session: Session, shop_keys: Iterable[str]) -> list[Binding]:
    """Every binding of these shops (what reconciliation compares the shops with)."""
    return [_binding(row) for row in session.execute(_SELECT.where(_shops.c.key.in_(list(shop_keys))))]


def binding_by_id(session: Session, binding_id: int) -> Binding:
    return _binding(session.execute(_SELECT.where(_bindings.c.id == binding_id)).one())


def product_bindings(session: Session, *, product_id: int | None, seller_sku: str) -> list[Binding]:
    """One product's bindings on every shop: by product id when it is in the catalogue, else by seller SKU."""
    match = _bindings.c.product_id == product_id if product_id is not None else _bindings.c.seller_sku == seller_sku
    return [_binding(row) for row in session.execute(_SELECT.where(match).order_by(_shops.c.key))]


def _binding(row) -> Binding:
    return Binding(
        shop_key=row.shop_key, seller_sku=row.seller_sku, product_id=row.product_id, binding_id=row.id,
        remote_id=row.remote_id, remote_sku_id=row.remote_sku_id, tracking_id=row.tracking_id,
        remote_status=row.remote_status, platform_status=row.platform_status, rendered_hash=row.rendered_hash,
        pushed_hash=row.pushed_hash, pushed_price_vnd=row.pushed_price_vnd, pushed_stock=row.pushed_stock,
        source_fingerprint=row.source_fingerprint, package_estimated=row.package_estimated,
        blocked_reasons=tuple(row.blocked_reasons or ()), attempts=row.attempts, last_error_class=row.last_error_class,
        last_error_code=row.last_error_code, last_error_message=row.last_error_message, claimed_by=row.claimed_by,
        claimed_at=utc(row.claimed_at), created_at=utc(row.created_at), updated_at=utc(row.updated_at),
        last_pushed_at=utc(row.last_pushed_at),
    )


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Stored times are UTC; SQLite gives them back without a zone."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
