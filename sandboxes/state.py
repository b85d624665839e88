"""What one marketplace sandbox holds, kept in a small SQLite file so it survives a restart.

Items are stored channel-neutral (title, price, stock, GTIN...) with the platform's own status word;
each platform module renders them in its own JSON. Everything is read from the file on every call
(no cache), so an admin edit, from a test or another process, is what the next API call sees.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    item_id INTEGER PRIMARY KEY,
    shop TEXT NOT NULL,
    seller_sku TEXT NOT NULL,
    sku_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    updated_at REAL NOT NULL,
    review_due_at REAL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_shop ON items (shop, item_id);
CREATE INDEX IF NOT EXISTS items_by_sku ON items (shop, seller_sku);
CREATE INDEX IF NOT EXISTS items_by_sku_id ON items (sku_id);
CREATE INDEX IF NOT EXISTS items_by_status ON items (shop, status);
CREATE TABLE IF NOT EXISTS images (
    image_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    url TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    size INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS images_by_url ON images (url);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS grants (
    value TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    shop TEXT NOT NULL,
    expires_at REAL NOT NULL,
    grant_ends_at REAL,
    spent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS grants_by_shop ON grants (shop, kind);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    shop TEXT NOT NULL,
    key TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (shop, key)
);
"""


@dataclass(frozen=True)
class Item:
    """One listing (one product with one SKU) in one shop."""

    item_id: int
    shop: str
    seller_sku: str
    status: str
    title: str
    description: str
    category_id: str
    price: int
    stock: int
    weight_kg: float
    package_cm: tuple[float, float, float] | None
    images: tuple[str, ...]
    brand: str
    gtin: str | None
    sku_id: int
    created_at: float
    updated_at: float
    reject_reason: str | None = None
    review_due_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)   # platform fields kept as sent


@dataclass(frozen=True)
class StoredImage:
    image_id: str
    owner: str          # the shop or app that uploaded it
    url: str
    sha256: str
    width: int
    height: int
    size: int
    created_at: float


@dataclass(frozen=True)
class Grant:
    """An authorisation code, access token or refresh token the sandbox issued to a shop."""

    value: str = field(repr=False)
    kind: str               # code | access | refresh
    shop: str
    expires_at: float
    grant_ends_at: float | None = None     # the seller's authorisation itself ends (Shopee)
    spent: bool = False


@dataclass(frozen=True)
class ItemQuery:
    shop: str
    statuses: tuple[str, ...] | None = None
    seller_skus: tuple[str, ...] | None = None
    sku_contains: str | None = None
    title_contains: str | None = None
    updated_from: float | None = None
    updated_to: float | None = None
    offset: int = 0
    limit: int = 100


class SandboxState:
    """The SQLite file of one sandbox. Safe to share between the server thread and test code."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def next_id(self, name: str, start: int) -> int:
        """A fresh id from a named sequence that never repeats, across restarts too."""
        with self._lock:
            row = self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                (name, start),
            ).fetchone()
        return int(row[0])

    def put(self, item: Item) -> Item:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO items"
                " (item_id, shop, seller_sku, sku_id, status, title, updated_at, review_due_at, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (item.item_id, item.shop, item.seller_sku, item.sku_id, item.status, item.title, item.updated_at,
                 item.review_due_at, json.dumps(asdict(item), ensure_ascii=False)),
            )
        return item

    def get(self, item_id: int, shop: str | None = None) -> Item | None:
        sql, args = "SELECT data FROM items WHERE item_id = ?", [item_id]
        if shop is not None:
            sql, args = sql + " AND shop = ?", args + [shop]
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return _item(row[0]) if row else None

    def by_sku_id(self, shop: str, sku_id: int) -> Item | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM items WHERE shop = ? AND sku_id = ?", (shop, sku_id)).fetchone()
        return _item(row[0]) if row else None

    def by_sku(self, shop: str, seller_sku: str, *, excluding_status: str | None = None) -> list[Item]:
        sql = "SELECT data FROM items WHERE shop = ? AND seller_sku = ?"
        args: list[Any] = [shop, seller_sku]
        if excluding_status is not None:
            sql, args = sql + " AND status <> ?", args + [excluding_status]
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY item_id", args).fetchall()
        return [_item(row[0]) for row in rows]

    def query(self, q: ItemQuery) -> tuple[list[Item], int]:
        """One page of a shop's items in item_id order, and how many match in all."""
        where, args = _where(q)
        with self._lock:
            total = self._db.execute(f"SELECT COUNT(*) FROM items WHERE {where}", args).fetchone()[0]
            rows = self._db.execute(
                f"SELECT data FROM items WHERE {where} ORDER BY item_id LIMIT ? OFFSET ?", [*args, q.limit, q.offset]
            ).fetchall()
        return [_item(row[0]) for row in rows], int(total)

    def due_reviews(self, status: str, now: float, shop: str | None = None) -> list[Item]:
        sql = "SELECT data FROM items WHERE status = ? AND (review_due_at IS NULL OR review_due_at <= ?)"
        args: list[Any] = [status, now]
        if shop is not None:
            sql, args = sql + " AND shop = ?", args + [shop]
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [_item(row[0]) for row in rows]

    def all_items(self, shop: str | None = None) -> list[Item]:
        sql, args = "SELECT data FROM items", []
        if shop is not None:
            sql, args = sql + " WHERE shop = ?", [shop]
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY shop, item_id", args).fetchall()
        return [_item(row[0]) for row in rows]

    def add_image(self, image: StoredImage) -> StoredImage:
        with self._lock:
            self._db.execute(
                "INSERT INTO images (image_id, owner, url, sha256, width, height, size, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (image.image_id, image.owner, image.url, image.sha256, image.width, image.height, image.size,
                 image.created_at),
            )
        return image

    def image(self, image_id: str) -> StoredImage | None:
        return self._one_image("SELECT * FROM images WHERE image_id = ?", image_id)

    def image_by_url(self, url: str) -> StoredImage | None:
        return self._one_image("SELECT * FROM images WHERE url = ?", url)

    def add_grant(self, grant: Grant) -> Grant:
        with self._lock:
            self._db.execute("INSERT INTO grants (value, kind, shop, expires_at, grant_ends_at, spent)"
                             " VALUES (?, ?, ?, ?, ?, ?)", (grant.value, grant.kind, grant.shop, grant.expires_at,
                                                            grant.grant_ends_at, int(grant.spent)))
        return grant

    def grant(self, value: str, kind: str) -> Grant | None:
        with self._lock:
            row = self._db.execute("SELECT value, kind, shop, expires_at, grant_ends_at, spent FROM grants"
                                   " WHERE value = ? AND kind = ?", (value, kind)).fetchone()
        return Grant(*row[:5], spent=bool(row[5])) if row else None

    def spend_grant(self, value: str) -> bool:
        """Mark a one-use grant spent; False when it already was (someone used it first)."""
        with self._lock:
            row = self._db.execute("UPDATE grants SET spent = 1 WHERE value = ? AND spent = 0 RETURNING value",
                                   (value,)).fetchone()
        return row is not None

    def change_shop_grants(self, shop: str, *, spent: bool | None = None, expires_at: float | None = None,
                           kind: str | None = None) -> None:
        """Revoke (spend) or expire a shop's grants, as the seller or time would."""
        sets = [clause for clause, value in (("spent = 1", spent), ("expires_at = ?", expires_at)) if value]
        args: list[Any] = [expires_at] if expires_at else []
        where, args = "shop = ?" + (" AND kind = ?" if kind else ""), args + [shop] + ([kind] if kind else [])
        with self._lock:
            self._db.execute(f"UPDATE grants SET {', '.join(sets)} WHERE {where}", args)

    def remembered_answer(self, shop: str, key: str) -> Any:
        """What the first request with this idempotency key was answered, or None."""
        with self._lock:
            row = self._db.execute("SELECT answer FROM idempotency_keys WHERE shop = ? AND key = ?", (shop, key)).fetchone()
        return json.loads(row[0]) if row else None

    def remember_answer(self, shop: str, key: str, answer: Any, now: float) -> None:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO idempotency_keys (shop, key, answer, created_at) VALUES (?, ?, ?, ?)",
                             (shop, key, json.dumps(answer, ensure_ascii=False), now))

    def _one_image(self, sql: str, value: str) -> StoredImage | None:
        with self._lock:
            row = self._db.execute(sql, (value,)).fetchone()
        return StoredImage(*row) if row else None


def _where(q: ItemQuery) -> tuple[str, list[Any]]:
    clauses, args = ["shop = ?"], [q.shop]
    if q.statuses is not None:
        clauses.append(f"status IN ({_marks(q.statuses)})")
        args += list(q.statuses)
    if q.seller_skus is not None:
        clauses.append(f"seller_sku IN ({_marks(q.seller_skus)})")
        args += list(q.seller_skus)
    if q.sku_contains:
        clauses.append("instr(seller_sku, ?) > 0")
        args.append(q.sku_contains)
    if q.title_contains:
        clauses.append("instr(lower(title), lower(?)) > 0")
        args.append(q.title_contains)
    if q.updated_from is not None:
        clauses.append("updated_at >= ?")
        args.append(q.updated_from)
    if q.updated_to is not None:
        clauses.append("updated_at <= ?")
        args.append(q.updated_to)
    return " AND ".join(clauses), args


def _marks(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _item(data: str) -> Item:
    raw = json.loads(data)
    raw["images"] = tuple(raw["images"])
    if raw["package_cm"] is not None:
        raw["package_cm"] = tuple(raw["package_cm"])
    return Item(**raw)


def touched(item: Item, now: float, **changes: Any) -> Item:
    """The item with `changes` applied and its update time moved to `now`."""
    return replace(item, **changes, updated_at=max(now, item.updated_at))


CONTENT_FIELDS = ("title", "description", "category_id", "images", "brand", "gtin", "weight_kg", "package_cm")


def content_changed(before: Item, after: Item) -> bool:
    """Whether an edit touched what a reviewer looks at (price and stock are not reviewed)."""
    return any(getattr(before, name) != getattr(after, name) for name in CONTENT_FIELDS)
