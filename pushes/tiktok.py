"""TikTok Shop (Partner API 202309) webhooks.

Signature: the `Authorization` header is hex HMAC-SHA256 (app secret) of the app key followed by the
raw body, as the public SDKs verify it. Answer: HTTP 200. Read: type 5 (product status change:
`product_id`, `status`, `suspended_reason`) as a listing's status, type 7 (upcoming authorisation
expiration: `expiration_time`) and type 6 (seller deauthorisation) as the end of authorisation.
Every message carries `tts_notification_id`.
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
PRODUCT_STATUS, DEAUTHORISATION, AUTHORISATION_EXPIRY = 5, 6, 7

# The audit outcome, and the product status word it leaves; PRODUCT_STATUS_CHANGED says no more than
# that the platform changed the status: the receiver reads the product.
AUDIT_OUTCOMES = {
    "PRODUCT_FIRST_PASS_REVIEW": (ListingStatus.LIVE, "ACTIVATE"),
    "PRODUCT_AUDIT_FAILURE": (ListingStatus.REJECTED, "FAILED"),
}


signature = app_key_signature


def read(payload: dict) -> list[Push]:
    kind, data = payload.get("type"), payload.get("data") or {}
    shop_id, message_id = str(payload.get("shop_id") or ""), str(payload.get("tts_notification_id") or "")
    message_id = message_id or f"tiktok:{kind}:{shop_id}:{payload.get('timestamp')}"
    if kind == PRODUCT_STATUS:
        word = str(data.get("status") or "")
        status, platform_word = AUDIT_OUTCOMES.get(word, (None, word))
        return [ListingStatusPush(shop_id or None, str(data["product_id"]), status, platform_word,
                                  data.get("suspended_reason") or None,
                                  moment(data.get("update_time") or payload["timestamp"]), message_id)]
    if kind == AUTHORISATION_EXPIRY:
        return [AuthorisationPush((shop_id,), moment(data["expiration_time"]), "TikTok Shop push 7", message_id)]
    if kind == DEAUTHORISATION:
        return [AuthorisationPush((shop_id,), None, "TikTok Shop push 6", message_id)]
    return []
