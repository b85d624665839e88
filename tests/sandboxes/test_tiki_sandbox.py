"""Tiki Open API sandbox over raw HTTP: the client credentials grant, product requests reviewed after
a delay and tracked, rejection reasons, one request per seller SKU, the request list, findBy,
updateSku, and the picture host's 500 px floor."""

from __future__ import annotations

import base64
import time
from dataclasses import replace

import pytest

from ocop.channels import Channel
from sandboxes.image_host import IMAGE_HOST
from sandboxes.tiki import warehouse_id
from tests.sandboxes.clients import TIMEOUT, png_bytes

SHOP = "tiki-dong-thap"
REQUESTS = "/integration/v2.1/requests"


class TikiClient:
    """Signs in with the shop's client id and secret, then calls with the bearer token."""

    def __init__(self, fleet, session) -> None:
        self.url = fleet.base_url(Channel.TIKI)
        self.session = session
        shop = fleet.config.shop(SHOP)
        self.warehouse = warehouse_id(SHOP)
        self.token = self.sign_in(shop.app_key, shop.app_secret).json()["access_token"]

    def sign_in(self, client_id: str, secret: str):
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        return self.session.post(f"{self.url}/sc/oauth2/token", data={"grant_type": "client_credentials"},
                                 headers={"Authorization": f"Basic {basic}"}, timeout=TIMEOUT)

    def call(self, method: str, path: str, body: dict | None = None, **query):
        return self.session.request(method, self.url + path, json=body, params=query, timeout=TIMEOUT,
                                    headers={"Authorization": f"Bearer {self.token}"})

    def picture(self, size: int = 600) -> str:
        answer = self.session.post(self.url + IMAGE_HOST, files={"file": ("cover.png", png_bytes(size))},
                                   timeout=TIMEOUT)
        return answer.json()["url"]

    def submit(self, sku: str, *, name: str = "Mứt sen Đồng Tháp hộp 500 g - OCOP 4 sao", cover: str | None = None):
        cover = cover or self.picture()
        return self.call("POST", REQUESTS, {
            "category_id": 100629, "name": name, "description": "<p>Mứt sen sấy dẻo, đóng hộp giấy.</p>",
            "market_price": 85000, "image": cover, "images": [],
            "attributes": {"brand": "HTX Sen Tháp Mười", "product_weight_kg": 0.6, "gtin": "8931234567897"},
            "variants": [{"sku": sku, "price": 85000, "warehouse_stocks": [
                {"warehouseId": self.warehouse, "qtyAvailable": 40}]}],
            "meta_data": {"is_auto_turn_on": True},
        })

    def track(self, track_id: str) -> dict:
        return self.call("GET", f"/integration/v2/tracking/{track_id}").json()


@pytest.fixture
def tiki(fleet, session) -> TikiClient:
    return TikiClient(fleet, session)


@pytest.fixture
def slow_review(fleet):
    """Requests reviewed 0.3 s after they are submitted (the fixture `calm_faults` restores the rules)."""
    sandbox = fleet.sandboxes[Channel.TIKI]
    sandbox.settings = replace(sandbox.settings, review=replace(sandbox.settings.review, delay_seconds=0.3))
    return 0.3


def test_the_client_credentials_grant_needs_the_right_secret_and_api_calls_need_its_token(fleet, tiki):
    refused = tiki.sign_in(fleet.config.shop(SHOP).app_key, "not-the-secret")
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")

    anonymous = tiki.session.get(f"{tiki.url}/integration/v2/sellers/me/warehouses", timeout=TIMEOUT)

    assert anonymous.status_code == 401 and anonymous.json()["errors"]
    assert tiki.call("GET", "/integration/v2/sellers/me/warehouses").json()["data"][0]["id"] == tiki.warehouse


def test_a_request_stays_queuing_until_its_review_is_due_then_is_approved_as_a_product(tiki, sku, slow_review):
    answer = tiki.submit(sku).json()
    assert answer["state"] == "queuing"

    waiting = tiki.track(answer["track_id"])
    time.sleep(slow_review + 0.1)
    approved = tiki.track(answer["track_id"])

    assert (waiting["state"], waiting["product_id"]) == ("queuing", None)
    assert approved["state"] == "approved" and approved["product_id"]
    product = tiki.call("GET", f"/integration/v2.1/products/{approved['product_id']}").json()
    assert (product["original_sku"], product["active"], product["price"]) == (sku, 1, 85000)


def test_a_request_with_a_banned_word_is_rejected_with_the_reason(tiki, sku):
    track_id = tiki.submit(sku, name="Mứt sen hàng nhái hộp 500 g").json()["track_id"]

    tracked = tiki.track(track_id)

    assert tracked["state"] == "rejected" and tracked["product_id"] is None
    assert "hàng nhái" in tracked["reason"] and tracked["reasons"] == [tracked["reason"]]


def test_one_request_per_seller_sku_until_it_is_rejected(tiki, sku, slow_review):
    first = tiki.submit(sku, name="Mứt sen hàng nhái hộp 500 g").json()["track_id"]

    twice = tiki.submit(sku)
    time.sleep(slow_review + 0.1)
    assert tiki.track(first)["state"] == "rejected"
    again = tiki.submit(sku)

    assert twice.status_code == 400 and "already exists" in twice.json()["errors"][0]
    assert again.status_code == 200 and again.json()["track_id"] != first


def test_a_request_not_yet_a_product_is_in_the_request_list_but_not_found_among_products(tiki, sku, slow_review):
    track_id = tiki.submit(sku).json()["track_id"]

    listed = tiki.call("GET", "/integration/v2/requests", original_sku=sku, page=1, limit=50).json()
    found = tiki.call("GET", "/integration/v2/products/findBy", original_sku=sku)

    assert [(r["track_id"], r["state"]) for r in listed["data"]] == [(track_id, "queuing")]
    assert found.status_code == 404


def test_update_sku_changes_price_stock_and_switches_the_product_off(tiki, sku):
    product_id = tiki.track(tiki.submit(sku).json()["track_id"])["product_id"]

    changed = tiki.call("PUT", "/integration/v2/products/updateSku", {
        "product_id": product_id, "price": 99000, "active": 0,
        "warehouse_quantities": [{"warehouse_id": tiki.warehouse, "qty_available": 7}]})
    unknown = tiki.call("PUT", "/integration/v2/products/updateSku", {"product_id": 1, "price": 99000})

    assert changed.status_code == 200 and unknown.status_code == 404
    product = tiki.call("GET", "/integration/v2/products/findBy", original_sku=sku).json()
    assert (product["price"], product["active"]) == (99000, 0)
    assert product["inventory"]["warehouse_quantities"] == [{"warehouse_id": tiki.warehouse, "qty_available": 7}]


def test_a_picture_under_500_pixels_is_refused_in_a_request(tiki, sku):
    refused = tiki.submit(sku, cover=tiki.picture(size=400))

    assert refused.status_code == 400 and "500x500" in refused.json()["errors"][0]
