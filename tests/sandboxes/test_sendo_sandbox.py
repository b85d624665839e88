"""Sendo sandbox through raw HTTP, as a client written from Sendo's help pages would call it: login and
its limit, bearer tokens, create-or-update, products by id or SKU, search tokens, field masks, review."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from ocop.channels import Channel
from tests.sandboxes.clients import TIMEOUT, png_bytes
from tests.sandboxes.conftest import set_review

PRODUCT = "/api/partner/product"


class SendoClient:
    """Logs in with the shop key and secret, then sends `Authorization: bearer <token>`."""

    def __init__(self, fleet, session, key: str = "sendo-dong-thap") -> None:
        self.shop = fleet.shop(key)
        self.session = session
        self.base = self.shop.base_url
        answer = self.login()
        while answer.status_code == 429:        # logins are limited per address: wait as told
            time.sleep(float(answer.headers["Retry-After"]))
            answer = self.login()
        self.token = answer.json()["result"]["token"]

    def login(self, secret: str | None = None):
        credentials = self.shop.credentials
        return self.session.post(f"{self.base}/login", timeout=TIMEOUT, json={
            "shop_key": credentials.app_key, "secret_key": secret or credentials.app_secret.get_secret_value()})

    def call(self, method: str, path: str, body=None, **query):
        return self.session.request(method, self.base + path, params=query, json=body, timeout=TIMEOUT,
                                    headers={"Authorization": f"bearer {self.token}"})

    def picture(self, size: int = 600) -> str:
        answer = self.session.post(self.shop.image_host_url, files={"file": ("p.png", png_bytes(size))}, timeout=TIMEOUT)
        return answer.json()["url"]


@pytest.fixture
def sendo(fleet, session) -> SendoClient:
    return SendoClient(fleet, session)


def product_body(client: SendoClient, sku: str, **changes) -> dict:
    url = client.picture()
    body = {"id": 0, "name": "Mứt sen Đồng Tháp OCOP 4 sao hộp 500 g", "sku": sku, "price": 85000,
            "stock_quantity": 40, "stock_availability": True, "cat_4_id": 100640, "weight": 600,
            "length": 20, "width": 15, "height": 8, "description": "<p>Mứt sen sấy dẻo, hạt sen Tháp Mười.</p>" * 3,
            "avatar": {"picture_url": url}, "pictures": [{"picture_url": url}],
            "attributes": [{"attribute_code": "barcode", "attribute_values": [{"value": "8931234567897"}]}]}
    return body | changes


def create(client: SendoClient, sku: str, **changes) -> int:
    answer = client.call("POST", PRODUCT, product_body(client, sku, **changes)).json()
    assert answer["success"] is True, answer
    return answer["result"]


def test_login_answers_a_token_lasting_8_hours_and_refuses_wrong_keys(sendo):
    time.sleep(1.05)     # past the logins of the tests before
    answer = sendo.login().json()
    expires = dt.datetime.fromisoformat(answer["result"]["expires"])
    assert answer["success"] is True and answer["result"]["token"]
    assert expires.utcoffset() == dt.timedelta(hours=7)
    assert 8 * 3600 - 60 < expires.timestamp() - time.time() <= 8 * 3600

    refused = sendo.login(secret="not-the-secret")
    assert refused.status_code == 401 and refused.json()["success"] is False
    assert "secret_key" in refused.json()["error"]["message"]


def test_logins_past_5_a_second_from_one_address_are_refused_for_a_while(sendo):
    answers = [sendo.login() for _ in range(6)]

    assert answers[-1].status_code == 429 and answers[-1].headers["Retry-After"] == "1"
    assert sum(answer.status_code == 200 for answer in answers) <= 5
    assert "5 per second per IP" in answers[-1].json()["error"]["message"]


def test_a_call_without_a_good_token_is_401_and_an_expired_one_too(fleet, sendo):
    sendo.token = "no-such-token"
    assert sendo.call("GET", PRODUCT, id=1).status_code == 401

    fresh = SendoClient(fleet, sendo.session)
    fleet.admin(Channel.SENDO).expire_access_tokens("sendo-dong-thap")
    expired = fresh.call("GET", PRODUCT, id=1)
    assert expired.status_code == 401 and "hết hạn" in expired.json()["error"]["message"]


def test_id_0_creates_pending_review_and_the_next_call_finds_it_selling(fleet, sendo, sku):
    product_id = create(sendo, sku)

    assert fleet.sandboxes[Channel.SENDO].state.get(product_id).status == "1"
    by_sku = sendo.call("GET", PRODUCT, sku=sku).json()["result"]
    assert (by_sku["id"], by_sku["status"], by_sku["stock_availability"], by_sku["weight"]) == (product_id, 2, True, 600)
    assert by_sku["attributes"][0]["attribute_values"][0]["value"] == "8931234567897"
    assert sendo.call("GET", PRODUCT, id=product_id, sku="other").json()["result"]["sku"] == sku     # id wins


def test_a_second_product_with_one_sku_is_refused_naming_the_first(sendo, sku):
    first = create(sendo, sku)

    refused = sendo.call("POST", PRODUCT, product_body(sendo, sku))

    assert refused.status_code == 400 and str(first) in refused.json()["error"]["message"]


def test_a_product_pending_review_cannot_be_updated(fleet, sendo, sku):
    set_review(fleet, Channel.SENDO, delay_seconds=3600)
    product_id = create(sendo, sku)

    refused = sendo.call("POST", PRODUCT, product_body(sendo, sku, id=product_id, price=90000))

    assert refused.status_code == 400 and "cannot be updated" in refused.json()["error"]["message"]


def test_a_full_update_replaces_the_product(sendo, sku):
    product_id = create(sendo, sku)

    answer = sendo.call("POST", PRODUCT, product_body(sendo, sku, id=product_id, name="Mứt sen Đồng Tháp bản mới"))

    assert answer.json()["result"] == product_id
    assert sendo.call("GET", PRODUCT, id=product_id).json()["result"]["name"] == "Mứt sen Đồng Tháp bản mới"


def test_field_masks_change_only_what_they_name_and_keep_stock_and_sale_consistent(sendo, sku):
    product_id = create(sendo, sku)
    mask = f"{PRODUCT}/update-by-field-mask"

    changed = sendo.call("POST", mask, [{"id": product_id, "field_mask": ["price"], "price": 99000}]).json()
    inconsistent = sendo.call("POST", mask, [{"id": product_id, "field_mask": ["stock_quantity"],
                                              "stock_quantity": 0}]).json()
    off_sale = sendo.call("POST", mask, [{"id": product_id, "field_mask": ["stock_availability"],
                                          "stock_availability": False}]).json()

    assert changed["result"] == [{"id": product_id, "success": True, "error": None}]
    assert inconsistent["result"][0]["success"] is False and "stock_availability" in inconsistent["result"][0]["error"]
    assert off_sale["result"][0]["success"] is True
    shown = sendo.call("GET", PRODUCT, id=product_id).json()["result"]
    assert (shown["price"], shown["stock_quantity"], shown["status"], shown["stock_availability"]) == (99000, 40, 2, False)


def test_a_banned_word_is_rejected_with_the_reason(sendo, sku):
    product_id = create(sendo, sku, name="Mứt sen Đồng Tháp replica hộp 500 g")

    shown = sendo.call("GET", PRODUCT, id=product_id).json()["result"]

    assert shown["status"] == 3 and "replica" in shown["reject_reason"]


def test_pictures_must_be_published_and_large_enough(sendo, sku):
    small = sendo.picture(size=300)

    unknown = sendo.call("POST", PRODUCT, product_body(sendo, sku, avatar={"picture_url": "https://x/y.jpg"}))
    tiny = sendo.call("POST", PRODUCT, product_body(sendo, sku, avatar={"picture_url": small}, pictures=[]))

    assert unknown.status_code == 400 and "publish it first" in unknown.json()["error"]["message"]
    assert tiny.status_code == 400 and "at least 500x500" in tiny.json()["error"]["message"]


def test_search_pages_with_tokens_at_most_50_and_hides_deleted(fleet, session):
    client = SendoClient(fleet, session, "sendo-producer")
    admin = fleet.admin(Channel.SENDO)
    inserted = [admin.insert("sendo-producer", seller_sku=f"SD-PAGE-{n}", title=f"Sản phẩm số {n} của hợp tác xã")
                for n in range(7)]
    client.call("DELETE", PRODUCT, id=inserted[0].item_id)
    search = f"{PRODUCT}/search"

    seen, token, pages = [], None, 0
    while True:
        body = {"page_size": 3, "token": token} if token else {"page_size": 3, "status": None}
        page = client.call("POST", search, body).json()["result"]
        seen += [row["id"] for row in page["data"]]
        pages += 1
        token = page["next_token"]
        if not token:
            break

    assert pages >= 2 and len(seen) == len(set(seen)) == page["total_records"]
    assert inserted[0].item_id not in seen and {item.item_id for item in inserted[1:]} <= set(seen)
    assert client.call("POST", search, {"page_size": 51}).status_code == 400
    assert client.call("POST", search, {"page_size": 5, "token": "garbage"}).status_code == 400
