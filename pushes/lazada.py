"""Lazada Open Platform pushes.

Signature: the `Authorization` header is hex HMAC-SHA256 (app secret) of the app key followed by the
raw body. Answer: HTTP 200 at once (within 500 ms). Read: message_type 1 (product quality control:
`itemId`, `status`, `reason`) as a listing's status, message_type 8 (authorisation token expiry:
`seller_id`, `auth_expiry_time`) as the end of authorisation. `timestamp` may be in seconds or
milliseconds. Lazada sends no message id: one is made from the type, item and time.
"""

from __future__ import annotations

from connectors.types import ListingStatus
from pushes.messages import (
    AuthorisationPush,
    ListingStatusPush,
    Push,
    app_key_signature,
    moment,
)

ANSWER = (200, b"")
QUALITY_CONTROL, TOKEN_EXPIRY = 1, 8

QC_STATUSES = {
    "PENDING": ListingStatus.UNDER_REVIEW,
    "APPROVED": ListingStatus.LIVE,
    "REJECTED": ListingStatus.REJECTED,
    "LIVE_REJECTED": ListingStatus.REJECTED,   # taken offline, can be edited and sent again
    "LOCK": ListingStatus.SUSPENDED,           # cannot be edited
}


signature = app_key_signature


def read(payload: dict) -> list[Push]:
    kind, data = payload.get("message_type"), payload.get("data") or {}
    seller = _seller(data.get("seller_id")) or _seller(payload.get("seller_id"))
    if kind == QUALITY_CONTROL:
        word = str(data.get("status") or "").upper()
        item = str(data.get("itemId") or data.get("item_id"))
        return [ListingStatusPush(seller, item, QC_STATUSES.get(word), word, data.get("reason") or None,
                                  moment(payload["timestamp"]), f"lazada:1:{item}:{word}:{payload['timestamp']}")]
    if kind == TOKEN_EXPIRY:
        return [AuthorisationPush((seller,) if seller else (), moment(data["auth_expiry_time"]), "Lazada push 8",
                                  f"lazada:8:{seller}:{data['auth_expiry_time']}")]
    return []


def _seller(value) -> str | None:
    return None if value in (None, "", "null") else str(value)
