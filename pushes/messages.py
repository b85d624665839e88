"""What a push says, whatever the platform: plain records the receiver acts on."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from connectors.types import ListingStatus


@dataclass(frozen=True)
class ListingStatusPush:
    """A listing's status changed on the platform (review ended, banned, locked...)."""

    platform_shop_id: str | None      # None: the push names no shop (the app's shops are searched)
    remote_id: str
    status: ListingStatus | None      # None: the push says a change happened, not which (read the item)
    platform_status: str
    reason: str | None
    at: dt.datetime                   # when the platform says it changed
    message_id: str                   # the platform's id of the message, or one made from its content


@dataclass(frozen=True)
class AuthorisationPush:
    """The seller's authorisation of the app ends soon (`ends_at`), or has ended (`ends_at` None)."""

    platform_shop_ids: tuple[str, ...]
    ends_at: dt.datetime | None
    warned_by: str                    # e.g. "Shopee push 12", shown beside the date
    message_id: str

    @property
    def ended(self) -> bool:
        return self.ends_at is None


Push = ListingStatusPush | AuthorisationPush


def moment(value) -> dt.datetime:
    """A platform's Unix time (seconds or milliseconds, number or string) in UTC."""
    seconds = float(value)
    if seconds > 10_000_000_000:     # milliseconds (Lazada's order pushes use them)
        seconds /= 1000
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def app_key_signature(secret: str, app_key: str, url: str, body: bytes) -> str:
    """HMAC-SHA256 of the app key followed by the raw body, keyed by the app secret: how Lazada and
    TikTok Shop sign their pushes (the URL is not signed)."""
    return hmac.new(secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
