"""TikTok Shop (202309+) sandbox: envelopes, lifecycle, page tokens, seller SKU search, errors."""

from __future__ import annotations

import pytest

from ocop.channels import Channel

from tests.sandboxes.clients import TikTokClient, png_bytes
from tests.sandboxes.conftest import tiktok_product

PRODUCTS = "/product/202309/products"


def create(tiktok, sku, **options):
    return tiktok.call("POST", PRODUCTS, tiktok_product(tiktok, sku, **options))


def get(tiktok, product_id):
    return tiktok.call("GET", f"{PRODUCTS}/{product_id}").json()["data"]


def test_create_answers_integer_code_0_and_starts_pending(tiktok, sku, fleet):
    body = create(tiktok, sku).json()
    assert body["code"] == 0 and body["message"] == "Success" and body["request_id"]
    product_id = body["data"]["product_id"]
    assert body["data"]["skus"][0]["seller_sku"] == sku
    assert fleet.sandboxes[Channel.TIKTOK].state.get(int(product_id)).status == "PENDING"


def test_pending_product_is_activated_on_the_next_read(tiktok, sku):
    product_id = create(tiktok, sku).json()["data"]["product_id"]
    data = get(tiktok, product_id)
    assert data["status"] == "ACTIVATE"
    sku_data = data["skus"][0]
    assert sku_data["price"]["tax_exclusive_price"] == "85000" and sku_data["inventory"][0]["quantity"] == 40
    assert sku_data["identifier_code"] == {"code": "8931234567897", "type": "EAN"}


def test_banned_word_fails_the_audit_with_reasons(tiktok, sku):
    product_id = create(tiktok, sku, title="Mứt sen Đồng Tháp replica hộp 500 g chính hãng").json()["data"]["product_id"]
    data = get(tiktok, product_id)
    assert data["status"] == "FAILED" and "replica" in data["audit_failed_reasons"][0]["reasons"][0]


def test_search_by_seller_sku_and_status(tiktok, sku):
    product_id = create(tiktok, sku).json()["data"]["product_id"]
    body = tiktok.call("POST", f"{PRODUCTS}/search", {"seller_skus": [sku]}, page_size=10).json()["data"]
    assert [p["id"] for p in body["products"]] == [product_id] and body["next_page_token"] == ""
    newer = tiktok.call("POST", "/product/202502/products/search", {"status": "ACTIVATE", "seller_skus": [sku]},
                        page_size=10).json()["data"]
    assert newer["total_count"] == 1


def test_search_pages_with_page_tokens(fleet, session):
    client = TikTokClient(fleet.shop("tiktok-producer"), session)
    admin = fleet.admin(Channel.TIKTOK)
    for n in range(7):
        admin.insert("tiktok-producer", seller_sku=f"TT-PAGE-{n}", title=f"Sản phẩm số {n} của hợp tác xã")
    seen, token, pages = [], None, 0
    while True:
        params = {"page_size": 3, **({"page_token": token} if token else {})}
        data = client.call("POST", f"{PRODUCTS}/search", {"status": "ACTIVATE"}, **params).json()["data"]
        seen += [p["id"] for p in data["products"]]
        pages += 1
        token = data["next_page_token"]
        if not token:
            break
    assert pages >= 3 and len(seen) == len(set(seen)) == data["total_count"]


def test_page_size_over_100_and_bad_token_are_invalid_parameters(tiktok):
    assert tiktok.call("POST", f"{PRODUCTS}/search", {}, page_size=101).json()["code"] == 12052910
    assert tiktok.call("POST", f"{PRODUCTS}/search", {}, page_size=5, page_token="garbage").json()["code"] == 12052910


def test_duplicate_seller_sku_is_refused(tiktok, sku):
    first = create(tiktok, sku).json()["data"]["product_id"]
    body = create(tiktok, sku).json()
    assert body["code"] == 12052910 and first in body["message"]


@pytest.mark.parametrize("overrides, sku_fields, code", [
    ({"title": "Quá ngắn"}, {}, 12052051),
    ({"title": "t" * 256}, {}, 12052051),
    ({"description": "d" * 10001}, {}, 12052910),
    ({"main_images": []}, {}, 12052910),
    ({"main_images": [{"uri": "unknown"}]}, {}, 12052910),
    ({"category_id": "x"}, {}, 12052910),
    ({"package_weight": {"value": "0", "unit": "KILOGRAM"}}, {}, 12052910),
    ({}, {"seller_sku": "has space"}, 12052910),
    ({}, {"seller_sku": "s" * 51}, 12052910),
    ({}, {"price": {"amount": "0", "currency": "VND"}}, 12052910),
    ({}, {"price": {"amount": "180000001", "currency": "VND"}}, 12052910),
    ({}, {"price": {"amount": 85000, "currency": "VND"}}, 12052910),
    ({}, {"identifier_code": {"code": "8931234567890", "type": "EAN"}}, 12052910),
    ({}, {"inventory": [{"warehouse_id": "1", "quantity": 3}]}, 12052910),
])
def test_each_field_limit_answers_its_code(tiktok, sku, overrides, sku_fields, code):
    answer = create(tiktok, sku, sku_fields=sku_fields, **overrides)
    assert answer.status_code == 200 and answer.json()["code"] == code


def test_ten_images_are_too_many(tiktok, sku):
    uris = [{"uri": tiktok.upload_image(png_bytes(size=110 + n))} for n in range(10)]
    assert create(tiktok, sku, main_images=uris).json()["code"] == 12052910


def test_too_small_image_is_refused_at_upload(tiktok):
    path = "/product/202309/images/upload"
    headers = {"x-tts-access-token": tiktok.shop.credentials.access_token.get_secret_value()}
    answer = tiktok.session.post(tiktok.shop.base_url + path, params=tiktok._query(path, {}, b""), headers=headers,
                                 files={"data": ("tiny.png", png_bytes(size=50), "image/png")})
    assert answer.json()["code"] == 12052910


def test_edit_prices_inventory_deactivate_activate_delete(tiktok, sku):
    created = create(tiktok, sku).json()["data"]
    product_id, sku_id = created["product_id"], created["skus"][0]["id"]
    get(tiktok, product_id)
    edit = tiktok_product(tiktok, sku, title="Mứt sen Đồng Tháp OCOP 4 sao hộp 1 kg mới")
    assert tiktok.call("PUT", f"/product/202509/products/{product_id}", edit).json()["code"] == 0
    tiktok.call("POST", f"{PRODUCTS}/{product_id}/prices/update",
                {"skus": [{"id": sku_id, "price": {"amount": "99000", "currency": "VND"}}]})
    tiktok.call("POST", f"{PRODUCTS}/{product_id}/inventory/update", {"skus": [{"id": sku_id, "inventory": [{"quantity": 2}]}]})
    data = get(tiktok, product_id)
    assert data["title"].endswith("1 kg mới") and data["skus"][0]["price"]["sale_price"] == "99000"
    assert data["skus"][0]["inventory"][0]["quantity"] == 2
    assert tiktok.call("POST", f"{PRODUCTS}/deactivate", {"product_ids": [product_id]}).json()["data"]["errors"] == []
    assert get(tiktok, product_id)["status"] == "SELLER_DEACTIVATED"
    tiktok.call("POST", f"{PRODUCTS}/activate", {"product_ids": [product_id]})
    assert get(tiktok, product_id)["status"] == "ACTIVATE"
    assert tiktok.call("DELETE", PRODUCTS, {"product_ids": [product_id]}).json()["data"]["errors"] == []
    assert get(tiktok, product_id)["status"] == "DELETED"


def test_price_update_for_a_foreign_sku_is_12052557(tiktok, sku):
    product_id = create(tiktok, sku).json()["data"]["product_id"]
    body = tiktok.call("POST", f"{PRODUCTS}/{product_id}/prices/update",
                       {"skus": [{"id": "1", "price": {"amount": "1000", "currency": "VND"}}]}).json()
    assert body["code"] == 12052557


def test_deactivating_a_pending_product_reports_it_in_errors(tiktok, sku, fleet):
    from tests.sandboxes.conftest import set_review
    set_review(fleet, Channel.TIKTOK, delay_seconds=3600)
    product_id = create(tiktok, sku).json()["data"]["product_id"]
    errors = tiktok.call("POST", f"{PRODUCTS}/deactivate", {"product_ids": [product_id]}).json()["data"]["errors"]
    assert errors[0]["detail"]["product_id"] == product_id


def test_unknown_product_is_12052032(tiktok):
    assert tiktok.call("GET", f"{PRODUCTS}/1729000000000000000").json()["code"] == 12052032


def test_authorized_shops_gives_the_shop_cipher(tiktok):
    tiktok.send_cipher = False
    shops = tiktok.call("GET", "/authorization/202309/shops").json()["data"]["shops"]
    assert shops[0]["cipher"] == tiktok.shop.credentials.shop_id


def upload(tiktok, *, with_cipher: bool):
    path = "/product/202309/images/upload"
    query = tiktok._query(path, {"shop_cipher": tiktok.shop.credentials.shop_id} if with_cipher else {}, b"")
    headers = {"x-tts-access-token": tiktok.shop.credentials.access_token.get_secret_value()}
    return tiktok.session.post(tiktok.shop.base_url + path, params=query, headers=headers,
                               files={"data": ("cover.png", png_bytes(), "image/png")})


def test_image_upload_is_a_seller_call_that_takes_no_shop_cipher(tiktok):
    accepted = upload(tiktok, with_cipher=False)
    refused = upload(tiktok, with_cipher=True)

    assert accepted.status_code == 200 and accepted.json()["data"]["uri"]
    assert refused.status_code == 400 and refused.json()["code"] == 106013


def test_a_repeated_idempotency_key_answers_the_first_create(tiktok, sku, fleet):
    key = f"3f1c2b7e-{sku.lower()}"
    first = tiktok.call("POST", PRODUCTS, tiktok_product(tiktok, sku) | {"idempotency_key": key}).json()
    again = tiktok.call("POST", PRODUCTS, tiktok_product(tiktok, sku) | {"idempotency_key": key}).json()

    assert first["code"] == again["code"] == 0
    assert again["data"] == first["data"]
    assert len(fleet.admin(Channel.TIKTOK).find("tiktok-dong-thap", sku)) == 1


def test_a_refused_create_does_not_use_up_its_idempotency_key(tiktok, sku):
    key = f"9d2e4a10-{sku.lower()}"
    refused = tiktok.call("POST", PRODUCTS, tiktok_product(tiktok, sku, title="Quá ngắn") | {"idempotency_key": key})
    fixed = tiktok.call("POST", PRODUCTS, tiktok_product(tiktok, sku) | {"idempotency_key": key})

    assert refused.json()["code"] == 12052051
    assert fixed.json()["code"] == 0 and fixed.json()["data"]["product_id"]


def test_an_idempotency_key_over_128_characters_is_invalid(tiktok, sku):
    body = tiktok_product(tiktok, sku) | {"idempotency_key": "k" * 129}
    assert tiktok.call("POST", PRODUCTS, body).json()["code"] == 12052910


def test_a_product_without_a_brand_has_no_brand_field_and_one_with_a_brand_an_object(tiktok, sku):
    plain = create(tiktok, sku).json()["data"]["product_id"]
    branded = tiktok.call("POST", PRODUCTS, tiktok_product(tiktok, sku + "-B", brand_id="7082427311584347905")).json()

    assert "brand" not in get(tiktok, plain)
    assert get(tiktok, branded["data"]["product_id"])["brand"] == {"id": "7082427311584347905"}
