"""Sendo connector against `responses`: the login and its token, the create-or-update body, field
masks, page tokens, and the platform's envelopes and statuses."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import responses
from pydantic import SecretStr

from connectors.base import RetryPolicy, TokenBucket
from connectors.by_channel import connector_for
from connectors.errors import AuthError, NotFound, RateLimited, Rejected, TransientError
from connectors.types import ListingStatus
from ocop.channels import Channel
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET, FIXED_TIME, sample_content, shop_config

HOST = "https://open.sendo.vn"
PRODUCT = f"{HOST}/api/partner/product"
LOGIN = f"{HOST}/login"


def ok(result) -> dict:
    return {"success": True, "statusCode": 200, "result": result, "error": None}


def failure(status: int, message: str) -> dict:
    return {"success": False, "statusCode": status, "result": None, "error": {"message": message}}


def product(product_id: int, sku: str, status: int = 2, **fields) -> dict:
    return {"id": product_id, "sku": sku, "name": f"Item {product_id}", "status": status, "price": 185000,
            "stock_quantity": 40, "stock_availability": True, "updated_at_timestamp": 1767225600, **fields}


@pytest.fixture
def signing_in(fake_time):
    """Connectors whose credentials hold no token: they log in with the shop key and secret."""
    made = []

    def make():
        shop = shop_config(Channel.SENDO)
        credentials = replace(shop.credentials, app_key="shop-key-42", access_token=SecretStr(""))
        connector = connector_for(replace(shop, credentials=credentials), sleep=fake_time.sleep,
                                  clock=lambda: FIXED_TIME, rand=lambda: 0.5, retry=RetryPolicy(attempts=4),
                                  rate_limiter=TokenBucket(1000.0, clock=fake_time.monotonic, sleep=fake_time.sleep))
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


def login_answer(token: str, expires: str = "2026-01-01T15:00:00+07:00") -> dict:
    return ok({"token": token, "expires": expires})


@responses.activate
def test_a_shop_without_a_token_logs_in_once_and_sends_the_token_as_bearer(signing_in):
    responses.post(LOGIN, json=login_answer("tok-1"))
    responses.get(PRODUCT, json=ok(product(31, "OCOP-DT-0001")))
    connector = signing_in()

    connector.get("31")
    connector.get("31")

    login, *reads = responses.calls
    assert json.loads(login.request.body) == {"shop_key": "shop-key-42", "secret_key": APP_SECRET}
    assert "Authorization" not in login.request.headers
    assert [call.request.headers["Authorization"] for call in reads] == ["bearer tok-1", "bearer tok-1"]


@responses.activate
def test_an_expired_token_is_replaced_by_logging_in_again_and_the_call_sent_once_more(signing_in):
    responses.post(LOGIN, json=login_answer("tok-1"))
    responses.post(LOGIN, json=login_answer("tok-2"))
    responses.get(PRODUCT, status=401, json=failure(401, "Token đã hết hạn"))
    responses.get(PRODUCT, json=ok(product(31, "OCOP-DT-0001")))

    assert signing_in().get("31").remote_id == "31"
    sent = [(call.request.url.split("?")[0], call.request.headers.get("Authorization")) for call in responses.calls]
    assert sent == [(LOGIN, None), (PRODUCT, "bearer tok-1"), (LOGIN, None), (PRODUCT, "bearer tok-2")]


@responses.activate
def test_a_token_at_the_end_of_its_life_is_replaced_before_the_call(signing_in):
    # Issued at FIXED_TIME (07:00 Vietnam time) and already expired: the next call logs in first.
    responses.post(LOGIN, json=login_answer("tok-1", expires="2026-01-01T07:00:00+07:00"))
    responses.post(LOGIN, json=login_answer("tok-2"))
    responses.get(PRODUCT, json=ok(product(31, "OCOP-DT-0001")))
    connector = signing_in()

    connector.get("31")
    connector.get("31")

    assert [call.request.headers.get("Authorization") for call in responses.calls] == [
        None, "bearer tok-1", None, "bearer tok-2"]


@responses.activate
def test_refused_keys_stop_the_shop_without_showing_the_secret(signing_in):
    responses.post(LOGIN, status=401, json=failure(401, f"secret_key {APP_SECRET} không đúng"))

    with pytest.raises(AuthError) as refused:
        signing_in().get("31")

    assert refused.value.code == "login_refused" and APP_SECRET not in str(refused.value)
    assert len(responses.calls) == 1


def test_sendo_has_no_authorisation_page(make_connector):
    with pytest.raises(AuthError, match="shop_key and secret_key"):
        make_connector(Channel.SENDO).authorization_url("http://127.0.0.1:8791/callback", "state-1234")


@responses.activate
def test_create_sends_id_0_with_the_product_and_reads_the_new_id(make_connector):
    responses.post(PRODUCT, json=ok(31000001))

    result = make_connector(Channel.SENDO).create(sample_content())

    assert (result.remote_id, result.remote_sku_id) == ("31000001", None)
    request = responses.calls[0].request
    assert request.headers["Authorization"] == f"bearer {ACCESS_TOKEN}"
    body = json.loads(request.body)
    assert {key: body[key] for key in ("id", "sku", "price", "stock_quantity", "stock_availability", "cat_4_id",
                                       "weight", "length", "width", "height")} == {
        "id": 0, "sku": "OCOP-DT-0001", "price": 185000, "stock_quantity": 40, "stock_availability": True,
        "cat_4_id": 100629, "weight": 650, "length": 12, "width": 8, "height": 8}
    assert body["avatar"] == {"picture_url": "img-cover"}
    assert body["pictures"] == [{"picture_url": "img-cover"}, {"picture_url": "img-2"}]
    assert body["attributes"] == [{"attribute_id": 0, "attribute_code": "barcode", "attribute_is_custom": True,
                                   "attribute_values": [{"value": "8938505974194", "is_selected": True,
                                                         "is_custom": True}]}]


@responses.activate
def test_a_product_with_no_stock_is_created_off_sale(make_connector):
    responses.post(PRODUCT, json=ok(31000002))

    make_connector(Channel.SENDO).create(sample_content(stock=0))

    assert json.loads(responses.calls[0].request.body)["stock_availability"] is False


@responses.activate
def test_updates_go_by_field_mask_and_read_nothing_first(make_connector):
    responses.post(f"{PRODUCT}/update-by-field-mask", json=ok([{"id": 31, "success": True, "error": None}]))
    connector = make_connector(Channel.SENDO)

    connector.update("31", sample_content(title="Mật ong hoa nhãn mùa mới"))
    connector.update_price_stock("31", 199000, 0, seller_sku="OCOP-DT-0001")
    connector.unlist("31")

    content, price_stock, off_sale = (json.loads(call.request.body) for call in responses.calls)
    assert content[0]["id"] == 31 and content[0]["name"] == "Mật ong hoa nhãn mùa mới"
    assert set(content[0]["field_mask"]) == {"name", "description", "cat_4_id", "avatar", "pictures", "attributes",
                                             "weight", "length", "width", "height"}
    assert price_stock == [{"id": 31, "field_mask": ["price", "stock_quantity", "stock_availability"],
                            "price": 199000, "stock_quantity": 0, "stock_availability": False}]
    assert off_sale == [{"id": 31, "field_mask": ["stock_availability"], "stock_availability": False}]


@responses.activate
def test_a_field_mask_refused_for_the_product_is_rejected_with_the_reason(make_connector):
    responses.post(f"{PRODUCT}/update-by-field-mask", json=ok([
        {"id": 31, "success": False, "error": "Product 31 is pending review (status 1): it cannot be updated."}]))

    with pytest.raises(Rejected, match="pending review"):
        make_connector(Channel.SENDO).update_price_stock("31", 199000, 5, seller_sku="OCOP-DT-0001")


@responses.activate
def test_search_follows_the_next_token_skips_deleted_and_reads_off_sale_as_unlisted(make_connector):
    responses.post(f"{PRODUCT}/search", json=ok({"data": [product(1, "SKU-1"), product(2, "SKU-2", status=5)],
                                                 "next_token": "page-2", "total_records": 3}),
                   match=[responses.matchers.json_params_matcher({"page_size": 50, "status": None})])
    responses.post(f"{PRODUCT}/search", json=ok({"data": [product(3, "SKU-3", stock_availability=False)],
                                                 "next_token": None, "total_records": 3}),
                   match=[responses.matchers.json_params_matcher({"page_size": 50, "token": "page-2"})])

    listings = list(make_connector(Channel.SENDO).iter_listings())

    assert [item.remote_id for item in listings] == ["1", "3"]
    first, last = listings
    assert (first.status, first.platform_status, first.price_vnd, first.stock) == (ListingStatus.LIVE, "2", 185000, 40)
    assert (last.status, last.platform_status) == (ListingStatus.INACTIVE, "2/stock_availability=false")


@responses.activate
def test_find_by_seller_sku_is_an_exact_match_and_none_when_absent(make_connector):
    responses.get(PRODUCT, json=ok(product(7, "OCOP-DT-0001", status=3, reject_reason="Ảnh mờ")),
                  match=[responses.matchers.query_param_matcher({"sku": "OCOP-DT-0001"})])
    responses.get(PRODUCT, status=404, json=failure(404, "Không tìm thấy sản phẩm"),
                  match=[responses.matchers.query_param_matcher({"sku": "NOBODY"})])
    responses.get(PRODUCT, status=404, json=failure(404, "Không tìm thấy sản phẩm"),
                  match=[responses.matchers.query_param_matcher({"id": "404404"})])
    connector = make_connector(Channel.SENDO)

    found = connector.find_by_seller_sku("OCOP-DT-0001")

    assert (found.remote_id, found.status, found.reject_reason) == ("7", ListingStatus.REJECTED, "Ảnh mờ")
    assert connector.find_by_seller_sku("NOBODY") is None
    with pytest.raises(NotFound):
        connector.get("404404")


@pytest.mark.parametrize(("status", "body", "error_class"), [
    (400, failure(400, "name must be 10 to 255 characters."), Rejected),
    (429, failure(429, "Too many requests."), RateLimited),
    (500, failure(500, "Internal server error."), TransientError),
])
@responses.activate
def test_platform_failures_are_classified_by_their_status(make_connector, status, body, error_class):
    responses.get(PRODUCT, status=status, json=body, headers={"Retry-After": "90"} if status == 429 else {})

    with pytest.raises(error_class) as raised:
        make_connector(Channel.SENDO).get("31")

    assert raised.value.code == str(status) and raised.value.message == body["error"]["message"]


@responses.activate
def test_a_duplicate_seller_sku_is_recognised_in_the_refusal(make_connector):
    responses.post(PRODUCT, status=400, json=failure(400, "sku OCOP-DT-0001 already exists in this shop (product 7)."))
    connector = make_connector(Channel.SENDO)

    with pytest.raises(Rejected) as refused:
        connector.create(sample_content())

    assert connector.is_duplicate_sku(refused.value)
    assert not connector.is_duplicate_sku(Rejected("name must be 10 to 255 characters.", code="400"))
