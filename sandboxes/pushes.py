"""The pushes a marketplace sends on its own, sent by its sandbox to the channel's `push_url`, signed
as the platform signs them, from a background thread (a platform does not hold its API answer for
a push):

| news                           | Shopee               | Lazada                  | TikTok Shop             |
|--------------------------------|----------------------|-------------------------|-------------------------|
| a review ended                 | code 16 when refused | type 1 (QC status)      | type 5 (audit outcome)  |
| the platform changed a status  | code 16 (banned)     | type 1 (REJECTED, LOCK) | type 5 (STATUS_CHANGED) |
| the authorisation ends soon    | code 12              | type 8                  | type 7                  |
| the authorisation is withdrawn | -                    | -                       | type 6                  |

Signatures: Shopee `Authorization` = hex HMAC-SHA256(partner key, push URL + "|" + body); Lazada
and TikTok = hex HMAC-SHA256(app secret, app key + body). A push that fails is not retried: what
the platform's retries would bring, the receiver's catch-up finds (`ocop` flow `catch_up_pushes`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from ocop.channels import Channel
from sandboxes.config import SandboxShop
from sandboxes.review import StatusWords
from sandboxes.state import Item

log = logging.getLogger("ocop.sandbox.pushes")
TIMEOUT_SECONDS = 3.0      # Shopee's: a receiver slower than this has failed the push


@dataclass(frozen=True)
class Delivery:
    """One push sent: what it was and how the receiver answered (an HTTP status, or the failure)."""

    channel: Channel
    kind: int                  # Shopee code, Lazada message_type, TikTok type
    shop: str
    answer: str


def lazada_seller_id(shop_key: str) -> str:
    """The seller id the Lazada sandbox's token answer gives the shop (sandboxes/lazada.py)."""
    return str(int(hashlib.sha256(shop_key.encode()).hexdigest()[:8], 16))


class PushSender:
    def __init__(self, channel: Channel, push_url: str | None, shops: tuple[SandboxShop, ...],
                 clock: Callable[[], float]) -> None:
        self.channel = channel
        self.push_url = push_url
        self.shops = {shop.key: shop for shop in shops}
        self.clock = clock
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[tuple[SandboxShop, int, bytes, str]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- the news ----------------------------------------------------------------------------

    def status_changed(self, item: Item, words: StatusWords, *, by_review: bool) -> None:
        """An item's review ended (`by_review`), or the platform changed its status itself."""
        shop, now = self.shops.get(item.shop), int(self.clock())
        if shop is None:
            return
        if self.channel == Channel.SHOPEE and item.status in (words.rejected, "SHOPEE_DELETE"):
            self._send(shop, 16, {"shop_id": int(shop.shop_id), "code": 16, "timestamp": now, "data": {
                "item_id": item.item_id, "item_name": item.title, "item_status": item.status,
                "violation_type": item.extra.get("violation_type") or "",
                "violation_reason": item.reject_reason or "",
                "suggestion": "Edit the listing and submit it again.", "fix_deadline_time": now + 7 * 86400,
                "update_time": int(item.updated_at)}})
        elif self.channel == Channel.LAZADA:
            word = {words.live: "APPROVED", words.rejected: "REJECTED", "Suspended": "LOCK",
                    words.reviewing: "PENDING"}.get(item.status)
            if word is not None:
                seller = lazada_seller_id(shop.key)
                self._send(shop, 1, {"seller_id": seller, "message_type": 1, "timestamp": now, "site": "lazada_vn",
                                     "data": {"itemId": item.item_id, "status": word, "reason": item.reject_reason or "",
                                              "date": now * 1000, "seller_id": seller}})
        elif self.channel == Channel.TIKTOK:
            outcome = {words.live: "PRODUCT_FIRST_PASS_REVIEW", words.rejected: "PRODUCT_AUDIT_FAILURE"}
            status = outcome.get(item.status) if by_review else "PRODUCT_STATUS_CHANGED"
            if status is not None:
                self._send(shop, 5, self._tiktok(shop, 5, {"product_id": str(item.item_id), "status": status,
                                                           "suspended_reason": item.reject_reason or "",
                                                           "update_time": int(item.updated_at)}))

    def authorisation_ending(self, shop_key: str, ends_at: float) -> None:
        shop, now = self.shops[shop_key], int(self.clock())
        if self.channel == Channel.SHOPEE:
            self._send(shop, 12, {"code": 12, "timestamp": now, "data": {
                "merchant_expire_soon": [], "shop_expire_soon": [int(shop.shop_id)], "user_expire_soon": [],
                "expire_before": int(ends_at), "page_no": 1, "total_page": 1}})
        elif self.channel == Channel.LAZADA:
            self._send(shop, 8, {"seller_id": "null", "message_type": 8, "timestamp": now, "site": "lazada_vn",
                                 "data": {"app_key": shop.app_key, "auth_expiry_time": int(ends_at),
                                          "seller_id": lazada_seller_id(shop.key)}})
        elif self.channel == Channel.TIKTOK:
            days = max(0, round((ends_at - now) / 86400))
            self._send(shop, 7, self._tiktok(shop, 7, {
                "message": f"Authorization of shop_id {shop.shop_id} is expiring in {days} days.",
                "expiration_time": str(int(ends_at))}))

    def authorisation_withdrawn(self, shop_key: str) -> None:
        shop = self.shops[shop_key]
        if self.channel == Channel.TIKTOK:
            self._send(shop, 6, self._tiktok(shop, 6, {
                "message": f"Shop_id {shop.shop_id} is deauthorized from your APP by merchant."}))

    def wait_sent(self, timeout: float = 10.0) -> list[Delivery]:
        """Every push queued so far sent (for tests and demos); the deliveries so far."""
        done = threading.Event()
        threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True).start()
        if not done.wait(timeout):
            raise TimeoutError(f"{self.channel.value} pushes still unsent after {timeout} s")
        with self._lock:
            return list(self.deliveries)

    # -- sending -----------------------------------------------------------------------------

    def _tiktok(self, shop: SandboxShop, kind: int, data: dict[str, Any]) -> dict[str, Any]:
        return {"type": kind, "tts_notification_id": str(uuid.uuid4().int)[:19], "shop_id": shop.shop_id,
                "timestamp": int(self.clock()), "data": data}

    def _send(self, shop: SandboxShop, kind: int, payload: dict[str, Any]) -> None:
        if not self.push_url:
            return
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        self._queue.put((shop, kind, body, self._signature(shop, body)))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._deliver, name=f"{self.channel.value}-pushes", daemon=True)
                self._thread.start()

    def _signature(self, shop: SandboxShop, body: bytes) -> str:
        message = (self.push_url.encode() + b"|" if self.channel == Channel.SHOPEE else shop.app_key.encode()) + body
        return hmac.new(shop.app_secret.encode(), message, hashlib.sha256).hexdigest()

    def _deliver(self) -> None:
        while True:
            shop, kind, body, signature = self._queue.get()
            request = urllib.request.Request(self.push_url, data=body, method="POST", headers={
                "Content-Type": "application/json", "Authorization": signature})
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                    answer = str(response.status)
            except urllib.error.HTTPError as error:
                answer = str(error.code)
            except OSError as error:
                answer = f"not delivered: {type(error).__name__}"
            log.info("%s push %s for %s -> %s", self.channel.value, kind, shop.key, answer)
            with self._lock:
                self.deliveries.append(Delivery(self.channel, kind, shop.key, answer))
            self._queue.task_done()
