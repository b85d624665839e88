"""A connected shop's tokens, and the one policy that keeps them fresh, whatever holds them.

A shop connected through `ocop shop connect` has no static access token: its `ShopConfig.tokens`
is a `TokenSource` that hands the connector the current access token and renews it, in two
situations only:

- **ahead of expiry**: when less than a margin remains (a tenth of the token's life, at most ten
  minutes), the next call refreshes first; if that refresh fails for a passing reason while the
  token still works, the call goes on with it;
- **when the platform refuses the token** mid-run (Shopee `invalid_acceess_token`, Lazada
  `IllegalAccessToken`, TikTok `105002`): the connector asks once for the token after the refused
  one, then retries its call once; never more.

Either way the refresh happens under the store's exclusive hold of the shop's record (a row lock on
PostgreSQL), so of several workers needing it at once exactly one calls the platform; the others
find the new token when they get the hold. The new tokens, the rotated refresh token included
(Shopee's works once), are saved in the transaction that holds the record, before anyone uses them.
A refresh the platform refuses (an invalid grant) marks the shop "needs re-authorisation", calls
`on_reauthorise`, and raises `ReauthorisationNeeded`: that shop stops, the others go on.

This module holds no database code: a `TokenStore` does the holding (`shops.token_store` over the
database; `MemoryTokenStore` here, for one process and for tests).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable, ContextManager, Iterator, Protocol

from pydantic import SecretStr

from connectors.errors import AuthError, ConnectorError, ReauthorisationNeeded

log = logging.getLogger("connectors.tokens")

MAX_MARGIN_SECONDS = 600.0
MARGIN_SHARE = 0.1
RETRY_AHEAD_SECONDS = 60.0
CONNECTED = "connected"
NEEDS_REAUTHORISATION = "needs_reauthorisation"


@dataclass(frozen=True)
class TokenSet:
    """What a platform's token answer holds, as Unix times. Secrets stay out of the repr."""

    access_token: SecretStr
    access_expires_at: float
    refresh_token: SecretStr
    refresh_expires_at: float | None
    issued_at: float
    shop_id: str | None = None     # Shopee shop_id, TikTok shop_cipher, Lazada seller_id
    seller: str = ""               # the seller's name or account, for `ocop shop list`

    def refresh_due(self, now: float) -> bool:
        """Whether less than the margin remains: a tenth of the token's life, at most ten minutes."""
        margin = min(MAX_MARGIN_SECONDS, MARGIN_SHARE * max(0.0, self.access_expires_at - self.issued_at))
        return now >= self.access_expires_at - margin

    def expired(self, now: float) -> bool:
        return now >= self.access_expires_at

    def following(self, earlier: TokenSet) -> TokenSet:
        """These tokens with what a refresh answer leaves out (the shop's identity) kept from before."""
        return replace(self, shop_id=self.shop_id or earlier.shop_id, seller=self.seller or earlier.seller)


Refresh = Callable[[TokenSet], TokenSet]     # the platform's refresh call: new tokens for these


class TokenSource(Protocol):
    """Hands a connector the access token to use; `refresh` is the platform's refresh call."""

    def current(self, refresh: Refresh) -> TokenSet: ...
    def refreshed(self, refused: SecretStr, refresh: Refresh) -> TokenSet: ...


@dataclass
class TokenRecord:
    """A shop's record while the store holds it exclusively: read it, change it, and the store
    saves the change when the hold ends without an exception."""

    shop_key: str
    tokens: TokenSet | None
    status: str = CONNECTED
    reason: str = ""
    refreshed_at: float | None = None
    changed: bool = field(default=False, repr=False)

    def save(self, tokens: TokenSet, now: float) -> None:
        self.tokens, self.status, self.reason, self.refreshed_at, self.changed = tokens, CONNECTED, "", now, True

    def needs_reauthorisation(self, reason: str) -> None:
        self.status, self.reason, self.changed = NEEDS_REAUTHORISATION, reason, True


class TokenStore(Protocol):
    def read(self) -> TokenRecord: ...
    def exclusive(self) -> ContextManager[TokenRecord]: ...


class RefreshingTokens:
    """The `TokenSource` of a connected shop: the policy in the module docstring over a store."""

    def __init__(self, store: TokenStore, *, on_reauthorise: Callable[[str, str], None] = lambda key, reason: None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._on_reauthorise = on_reauthorise
        self._clock = clock
        self._cached: TokenSet | None = None
        self._next_try = 0.0                # after a failed refresh ahead of expiry, not before this
        self._lock = threading.Lock()       # one thread of this process at a time asks the store

    def __repr__(self) -> str:
        return f"RefreshingTokens({self.store!r})"

    def current(self, refresh: Refresh) -> TokenSet:
        with self._lock:
            tokens = self._cached or self._usable(self.store.read())
            now = self._clock()
            if tokens.refresh_due(now) and (now >= self._next_try or tokens.expired(now)):
                tokens = self._ahead_of_expiry(tokens, refresh)
            self._cached = tokens
            return tokens

    def refreshed(self, refused: SecretStr, refresh: Refresh) -> TokenSet:
        with self._lock:
            self._cached = self._renew(refresh, stale=refused.get_secret_value())
            return self._cached

    def _ahead_of_expiry(self, tokens: TokenSet, refresh: Refresh) -> TokenSet:
        try:
            return self._renew(refresh, stale=None)
        except ReauthorisationNeeded:
            raise
        except ConnectorError as error:
            if tokens.expired(self._clock()) or isinstance(error, AuthError):
                raise
            log.info("%s: refreshing ahead of expiry failed (%s); the current token still works, the "
                     "refresh is tried again in %.0f s", self._shop_key(), error, RETRY_AHEAD_SECONDS)
            self._next_try = self._clock() + RETRY_AHEAD_SECONDS
            return tokens

    def _renew(self, refresh: Refresh, *, stale: str | None) -> TokenSet:
        """Refresh under the store's hold, unless another worker did since `stale` was read."""
        refusal: ReauthorisationNeeded | None = None
        with self.store.exclusive() as record:
            held = self._usable(record)
            now = self._clock()
            replaced = stale is not None and held.access_token.get_secret_value() != stale
            if (replaced and not held.expired(now)) or (stale is None and not held.refresh_due(now)):
                return held      # another worker refreshed meanwhile
            try:
                record.save(refresh(held).following(held), now)
            except ReauthorisationNeeded as error:
                record.needs_reauthorisation(f"[{error.code}] {error.message}")
                refusal = error
        if refusal is not None:
            self._on_reauthorise(record.shop_key, record.reason)
            raise refusal
        log.info("%s: access token refreshed; it now expires at %s", record.shop_key,
                 time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.tokens.access_expires_at)))
        return record.tokens

    @staticmethod
    def _usable(record: TokenRecord) -> TokenSet:
        if record.status == NEEDS_REAUTHORISATION:
            raise ReauthorisationNeeded(f"shop {record.shop_key} needs re-authorisation by its seller ({record.reason})",
                                        code="needs_reauthorisation")
        if record.tokens is None:
            raise AuthError(f"shop {record.shop_key} is not connected: run `ocop shop authorize {record.shop_key}`",
                            code="not_connected")
        return record.tokens

    def _shop_key(self) -> str:
        return getattr(self.store, "shop_key", "shop")


class MemoryTokenStore:
    """A shop's record in this process only: for tests and one-process tools."""

    def __init__(self, shop_key: str, tokens: TokenSet | None = None) -> None:
        self.shop_key = shop_key
        self._record = TokenRecord(shop_key, tokens)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryTokenStore({self.shop_key!r})"

    def read(self) -> TokenRecord:
        with self._lock:
            return replace(self._record)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[TokenRecord]:
        with self._lock:
            record = replace(self._record)
            yield record
            if record.changed:
                self._record = replace(record, changed=False)


class SignedInTokens:
    """The `TokenSource` of a shop whose connector signs in with the app key and secret (Tiki's
    client credentials grant, Sendo's login): there is no refresh token, signing in again is the
    refresh. Held by one connector, in memory: a restart signs in again."""

    def __init__(self, sign_in: Callable[[], TokenSet], *, clock: Callable[[], float] = time.time) -> None:
        self._sign_in = sign_in
        self._clock = clock
        self._tokens: TokenSet | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "SignedInTokens()"

    def current(self, refresh: Refresh) -> TokenSet:
        with self._lock:
            if self._tokens is None or self._tokens.refresh_due(self._clock()):
                self._tokens = self._sign_in()
            return self._tokens

    def refreshed(self, refused: SecretStr, refresh: Refresh) -> TokenSet:
        with self._lock:
            if self._tokens is None or self._tokens.access_token.get_secret_value() == refused.get_secret_value():
                self._tokens = self._sign_in()
            return self._tokens
