"""The push receiver at its HTTP boundary: each platform's push verified by its own signature (a
forged or unsigned one refused, nothing noted), answered as the platform expects, a listing's new
status in the ledger with a Prefect event where someone must act, and the end of a shop's
authorisation in its token state and on `ocop shop list`."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import prefect.events
import pytest
from fastapi.testclient import TestClient

import ledger
from cli.shops import shop_lines
from cli.webhooks import push_app
from ocop.store import transaction
from pushes.receive import PushReceiver
from sandboxes.config import default_config
from shops.token_store import shop_token_states
from tests.ledger.bound import bind
from tests.reconcile.shopdata import product

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", gtin="8930000000019")
BASE = "http://testserver"
ENDS = int(dt.datetime(2026, 12, 7, tzinfo=dt.UTC).timestamp())
SANDBOX = default_config()
SHOPEE, LAZADA, TIKTOK = (SANDBOX.shop(key) for key in ("shopee-dong-thap", "lazada-dong-thap", "tiktok-dong-thap"))


def signed(channel: str, payload: dict, *, secret: str | None = None) -> tuple[bytes, dict]:
    """The body and headers as the platform sends them (its documented signature, computed here)."""
    shop = {"shopee": SHOPEE, "lazada": LAZADA, "tiktok": TIKTOK}[channel]
    body = json.dumps(payload).encode()
    key = (secret or shop.app_secret).encode()
    message = f"{BASE}/push/shopee|".encode() + body if channel == "shopee" else shop.app_key.encode() + body
    return body, {"Authorization": hmac.new(key, message, hashlib.sha256).hexdigest(),
                  "Content-Type": "application/json"}


@pytest.fixture
def emitted(monkeypatch):
    seen = []
    monkeypatch.setattr(prefect.events, "emit_event", lambda **event: seen.append(event))
    return seen


@pytest.fixture
def client(engine):
    shops = [shop.to_shop_config("http://127.0.0.1:1") for shop in SANDBOX.shops]
    with TestClient(push_app(PushReceiver(engine, shops))) as web:
        yield web


def listing_pushes() -> list:
    return [
        ("shopee", "shopee-dong-thap", {"shop_id": int(SHOPEE.shop_id), "code": 16, "timestamp": 1764496800, "data": {
            "item_id": 20000000001, "item_status": "BANNED", "violation_type": "Prohibited Listing",
            "violation_reason": "hàng giả", "update_time": 1764496800}}, "BANNED", (204, b"")),
        ("lazada", "lazada-dong-thap", {"seller_id": "null", "message_type": 1, "timestamp": 1764496800000,
                                        "site": "lazada_vn", "data": {"itemId": 20000000001, "status": "REJECTED",
                                                                      "reason": "hàng giả", "seller_id": "1"}},
         "REJECTED", (200, b"")),
        ("tiktok", "tiktok-dong-thap", {"type": 5, "tts_notification_id": "7327112393057371910",
                                        "shop_id": TIKTOK.shop_id, "timestamp": 1764496800, "data": {
                                            "product_id": 20000000001, "status": "PRODUCT_AUDIT_FAILURE",
                                            "suspended_reason": "hàng giả", "update_time": 1764496800}},
         "FAILED", (200, b"")),
    ]


@pytest.mark.parametrize("channel, shop_key, payload, word, answer", listing_pushes(), ids=["shopee", "lazada", "tiktok"])
def test_a_rejection_pushed_by_the_platform_is_in_the_ledger_and_asks_for_action(
        engine, client, emitted, channel, shop_key, payload, word, answer):
    with transaction(engine) as session:
        bind(session, SEN, shop_key, remote_id="20000000001", remote_status="live", platform_status="live word")
    body, headers = signed(channel, payload)

    reply = client.post(f"/push/{channel}", content=body, headers=headers)

    assert (reply.status_code, reply.content) == answer
    with transaction(engine) as session:
        binding = ledger.shop_bindings(session, [shop_key])[0]
        logged = ledger.events(session, seller_sku=SEN.product.seller_sku)
    assert (binding.remote_status, binding.platform_status) == ("rejected", word)
    assert [(e.operation, e.outcome) for e in logged] == [("status_push", "rejected")]
    assert "hàng giả" in logged[0].message
    assert [(e["event"], e["payload"]["seller_sku"]) for e in emitted] == [
        ("ocop.listing.rejected", SEN.product.seller_sku)]
    assert client.post(f"/push/{channel}", content=body, headers=headers).status_code == answer[0]
    with transaction(engine) as session:
        assert len(ledger.events(session)) == 1          # the platform's retry is noted once
    assert len(emitted) == 1


@pytest.mark.parametrize("channel, shop_key, payload, word, answer", listing_pushes(), ids=["shopee", "lazada", "tiktok"])
def test_a_forged_or_unsigned_push_is_refused_and_nothing_is_noted(
        engine, client, emitted, channel, shop_key, payload, word, answer):
    with transaction(engine) as session:
        bind(session, SEN, shop_key, remote_id="20000000001", remote_status="live", platform_status="live word")
    body, forged = signed(channel, payload, secret="not-the-app-secret")

    assert client.post(f"/push/{channel}", content=body, headers=forged).status_code == 401
    assert client.post(f"/push/{channel}", content=body, headers={"Content-Type": "application/json"}).status_code == 401
    tampered = body.replace(b"BANNED", b"NORMAL").replace(b"REJECTED", b"APPROVED").replace(b"FAILURE", b"PASS")
    assert tampered != body
    assert client.post(f"/push/{channel}", content=tampered, headers=signed(channel, payload)[1]).status_code == 401

    with transaction(engine) as session:
        assert ledger.shop_bindings(session, [shop_key])[0].remote_status == "live"
        assert ledger.events(session) == []
    assert emitted == []


def test_an_expiry_warning_from_each_platform_shows_in_the_token_state_and_on_shop_list(engine, client, emitted):
    warnings = {
        "shopee": {"code": 12, "timestamp": ENDS - 7 * 86400, "data": {
            "merchant_expire_soon": [], "shop_expire_soon": [int(SHOPEE.shop_id)], "user_expire_soon": [],
            "expire_before": ENDS, "page_no": 1, "total_page": 1}},
        "lazada": {"seller_id": "null", "message_type": 8, "timestamp": ENDS - 2 * 86400, "site": "lazada_vn",
                   "data": {"app_key": LAZADA.app_key, "auth_expiry_time": ENDS, "seller_id": "1000123"}},
        "tiktok": {"type": 7, "tts_notification_id": "7327112393057371911", "shop_id": TIKTOK.shop_id,
                   "timestamp": ENDS - 30 * 86400, "data": {"message": "expiring in 30 days",
                                                            "expiration_time": str(ENDS)}},
    }
    for channel, payload in warnings.items():
        body, headers = signed(channel, payload)
        assert client.post(f"/push/{channel}", content=body, headers=headers).status_code in (200, 204)

    states = shop_token_states(engine)
    keys = ["shopee-dong-thap", "lazada-dong-thap", "tiktok-dong-thap"]
    assert {key: (states[key].authorisation_ends_at, states[key].authorisation_warned_by) for key in keys} == {
        "shopee-dong-thap": (ENDS, "Shopee push 12"), "lazada-dong-thap": (ENDS, "Lazada push 8"),
        "tiktok-dong-thap": (ENDS, "TikTok Shop push 7")}
    listed = "\n".join(shop_lines([(key, key.split("-")[0], False) for key in keys], states, now=ENDS - 86400))
    assert listed.count("authorisation ends on 2026-12-07 00:00 UTC") == 3
    assert [e["event"] for e in emitted] == ["ocop.shop.authorisation-expiring"] * 3
    assert SHOPEE.app_secret not in listed and SHOPEE.access_token not in listed


def test_a_tiktok_deauthorisation_marks_the_shop_for_re_authorisation(engine, client, emitted):
    body, headers = signed("tiktok", {"type": 6, "tts_notification_id": "7327112393057371912",
                                      "shop_id": TIKTOK.shop_id, "timestamp": 1764496800,
                                      "data": {"message": "deauthorized from your APP by merchant."}})

    assert client.post("/push/tiktok", content=body, headers=headers).status_code == 200

    state = shop_token_states(engine)["tiktok-dong-thap"]
    assert state.status == "needs_reauthorisation" and "TikTok Shop push 6" in state.reason
    assert [e["event"] for e in emitted] == ["ocop.shop.reauthorise"]
