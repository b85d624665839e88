"""Shopee Open Platform v2 pushes.

Signature: the `Authorization` header is hex HMAC-SHA256 (partner key) of the callback URL, "|" and
the raw body. Answer: any 2xx with an empty body. Read: code 16 (violation_item_push) and code 6
(banned_item_push, which Shopee is replacing with 16) as a listing's status, code 12
(open_api_authorization_expiry: `shop_expire_soon`, `expire_before`) as the end of authorisation.
Shopee sends no message id: one is made from the code, shop, item and time.
"""

from __future__ import annotations

import hashlib
import hmac

from connectors.types import ListingStatus
from ocop.channels import declaration
from pushes.messages import AuthorisationPush, ListingStatusPush, Push, moment

ANSWER = (204, b"")
BANNED_ITEM, AUTHORISATION_EXPIRY, VIOLATION_ITEM = 6, 12, 16


def signature(secret: str, app_key: str, url: str, body: bytes) -> str:
    return hmac.new(secret.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


def read(payload: dict) -> list[Push]:
    code, data = payload.get("code"), payload.get("data") or {}
    shop_id = _text(payload.get("shop_id"))
    if code in (BANNED_ITEM, VIOLATION_ITEM):
        word = str(data.get("item_status") or "BANNED")
        reason = " — ".join(str(part) for part in (data.get("violation_type"), data.get("violation_reason"),
                                                   data.get("suggestion")) if part) or None
        at = moment(data.get("update_time") or payload["timestamp"])
        return [ListingStatusPush(shop_id, str(data["item_id"]), _status(word), word, reason, at,
                                  f"shopee:{code}:{shop_id}:{data['item_id']}:{payload['timestamp']}")]
    if code == AUTHORISATION_EXPIRY:
        shops = tuple(str(shop) for shop in data.get("shop_expire_soon") or ())
        page = f"{data.get('page_no', 1)}/{data.get('total_page', 1)}"
        return [AuthorisationPush(shops, moment(data["expire_before"]), "Shopee push 12",
                                  f"shopee:12:{payload['timestamp']}:{page}")] if shops else []
    return []


def _status(word: str) -> ListingStatus:
    # a deboosted item stays NORMAL (live); a word the channel does not declare counts as rejected
    return declaration("shopee").status_of(word) or ListingStatus.REJECTED


def _text(value) -> str | None:
    return None if value in (None, "", 0) else str(value)
