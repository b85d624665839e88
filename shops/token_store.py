"""The token store: each connected shop's tokens, in the database, encrypted, one row per shop.

Why the database and not Prefect Secret blocks updated in place: a refresh must happen once across
every worker, and Shopee's refresh token works once. A Secret block has no lock and no
compare-and-set, so two workers could read the same refresh token and both spend it, and the loser
would lock the shop out until its seller authorises again. A row holds the lock (`SELECT … FOR
UPDATE` on PostgreSQL; SQLite's write lock) for the whole refresh, and the new tokens are written in
that same transaction, before any worker can use them. Every worker already reaches the database
(`OCOP_DATABASE_URL`), and the state ("needs re-authorisation", expiries) is then one query away
for `ocop shop list` and the reports.

At rest the tokens are Fernet tokens (`cryptography`): the key is `OCOP_TOKEN_KEY` or, when that is
not set, the Prefect Secret block `ocop-token-key`. Without the key a stolen database holds no
usable token; lose the key and every shop must be connected again. Nothing here logs or returns a
token except to the connector that sends it.

This module is ground (next to the settings and the shops file, on the store); `connectors.tokens`
holds the refresh policy and knows nothing of databases.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr
from sqlalchemy import Engine

from connectors.tokens import (
    CONNECTED,
    NEEDS_REAUTHORISATION,
    RefreshingTokens,
    TokenRecord,
    TokenSet,
)
from connectors.types import ShopConfig
from ocop.channels import Channel
from ocop.store import Base, make_engine, migrate, writing

log = logging.getLogger("shops.token_store")

KEY_VARIABLE = "OCOP_TOKEN_KEY"
KEY_BLOCK = "ocop-token-key"
REAUTHORISE_EVENT = "ocop.shop.reauthorise"
NOT_CONNECTED = "not_connected"     # a row that holds a platform's word about the shop, and no tokens

# Declared with every package's tables (`Base.metadata`), so tests/ocop/test_migrations.py holds
# migrations 0007 and 0009 to it.
_tokens = sa.Table(
    "shop_tokens", Base.metadata,
    sa.Column("shop_key", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("shop_id", sa.String(64)),
    sa.Column("seller", sa.String(255), nullable=False, server_default=""),
    sa.Column("access_token", sa.Text),
    sa.Column("refresh_token", sa.Text),
    sa.Column("issued_at", sa.Double),
    sa.Column("access_expires_at", sa.Double),
    sa.Column("refresh_expires_at", sa.Double),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("connected_at", sa.Double),
    sa.Column("refreshed_at", sa.Double),
    sa.Column("refresh_count", sa.Integer, nullable=False, server_default="0"),
    # The platform's warning that the seller's authorisation ends (Shopee push 12, Lazada 8, TikTok 7):
    # a refresh does not extend it, so only a new connection (the row replaced) clears it.
    sa.Column("authorisation_ends_at", sa.Double),
    sa.Column("authorisation_warned_by", sa.Text, nullable=False, server_default=""),
)


class TokenKeyMissing(LookupError):
    pass


def new_token_key() -> str:
    """A fresh key for OCOP_TOKEN_KEY (or the `ocop-token-key` Secret block)."""
    return Fernet.generate_key().decode()


def token_cipher() -> Fernet:
    """The cipher of OCOP_TOKEN_KEY, or of the Secret block `ocop-token-key`."""
    return _fernet(os.environ.get(KEY_VARIABLE) or _key_from_secret_block())


@functools.lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        raise TokenKeyMissing(f"{KEY_VARIABLE} (or the Secret block {KEY_BLOCK!r}) is not a Fernet key: "
                              "32 url-safe base64-encoded bytes, as `ocop shop new-key` prints") from None


def _key_from_secret_block() -> str:
    from prefect.blocks.system import Secret

    try:
        return str(Secret.load(KEY_BLOCK).get())
    except ValueError:
        raise TokenKeyMissing(f"set {KEY_VARIABLE} or create the Prefect Secret block {KEY_BLOCK!r} with a key "
                              "from `ocop shop new-key`: connected shops' tokens are encrypted with it") from None


@dataclass(frozen=True)
class ShopTokenState:
    """What `ocop shop list` shows of a connected shop: never a token."""

    shop_key: str
    channel: str
    shop_id: str | None
    seller: str
    status: str
    reason: str
    access_expires_at: float | None
    refresh_expires_at: float | None
    connected_at: float | None
    refreshed_at: float | None
    refresh_count: int
    authorisation_ends_at: float | None = None
    authorisation_warned_by: str = ""        # which push said so, e.g. "Shopee push 12"


class DatabaseTokenStore:
    """One shop's row, read by every worker; `exclusive` holds it for a refresh (see the module)."""

    def __init__(self, engine: Engine, shop_key: str, channel: Channel, cipher: Fernet | None = None) -> None:
        self.engine = engine
        self.shop_key = shop_key
        self.channel = channel
        self._cipher = cipher

    def __repr__(self) -> str:
        return f"DatabaseTokenStore({self.shop_key!r}, database={self.engine.dialect.name})"

    @property
    def cipher(self) -> Fernet:
        if self._cipher is None:
            self._cipher = token_cipher()
        return self._cipher

    def read(self) -> TokenRecord:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(_tokens).where(_tokens.c.shop_key == self.shop_key)).mappings().first()
        return self._record(row)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[TokenRecord]:
        """The shop's record, held against every other holder until the block ends (a refresh
        calls the platform meanwhile). PostgreSQL: a row lock in a transaction. SQLite locks the
        whole database for a write transaction, and the refresh's own call takes its slot in the
        shared rate limit through the same database: held so, the two would wait on each other.
        There a lock file beside the database holds the shop (one machine is all SQLite serves)
        and the new tokens are written in a short transaction at the end."""
        if self.engine.dialect.name == "sqlite":
            with _shop_file_lock(self.engine, self.shop_key):
                record = self.read()
                yield record
                if record.changed:
                    with writing(self.engine) as connection:
                        connection.execute(sa.update(_tokens).where(_tokens.c.shop_key == self.shop_key)
                                           .values(**self._columns(record)))
            return
        with writing(self.engine) as connection:
            query = sa.select(_tokens).where(_tokens.c.shop_key == self.shop_key).with_for_update()
            record = self._record(connection.execute(query).mappings().first())
            yield record
            if record.changed:
                connection.execute(sa.update(_tokens).where(_tokens.c.shop_key == self.shop_key)
                                   .values(**self._columns(record)))

    def save_connected(self, tokens: TokenSet, now: float) -> None:
        """A newly connected (or re-authorised) shop: its row replaced whole."""
        values = {"shop_key": self.shop_key, "channel": self.channel.value, "connected_at": now, "refresh_count": 0,
                  **self._columns(TokenRecord(self.shop_key, tokens, refreshed_at=None))}
        with writing(self.engine) as connection:
            connection.execute(sa.delete(_tokens).where(_tokens.c.shop_key == self.shop_key))
            connection.execute(sa.insert(_tokens).values(**values))

    def _record(self, row) -> TokenRecord:
        if row is None:
            return TokenRecord(self.shop_key, None)
        tokens = None
        if row["access_token"] and row["refresh_token"]:
            tokens = TokenSet(access_token=self._decrypt(row["access_token"]), access_expires_at=row["access_expires_at"],
                              refresh_token=self._decrypt(row["refresh_token"]),
                              refresh_expires_at=row["refresh_expires_at"], issued_at=row["issued_at"],
                              shop_id=row["shop_id"], seller=row["seller"] or "")
        return TokenRecord(self.shop_key, tokens, status=row["status"], reason=row["reason"] or "",
                           refreshed_at=row["refreshed_at"])

    def _columns(self, record: TokenRecord) -> dict:
        values = {"status": record.status, "reason": record.reason, "refreshed_at": record.refreshed_at}
        tokens = record.tokens
        if tokens is not None:
            values |= {"access_token": self._encrypt(tokens.access_token), "refresh_token": self._encrypt(tokens.refresh_token),
                       "issued_at": tokens.issued_at, "access_expires_at": tokens.access_expires_at,
                       "refresh_expires_at": tokens.refresh_expires_at, "shop_id": tokens.shop_id,
                       "seller": tokens.seller}
        if record.status == CONNECTED and record.refreshed_at is not None:
            values["refresh_count"] = _tokens.c.refresh_count + 1
        return values

    def _encrypt(self, secret: SecretStr) -> str:
        return self.cipher.encrypt(secret.get_secret_value().encode()).decode()

    def _decrypt(self, stored: str) -> SecretStr:
        try:
            return SecretStr(self.cipher.decrypt(stored.encode()).decode())
        except InvalidToken:
            raise TokenKeyMissing(f"shop {self.shop_key}: its tokens were encrypted with another key than "
                                  f"{KEY_VARIABLE}'s; use that key, or connect the shop again") from None


@contextlib.contextmanager
def _shop_file_lock(engine: Engine, shop_key: str) -> Iterator[None]:
    """An exclusive lock, across this machine's processes, on one shop's tokens in a SQLite database."""
    database = Path(engine.url.database or "")
    path = database.with_name(f"{database.name}.{shop_key}.tokens-lock")
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shop_token_states(engine: Engine) -> dict[str, ShopTokenState]:
    columns = [c for c in _tokens.c if c.name not in ("access_token", "refresh_token", "issued_at")]
    with engine.connect() as connection:
        rows = connection.execute(sa.select(*columns).order_by(_tokens.c.shop_key)).mappings().all()
    return {row["shop_key"]: ShopTokenState(**row) for row in rows}


def warn_authorisation_ends(engine: Engine, shop_key: str, channel: Channel, ends_at: float, warned_by: str) -> None:
    """Keep the platform's warning that the shop's authorisation ends at `ends_at` (Unix time). A shop
    on a static token has no row yet: it gets one holding the warning alone."""
    _upsert(engine, shop_key, channel, authorisation_ends_at=ends_at, authorisation_warned_by=warned_by)


def mark_deauthorised(engine: Engine, shop_key: str, channel: Channel, reason: str) -> None:
    """The seller withdrew the app's authorisation (TikTok push 6): the shop needs re-authorisation,
    and every worker stops calling it at its next read of the row."""
    _upsert(engine, shop_key, channel, status=NEEDS_REAUTHORISATION, reason=reason)


def _upsert(engine: Engine, shop_key: str, channel: Channel, **values) -> None:
    with writing(engine) as connection:
        updated = connection.execute(sa.update(_tokens).where(_tokens.c.shop_key == shop_key).values(**values))
        if updated.rowcount == 0:
            connection.execute(sa.insert(_tokens).values(
                {"shop_key": shop_key, "channel": channel.value, "status": NOT_CONNECTED, **values}))


def emit_reauthorise_event(shop_key: str, reason: str) -> None:
    """The Prefect event an automation alerts on: the seller of `shop_key` must authorise the app again."""
    from prefect.events import emit_event

    try:
        emit_event(event=REAUTHORISE_EVENT, resource={"prefect.resource.id": f"ocop.shop.{shop_key}",
                                                      "prefect.resource.name": shop_key},
                   payload={"shop": shop_key, "reason": reason})
    except Exception:  # noqa: BLE001 (the alert must not hide the stop it reports)
        log.exception("could not emit %s for shop %s", REAUTHORISE_EVENT, shop_key)
    log.error("shop %s needs re-authorisation by its seller: %s (run `ocop shop authorize %s`)",
              shop_key, reason, shop_key)


@functools.lru_cache(maxsize=4)
def token_engine(database_url: str) -> Engine:
    """One engine per database per process, the schema brought up to date first."""
    migrate(database_url)
    return make_engine(database_url)


def stored_tokens(database_url: str, shop_key: str, channel: Channel) -> RefreshingTokens:
    """The token source of a shop connected with `ocop shop connect` (the shops file's `tokens =
    "database"`). The database is reached on its first call, not here."""
    return RefreshingTokens(_LazyStore(database_url, shop_key, channel), on_reauthorise=emit_reauthorise_event)


class _LazyStore:
    """A DatabaseTokenStore made on first use, so that reading the shops file touches no database."""

    def __init__(self, database_url: str, shop_key: str, channel: Channel) -> None:
        self.shop_key = shop_key
        self._make = lambda: DatabaseTokenStore(token_engine(database_url), shop_key, channel)
        self._store: DatabaseTokenStore | None = None

    def __repr__(self) -> str:
        return f"DatabaseTokenStore({self.shop_key!r})"

    def _get(self) -> DatabaseTokenStore:
        if self._store is None:
            self._store = self._make()
        return self._store

    def read(self) -> TokenRecord:
        return self._get().read()

    def exclusive(self):
        return self._get().exclusive()


def connect(engine: Engine, shop: ShopConfig, tokens: TokenSet, *, now: float | None = None) -> None:
    DatabaseTokenStore(engine, shop.key, shop.channel).save_connected(tokens, time.time() if now is None else now)

