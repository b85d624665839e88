"""Injected faults: per-shop rate limits answered the platform's way, random 5xx (deterministic by
seed), latency, timeouts, commit-then-drop, a full outage, and the write-call counter."""

from __future__ import annotations

import time

import pytest
import requests

from ocop.channels import Channel
from sandboxes.config import FaultConfig

from tests.sandboxes.conftest import shopee_item, tiktok_product


def shopee_read(shopee):
    return shopee.get("/api/v2/product/get_item_list", offset=0, page_size=1)


def lazada_read(lazada):
    return lazada.get("/products/get", filter="all", limit=1)


def tiktok_read(tiktok):
    return tiktok.call("POST", "/product/202309/products/search", {}, page_size=1)


def burst(read, client, count=12):
    return [read(client) for _ in range(count)]


def test_shopee_rate_limit_is_429_too_many_requests(fleet, shopee):
    fleet.set_faults(Channel.SHOPEE, FaultConfig(rate_limit_per_second=5))
    answers = burst(shopee_read, shopee)
    limited = [a for a in answers if a.status_code == 429]
    assert [a.status_code for a in answers[:5]] == [200] * 5 and limited
    assert limited[0].json()["error"] == "error_server" and "Too many requests" in limited[0].json()["message"]


def test_lazada_rate_limit_is_api_call_limit(fleet, lazada):
    fleet.set_faults(Channel.LAZADA, FaultConfig(rate_limit_per_second=5))
    codes = [a.json()["code"] for a in burst(lazada_read, lazada)]
    assert "ApiCallLimit" in codes and codes[:5] == ["0"] * 5


def test_tiktok_rate_limit_is_36009002_with_429(fleet, tiktok):
    fleet.set_faults(Channel.TIKTOK, FaultConfig(rate_limit_per_second=5))
    limited = [a for a in burst(tiktok_read, tiktok) if a.status_code == 429]
    assert limited and limited[0].json()["code"] == 36009002


def test_rate_limit_is_per_shop_and_recovers_after_a_second(fleet, shopee, session):
    from tests.sandboxes.clients import ShopeeClient
    fleet.set_faults(Channel.SHOPEE, FaultConfig(rate_limit_per_second=3))
    assert any(a.status_code == 429 for a in burst(shopee_read, shopee, 6))
    other = ShopeeClient(fleet.shop("shopee-producer"), session)
    assert shopee_read(other).status_code == 200
    time.sleep(1.05)
    assert shopee_read(shopee).status_code == 200


def test_random_5xx_follow_the_seed(fleet, tiktok):
    def statuses():
        fleet.set_faults(Channel.TIKTOK, FaultConfig(seed=42, error_rate=0.5))
        return [tiktok_read(tiktok).status_code for _ in range(16)]

    first = statuses()
    assert first == statuses()
    assert {200} < set(first) and set(first) <= {200, 500, 502, 503}


def test_a_500_carries_the_platform_envelope_and_a_502_a_gateway_page(fleet, lazada):
    fleet.set_faults(Channel.LAZADA, FaultConfig(seed=1, error_rate=1.0))
    answers = burst(lazada_read, lazada, 10)
    assert {a.status_code for a in answers} <= {500, 502, 503}
    for answer in answers:
        if answer.status_code == 500:
            assert answer.json()["code"] == "InternalError"
        else:
            assert answer.headers["content-type"].startswith("text/html")


def test_latency_is_added(fleet, shopee):
    fleet.set_faults(Channel.SHOPEE, FaultConfig(latency_ms=150))
    started = time.perf_counter()
    assert shopee_read(shopee).status_code == 200
    assert time.perf_counter() - started >= 0.15


def test_timeout_holds_the_request_and_applies_nothing(fleet, shopee, sku):
    body = shopee_item(shopee, sku)
    fleet.set_faults(Channel.SHOPEE, FaultConfig(timeout_rate=1.0, timeout_seconds=5))
    with pytest.raises(requests.Timeout):
        shopee.post("/api/v2/product/add_item", body, timeout=0.3)
    assert fleet.admin(Channel.SHOPEE).find("shopee-dong-thap", sku) == []


def test_commit_then_drop_applies_the_write_and_cuts_the_connection(fleet, tiktok, sku):
    body = tiktok_product(tiktok, sku)
    fleet.set_faults(Channel.TIKTOK, FaultConfig(drop_rate=1.0))
    with pytest.raises(requests.ConnectionError):
        tiktok.call("POST", "/product/202309/products", body)
    fleet.set_faults(Channel.TIKTOK, FaultConfig())
    found = tiktok.call("POST", "/product/202309/products/search", {"seller_skus": [sku]}, page_size=5).json()
    assert found["data"]["total_count"] == 1


def test_drop_spares_reads(fleet, lazada):
    fleet.set_faults(Channel.LAZADA, FaultConfig(drop_rate=1.0))
    assert lazada_read(lazada).json()["code"] == "0"


def test_full_outage_mid_run_and_back(fleet, shopee):
    assert shopee_read(shopee).status_code == 200
    fleet.set_faults(Channel.SHOPEE, FaultConfig.outage())
    assert all(shopee_read(shopee).status_code >= 500 for _ in range(5))
    fleet.set_faults(Channel.SHOPEE, FaultConfig())
    assert shopee_read(shopee).status_code == 200


def test_write_calls_count_every_mutating_call_received(fleet, lazada, sku):
    before, reads_before = fleet.write_calls(Channel.LAZADA), fleet.write_calls()
    lazada.session.post(lazada.shop.base_url + "/image/upload", data=lazada._signed("/image/upload", {}),
                        files={"image": ("x.png", b"not an image", "image/png")})
    lazada.post("/product/remove", seller_sku_list=f'["{sku}"]')
    lazada_read(lazada)
    assert fleet.write_calls(Channel.LAZADA) == before + 2
    assert fleet.write_calls() == reads_before + 2
    assert fleet.admin(Channel.LAZADA).write_calls("lazada-dong-thap") >= 2
