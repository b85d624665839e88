"""The authorisation lifecycle the three sandboxes share: a one-use code from the authorisation
page, tokens with lifetimes, refresh (rotating, as Shopee's one-use refresh token, or not), and the
seller revoking the app. Each platform module answers the outcomes with its own codes.

Every value is random and kept in the sandbox's state, so a restart keeps a connected shop
connected. The shops' configured test tokens (sandboxes.toml) stay valid for ever beside these.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sandboxes.config import TokenLifetimes
from sandboxes.state import Grant, SandboxState


class GrantRefused(Exception):
    """A code or token the platform would not accept: `reason` is unknown, expired or spent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedTokens:
    shop: str
    access_token: str = field(repr=False)
    access_expires_at: float
    refresh_token: str = field(repr=False)
    refresh_expires_at: float


class Grants:
    def __init__(self, state: SandboxState, lifetimes: TokenLifetimes, prefix: str) -> None:
        self.state = state
        self.lifetimes = lifetimes
        self.prefix = prefix

    def new_code(self, shop: str, now: float) -> str:
        return self._add("code", shop, now + self.lifetimes.code_seconds).value

    def redeem_code(self, code: str, now: float) -> IssuedTokens:
        """A code works once, before it expires; it starts the seller's authorisation."""
        grant = self._usable(code, "code", now)
        if not self.state.spend_grant(code):
            raise GrantRefused("spent")
        ends = now + self.lifetimes.authorisation_seconds if self.lifetimes.authorisation_seconds else None
        return self._issue(grant.shop, now, refresh_expires_at=self._capped(now + self.lifetimes.refresh_seconds, ends),
                           grant_ends_at=ends)

    def refresh(self, refresh_token: str, now: float, *, rotate: bool) -> IssuedTokens:
        """New tokens for a refresh token. Rotating: the refresh token is spent and a new one, with a
        fresh lifetime, replaces it. Not rotating: the same refresh token, expiry unchanged."""
        grant = self._usable(refresh_token, "refresh", now)
        if not rotate:
            access = self._add("access", grant.shop, now + self.lifetimes.access_seconds)
            return IssuedTokens(grant.shop, access.value, access.expires_at, refresh_token, grant.expires_at)
        if not self.state.spend_grant(refresh_token):
            raise GrantRefused("spent")
        expires = self._capped(now + self.lifetimes.refresh_seconds, grant.grant_ends_at)
        return self._issue(grant.shop, now, refresh_expires_at=expires, grant_ends_at=grant.grant_ends_at)

    def shop_of(self, access_token: str, now: float) -> str | None:
        """The shop an issued access token belongs to; None when it was never issued."""
        grant = self.state.grant(access_token, "access")
        if grant is None:
            return None
        if grant.spent:
            raise GrantRefused("spent")
        if grant.expires_at <= now:
            raise GrantRefused("expired")
        return grant.shop

    def _issue(self, shop: str, now: float, *, refresh_expires_at: float, grant_ends_at: float | None) -> IssuedTokens:
        access = self._add("access", shop, self._capped(now + self.lifetimes.access_seconds, grant_ends_at))
        refresh = self._add("refresh", shop, refresh_expires_at, grant_ends_at)
        return IssuedTokens(shop, access.value, access.expires_at, refresh.value, refresh.expires_at)

    def _usable(self, value: str, kind: str, now: float) -> Grant:
        grant = self.state.grant(value, kind) if value else None
        if grant is None:
            raise GrantRefused("unknown")
        if grant.spent:
            raise GrantRefused("spent")
        if grant.expires_at <= now:
            raise GrantRefused("expired")
        return grant

    def _add(self, kind: str, shop: str, expires_at: float, grant_ends_at: float | None = None) -> Grant:
        value = f"{self.prefix}-{kind}-{secrets.token_hex(16)}"
        return self.state.add_grant(Grant(value, kind, shop, expires_at, grant_ends_at))

    @staticmethod
    def _capped(moment: float, ends: float | None) -> float:
        return moment if ends is None else min(moment, ends)
