"""TikTok Shop 202309 connector against `responses`: the published signing vector, body signing, mapping,
page tokens and the platform's error bodies."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from connectors import tiktok
from connectors.base import RetryPolicy, TokenBucket
from connectors.errors import AuthError, NotFound, RateLimited, Rejected, TransientError
from connectors.types import ListingStatus
from ocop.channels import Channel
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET, FIXED_TIME, sample_content

HOST = "https://open-api.tiktokglobalshop.com"
PRODUCTS = f"{HOST}/product/202309/products"


def ok(data: dict) -> dict:
    return {"code": 0, "message": "Success", "request_id": "202601010000001", "data": data}


def failure(code: int, message: str) -> dict:
    return {"code": code, "message": message, "request_id": "202601010000002", "data": {}}


def product(product_id: str, sku: str, status: str = "ACTIVATE", **fields) -> dict:
    return {"id": product_id, "status": status, "title": f"Item {product_id}", "update_time": 1767225600,
            "skus": [{"id": f"{product_id}1", "seller_sku": sku, "price": {"currency": "VND", "tax_exclusive_price": "185000", "sale_price": "185000"},
                      "inventory": [{"warehouse_id": "7068517275539719942", "quantity": 40}],
                      "identifier_code": {"code": "8938505974194", "type": "EAN"}}], **fields}


def query_of(call) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(call.request.url).query).items()}


def test_signature_matches_the_published_vector():
    assert tiktok.sign("e59af819cc", "/authorization/202309/shops", {"app_key": "29a39d", "timestamp": "1623812664"}) == \
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


@responses.activate
def test_create_signs_query_and_the_exact_body_sent_and_carries_the_token_in_a_header(make_connector):
    responses.post(PRODUCTS, json=ok({"product_id": "1729", "skus": [{"id": "17291", "seller_sku": "OCOP-DT-0001"}]}))

    result = make_connector(Channel.TIKTOK).create(sample_content())

    assert (result.remote_id, result.remote_sku_id) == ("1729", "17291")
    request = responses.calls[0].request
    query = query_of(responses.calls[0])
    assert query.keys() == {"app_key", "timestamp", "shop_cipher", "sign"}
    assert query["timestamp"] == str(int(FIXED_TIME)) and query["shop_cipher"] == "ROW_cipher_42"
    assert request.headers["x-tts-access-token"] == ACCESS_TOKEN
    assert ACCESS_TOKEN not in request.url
    body_text = request.body.decode()
    unsigned = {k: v for k, v in query.items() if k != "sign"}
    assert query["sign"] == tiktok.sign(APP_SECRET, "/product/202309/products", unsigned, body_text)


@responses.activate
def test_create_body_follows_the_202309_product_shape(make_connector):
    responses.post(PRODUCTS, json=ok({"product_id": "1729", "skus": [{"id": "17291"}]}))

    make_connector(Channel.TIKTOK).create(sample_content())

    body = json.loads(responses.calls[0].request.body)
    assert body["category_id"] == "100629"
    assert body["main_images"] == [{"uri": "img-cover"}, {"uri": "img-2"}]
    assert body["package_weight"] == {"value": "0.65", "unit": "KILOGRAM"}
    assert body["package_dimensions"] == {"length": "12", "width": "8", "height": "8", "unit": "CENTIMETER"}
    assert body["skus"] == [{
        "seller_sku": "OCOP-DT-0001",
        "price": {"amount": "185000", "currency": "VND"},
        "inventory": [{"warehouse_id": "7068517275539719942", "quantity": 40}],
        "identifier_code": {"code": "8938505974194", "type": "EAN"},
    }]


@responses.activate
def test_default_warehouse_is_read_once_when_not_configured(make_connector):
    responses.get(f"{HOST}/logistics/202309/warehouses", json=ok({"warehouses": [
        {"id": "701", "is_default": False}, {"id": "702", "is_default": True}]}))
    responses.post(PRODUCTS, json=ok({"product_id": "1729", "skus": [{"id": "17291"}]}))
    connector = make_connector(Channel.TIKTOK, warehouse_id=None)

    connector.create(sample_content("A"))
    connector.create(sample_content("B"))

    assert len(responses.calls) == 3
    assert json.loads(responses.calls[1].request.body)["skus"][0]["inventory"][0]["warehouse_id"] == "702"


@responses.activate
def test_search_follows_page_tokens(make_connector):
    responses.post(f"{PRODUCTS}/search", json=ok({"products": [product("1", "SKU-1"), product("2", "SKU-2", "DELETED")],
                                                  "next_page_token": "b2Zmc2V0PTI=", "total_count": 3}),
                   match=[matchers.query_param_matcher({"page_size": "100"}, strict_match=False)])
    responses.post(f"{PRODUCTS}/search", json=ok({"products": [product("3", "SKU-3", "SELLER_DEACTIVATED")],
                                                  "next_page_token": "", "total_count": 3}),
                   match=[matchers.query_param_matcher({"page_token": "b2Zmc2V0PTI="}, strict_match=False)])

    listings = list(make_connector(Channel.TIKTOK).iter_listings())

    assert [item.remote_id for item in listings] == ["1", "3"]     # the deleted one is gone
    last = listings[-1]
    assert (last.status, last.seller_sku, last.remote_sku_id) == (ListingStatus.INACTIVE, "SKU-3", "31")
    assert (last.price_vnd, last.stock, last.gtin) == (185000, 40, "8938505974194")


@responses.activate
def test_find_by_seller_sku_filters_on_the_platform(make_connector):
    responses.post(f"{PRODUCTS}/search", json=ok({"products": [product("1729", "OCOP-DT-0001")], "next_page_token": ""}))

    found = make_connector(Channel.TIKTOK).find_by_seller_sku("OCOP-DT-0001")

    assert found is not None and found.remote_id == "1729"
    assert json.loads(responses.calls[0].request.body) == {"seller_skus": ["OCOP-DT-0001"]}


@responses.activate
def test_rejected_product_carries_the_audit_reason(make_connector):
    responses.get(f"{PRODUCTS}/1729", json=ok(product("1729", "OCOP-DT-0001", "FAILED", audit_failed_reasons=[
        {"position": "title", "reasons": ["Title contains prohibited words"], "suggestions": []}])))

    listing = make_connector(Channel.TIKTOK).get("1729")

    assert listing.status == ListingStatus.REJECTED
    assert listing.reject_reason == "Title contains prohibited words"


@responses.activate
def test_update_is_a_full_edit_that_keeps_the_sku_id(make_connector):
    responses.get(f"{PRODUCTS}/1729", json=ok(product("1729", "OCOP-DT-0001")))
    responses.put(f"{PRODUCTS}/1729", json=ok({"product_id": "1729"}))

    make_connector(Channel.TIKTOK).update("1729", sample_content())

    assert json.loads(responses.calls[1].request.body)["skus"][0]["id"] == "17291"


@responses.activate
def test_price_and_inventory_update_the_products_sku(make_connector):
    responses.get(f"{PRODUCTS}/1729", json=ok(product("1729", "OCOP-DT-0001")))
    responses.post(f"{PRODUCTS}/1729/prices/update", json=ok({}))
    responses.post(f"{PRODUCTS}/1729/inventory/update", json=ok({}))

    make_connector(Channel.TIKTOK).update_price_stock("1729", 199000, 12, seller_sku="OCOP-DT-0001")

    assert json.loads(responses.calls[1].request.body) == {"skus": [{"id": "17291", "price": {"amount": "199000", "currency": "VND"}}]}
    assert json.loads(responses.calls[2].request.body) == {
        "skus": [{"id": "17291", "inventory": [{"warehouse_id": "7068517275539719942", "quantity": 12}]}]}


@responses.activate
def test_deactivate_activate_and_delete_send_product_ids(make_connector):
    responses.post(f"{PRODUCTS}/deactivate", json=ok({}))
    responses.post(f"{PRODUCTS}/activate", json=ok({}))
    responses.delete(PRODUCTS, json=ok({}))
    connector = make_connector(Channel.TIKTOK)

    connector.unlist("1729")
    connector.relist("1729")
    connector.delete("1729")

    assert [c.request.method for c in responses.calls] == ["POST", "POST", "DELETE"]
    assert all(json.loads(c.request.body) == {"product_ids": ["1729"]} for c in responses.calls)


@responses.activate
def test_a_per_product_error_in_a_bulk_answer_is_raised(make_connector):
    responses.post(f"{PRODUCTS}/activate", json=ok({"errors": [
        {"code": 12019010, "message": "The product is frozen and cannot be activated", "detail": {"product_id": "1729"}}]}))

    with pytest.raises(Rejected) as raised:
        make_connector(Channel.TIKTOK).relist("1729")

    assert raised.value.code == "12019010"


@pytest.mark.parametrize("http_status, body, error_class", [
    (401, failure(106001, "Invalid credentials. The sign is not correct."), AuthError),
    (401, failure(105002, "Expired credentials. The access token has expired."), AuthError),
    (401, failure(36009004, "Invalid credentials. Invalid app_key or timestamp."), AuthError),
    (400, failure(106013, "Missing parameter: shop_cipher."), AuthError),
    (400, failure(12052910, "Invalid parameters: skus[0].price.amount."), Rejected),
    (400, failure(12052051, "The product title exceeds the maximum length of 255 characters."), Rejected),
    (200, failure(12052032, "Product 1729 does not exist."), NotFound),
])
@responses.activate
def test_platform_error_bodies_are_classified(make_connector, sleeps, http_status, body, error_class):
    responses.post(PRODUCTS, status=http_status, json=body)

    with pytest.raises(error_class) as raised:
        make_connector(Channel.TIKTOK).create(sample_content())

    assert (raised.value.code, raised.value.message) == (str(body["code"]), body["message"])
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_duplicate_seller_sku_refusal_is_recognised(make_connector):
    responses.post(PRODUCTS, json=failure(12052910, "Invalid parameters: seller_sku OCOP-DT-0001 already exists in this shop (product 1729)."))

    with pytest.raises(Rejected) as raised:
        make_connector(Channel.TIKTOK).create(sample_content())

    assert make_connector(Channel.TIKTOK).is_duplicate_sku(raised.value)


@responses.activate
def test_internal_errors_are_retried_then_transient(make_connector, sleeps):
    responses.get(f"{PRODUCTS}/1729", status=500, json=failure(12052900, "Internal system error, please try again later."))

    with pytest.raises(TransientError) as raised:
        make_connector(Channel.TIKTOK).get("1729")

    assert raised.value.code == "12052900" and len(responses.calls) == 4 and len(sleeps) == 3


@responses.activate
def test_too_many_requests_waits_and_retries(make_connector, sleeps):
    responses.get(f"{PRODUCTS}/1729", status=429, json=failure(36009002, "Too many requests."))
    responses.get(f"{PRODUCTS}/1729", json=ok(product("1729", "OCOP-DT-0001")))

    assert make_connector(Channel.TIKTOK).get("1729").remote_id == "1729"
    assert sleeps == [1.0]


@responses.activate
def test_a_create_that_was_rate_limited_is_simply_sent_again(make_connector, sleeps):
    responses.post(PRODUCTS, status=429, json=failure(36009002, "Too many requests."), headers={"Retry-After": "0.5"})
    responses.post(PRODUCTS, json=ok({"product_id": "1729", "skus": [{"id": "17291"}]}))

    assert make_connector(Channel.TIKTOK).create(sample_content()).remote_id == "1729"
    assert sleeps == [0.5] and len(responses.calls) == 2


@responses.activate
def test_a_rate_limit_seen_by_one_connector_holds_every_caller_of_the_shops_bucket(make_connector, fake_time):
    bucket = TokenBucket(1000.0, burst=1000.0, clock=fake_time.monotonic, sleep=fake_time.sleep)
    responses.get(f"{PRODUCTS}/1729", status=429, json=failure(36009002, "Too many requests."), headers={"Retry-After": "2"})
    responses.get(f"{PRODUCTS}/1729", json=ok(product("1729", "OCOP-DT-0001")))
    impatient = make_connector(Channel.TIKTOK, rate_limiter=bucket, retry=RetryPolicy(attempts=1))
    other = make_connector(Channel.TIKTOK, rate_limiter=bucket)

    with pytest.raises(RateLimited):
        impatient.get("1729")
    other.get("1729")

    assert fake_time.sleeps == [2.0]     # the other caller waited out the ban before sending


@responses.activate
def test_image_upload_is_a_seller_call_without_shop_cipher(make_connector):
    responses.post(f"{HOST}/product/202309/images/upload", json=ok({"uri": "tos-maliva-i-o3syd03w52-us/abc"}))

    uri = make_connector(Channel.TIKTOK).upload_image(b"\x89PNG...", "cover.png")

    query = query_of(responses.calls[0])
    assert uri == "tos-maliva-i-o3syd03w52-us/abc"
    assert query.keys() == {"app_key", "timestamp", "sign"}
    assert query["sign"] == tiktok.sign(APP_SECRET, "/product/202309/images/upload",
                                        {k: v for k, v in query.items() if k != "sign"})


@responses.activate
def test_a_create_carries_one_idempotency_key_per_seller_sku_and_content(make_connector):
    responses.post(PRODUCTS, json=ok({"product_id": "1729", "skus": [{"id": "17291"}]}))
    connector = make_connector(Channel.TIKTOK)

    connector.create(sample_content())
    connector.create(sample_content())
    connector.create(sample_content(title="Mật ong hoa nhãn Đồng Tháp 1 kg - OCOP 4 sao"))
    connector.create(sample_content("OCOP-DT-0002"))

    keys = [json.loads(call.request.body)["idempotency_key"] for call in responses.calls]
    assert keys[0] == keys[1]                          # a resend of the same create
    assert len(set(keys)) == 3                         # new content, or another product: a new key
    assert all(len(key) <= 128 and str(uuid.UUID(key)) == key for key in keys)


@pytest.mark.parametrize("brand", [None, {"id": "7082427311584347905", "name": "HTX Ong mật"}, "absent"])
@responses.activate
def test_a_product_reads_the_same_whether_its_brand_is_null_absent_or_an_object(make_connector, brand):
    fields = {} if brand == "absent" else {"brand": brand}
    responses.get(f"{PRODUCTS}/1729", json=ok(product("1729", "OCOP-DT-0001", **fields)))

    listing = make_connector(Channel.TIKTOK).get("1729")

    assert (listing.remote_id, listing.seller_sku, listing.status) == ("1729", "OCOP-DT-0001", ListingStatus.LIVE)
