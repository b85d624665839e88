"""Shopee v2 connector against `responses`: signing, mapping, pagination and the platform's error bodies."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from connectors.errors import AuthError, NotFound, RateLimited, Rejected, TransientError
from connectors.types import ListingStatus
from ocop.channels import Channel
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET, FIXED_TIME, sample_content

HOST = "https://partner.shopeemobile.com"
ITEM_LIST = f"{HOST}/api/v2/product/get_item_list"
BASE_INFO = f"{HOST}/api/v2/product/get_item_base_info"
ADD_ITEM = f"{HOST}/api/v2/product/add_item"


def ok(response: dict) -> dict:
    return {"request_id": "f3a1c0de", "error": "", "message": "", "warning": "", "response": response}


def failure(error: str, message: str) -> dict:
    return {"request_id": "e2b9aa01", "error": error, "message": message}


def query_of(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def base_info_item(item_id: int, sku: str, status: str = "NORMAL", gtin: str = "00") -> dict:
    return {"item_id": item_id, "item_sku": sku, "item_status": status, "item_name": f"Item {item_id}",
            "description": "mô tả", "gtin_code": gtin, "update_time": 1767225600,
            "price_info": [{"currency": "VND", "original_price": 185000.0, "current_price": 185000.0}],
            "stock_info_v2": {"summary_info": {"total_available_stock": 40}, "seller_stock": [{"stock": 40}]}}


@responses.activate
def test_shop_call_is_signed_over_partner_path_timestamp_token_and_shop(make_connector):
    responses.get(BASE_INFO, json=ok({"item_list": [base_info_item(800001, "OCOP-DT-0001")]}))

    make_connector(Channel.SHOPEE).get("800001")

    query = query_of(responses.calls[0])
    timestamp = str(int(FIXED_TIME))
    base_string = "2001887" + "/api/v2/product/get_item_base_info" + timestamp + ACCESS_TOKEN + "14701711"
    expected = hmac.new(APP_SECRET.encode("utf-8"), base_string.encode("utf-8"), hashlib.sha256).hexdigest()
    assert query["sign"] == [expected]
    assert query["partner_id"] == ["2001887"] and query["shop_id"] == ["14701711"]
    assert query["timestamp"] == [timestamp] and query["access_token"] == [ACCESS_TOKEN]
    assert query["item_id_list"] == ["800001"]


@responses.activate
def test_image_upload_is_an_app_level_call_signed_without_token_and_shop(make_connector):
    responses.post(f"{HOST}/api/v2/media_space/upload_image", json=ok({"image_info": {"image_id": "vn-1"}}))

    assert make_connector(Channel.SHOPEE).upload_image(b"\xff\xd8jpeg", "cover.jpg") == "vn-1"

    query = query_of(responses.calls[0])
    timestamp = str(int(FIXED_TIME))
    base_string = "2001887" + "/api/v2/media_space/upload_image" + timestamp
    assert query["sign"] == [hmac.new(APP_SECRET.encode(), base_string.encode(), hashlib.sha256).hexdigest()]
    assert "access_token" not in query and "shop_id" not in query
    assert b'name="image"; filename="cover.jpg"' in responses.calls[0].request.body


@responses.activate
def test_create_sends_common_parameters_in_query_and_the_item_as_json(make_connector):
    responses.post(ADD_ITEM, json=ok({"item_id": 800001}))

    result = make_connector(Channel.SHOPEE).create(sample_content())

    assert result.remote_id == "800001"
    request = responses.calls[0].request
    assert set(query_of(responses.calls[0])) == {"partner_id", "timestamp", "access_token", "shop_id", "sign"}
    body = json.loads(request.body)
    assert body["item_sku"] == "OCOP-DT-0001"
    assert body["gtin_code"] == "8938505974194"
    assert body["original_price"] == 185000 and body["seller_stock"] == [{"stock": 40}]
    assert body["weight"] == 0.65 and body["category_id"] == 100629
    assert body["dimension"] == {"package_length": 12, "package_width": 8, "package_height": 8}
    assert body["image"] == {"image_id_list": ["img-cover", "img-2"]}
    assert body["logistic_info"] == [{"logistic_id": 50011, "enabled": True}]
    assert body["brand"] == {"brand_id": 0, "original_brand_name": "No Brand"}
    assert "attribute_list" not in body


@responses.activate
def test_attributes_go_by_value_id_or_as_free_text_and_a_listed_brand_by_its_id(make_connector):
    responses.post(ADD_ITEM, json=ok({"item_id": 800003}))
    responses.get(f"{HOST}/api/v2/product/get_brand_list", json=ok({
        "brand_list": [{"brand_id": 1149, "original_brand_name": "Honeyland", "display_brand_name": "Honeyland"}],
        "has_next_page": False, "next_offset": 0}))
    responses.get(f"{HOST}/api/v2/product/get_attribute_tree", json=ok({"list": [{"category_id": 100670, "attribute_tree": [
        {"attribute_id": 100037, "mandatory": True, "name": "Country of Origin",
         "attribute_value_list": [{"value_id": 1000, "name": "Việt Nam"}], "attribute_info": {"input_type": 1}},
        {"attribute_id": 100010, "mandatory": True, "name": "Weight", "attribute_value_list": [],
         "attribute_info": {"input_type": 3}}]}]}))

    make_connector(Channel.SHOPEE).create(sample_content(
        category_id="100670", brand="Honeyland",
        attributes={"100037": "Việt Nam", "100010": "500 g", "province": "Đồng Tháp"}))

    body = json.loads(responses.calls[-1].request.body)
    assert body["brand"] == {"brand_id": 1149, "original_brand_name": "Honeyland"}
    assert body["attribute_list"] == [
        {"attribute_id": 100037, "attribute_value_list": [{"value_id": 1000}]},
        {"attribute_id": 100010, "attribute_value_list": [{"value_id": 0, "original_value_name": "500 g"}]}]


@responses.activate
def test_product_without_gtin_is_sent_with_shopees_no_gtin_code(make_connector):
    responses.post(ADD_ITEM, json=ok({"item_id": 800002}))

    make_connector(Channel.SHOPEE).create(sample_content(gtin=None, gtin_type=None))

    assert json.loads(responses.calls[0].request.body)["gtin_code"] == "00"


@responses.activate
def test_logistics_channels_are_read_from_the_shop_when_not_configured(make_connector):
    responses.get(f"{HOST}/api/v2/logistics/get_channel_list", json=ok({"logistics_channel_list": [
        {"logistics_channel_id": 50018, "enabled": True}, {"logistics_channel_id": 50021, "enabled": False}]}))
    responses.post(ADD_ITEM, json=ok({"item_id": 800003}))

    make_connector(Channel.SHOPEE, logistic_ids=()).create(sample_content())

    assert json.loads(responses.calls[1].request.body)["logistic_info"] == [{"logistic_id": 50018, "enabled": True}]


@responses.activate
def test_listing_follows_offsets_and_reads_items_fifty_at_a_time(make_connector):
    first_ids = list(range(1, 101))
    responses.get(ITEM_LIST, match=[matchers.query_param_matcher({"offset": "0"}, strict_match=False)],
                  json=ok({"item": [{"item_id": i, "item_status": "NORMAL"} for i in first_ids],
                           "total_count": 101, "has_next_page": True, "next_offset": 100}))
    responses.get(ITEM_LIST, match=[matchers.query_param_matcher({"offset": "100"}, strict_match=False)],
                  json=ok({"item": [{"item_id": 101, "item_status": "UNLIST"}],
                           "total_count": 101, "has_next_page": False, "next_offset": 101}))

    def base_info(request):
        ids = parse_qs(urlsplit(request.url).query)["item_id_list"][0].split(",")
        items = [base_info_item(int(i), f"SKU-{i}", "UNLIST" if i == "101" else "NORMAL") for i in ids]
        return 200, {}, json.dumps(ok({"item_list": items}))

    responses.add_callback(responses.GET, BASE_INFO, callback=base_info)

    listings = list(make_connector(Channel.SHOPEE).iter_listings())

    assert [item.remote_id for item in listings] == [str(i) for i in range(1, 102)]
    batch_sizes = [len(query_of(c)["item_id_list"][0].split(",")) for c in responses.calls if c.request.url.startswith(BASE_INFO)]
    assert batch_sizes == [50, 50, 1]
    assert query_of(responses.calls[0])["item_status"] == ["NORMAL", "REVIEWING", "UNLIST", "BANNED"]
    last = listings[-1]
    assert (last.status, last.platform_status, last.seller_sku) == (ListingStatus.INACTIVE, "UNLIST", "SKU-101")
    assert (last.price_vnd, last.stock, last.gtin) == (185000, 40, None)


@responses.activate
def test_find_by_seller_sku_searches_then_picks_the_exact_sku(make_connector):
    responses.get(f"{HOST}/api/v2/product/search_item", json=ok({"item_id_list": [7, 8], "total_count": 2}))
    responses.get(BASE_INFO, json=ok({"item_list": [base_info_item(7, "OCOP-DT-00012"), base_info_item(8, "OCOP-DT-0001")]}))

    found = make_connector(Channel.SHOPEE).find_by_seller_sku("OCOP-DT-0001")

    assert found is not None and found.remote_id == "8"
    assert query_of(responses.calls[0])["item_sku"] == ["OCOP-DT-0001"]
    assert query_of(responses.calls[1])["item_id_list"] == ["7,8"]


@responses.activate
def test_find_by_seller_sku_follows_search_offsets_and_ignores_deleted_items(make_connector):
    search = f"{HOST}/api/v2/product/search_item"
    responses.get(search, match=[matchers.query_param_matcher({"offset": "0"}, strict_match=False)],
                  json=ok({"item_id_list": [7], "total_count": 2, "next_offset": "1"}))
    responses.get(search, match=[matchers.query_param_matcher({"offset": "1"}, strict_match=False)],
                  json=ok({"item_id_list": [9], "total_count": 2}))
    responses.get(BASE_INFO, json=ok({"item_list": [base_info_item(7, "OCOP-DT-0001", "SELLER_DELETE")]}))
    responses.get(BASE_INFO, json=ok({"item_list": [base_info_item(9, "OCOP-DT-0001")]}))

    found = make_connector(Channel.SHOPEE).find_by_seller_sku("OCOP-DT-0001")

    assert found is not None and found.remote_id == "9"


@responses.activate
def test_duplicate_item_sku_refusal_is_recognised(make_connector):
    responses.post(ADD_ITEM, json=failure("error_param", "item_sku 'OCOP-DT-0001' is already used by item 800001 in this shop."))
    connector = make_connector(Channel.SHOPEE)

    with pytest.raises(Rejected) as raised:
        connector.create(sample_content())

    assert connector.is_duplicate_sku(raised.value)


@responses.activate
def test_price_and_stock_go_to_their_own_endpoints(make_connector):
    responses.post(f"{HOST}/api/v2/product/update_price", json=ok({"success_list": [{"model_id": 0}], "failure_list": []}))
    responses.post(f"{HOST}/api/v2/product/update_stock", json=ok({"success_list": [{"model_id": 0}], "failure_list": []}))

    make_connector(Channel.SHOPEE).update_price_stock("800001", 199000, 12, seller_sku="OCOP-DT-0001")

    assert json.loads(responses.calls[0].request.body) == {
        "item_id": 800001, "price_list": [{"model_id": 0, "original_price": 199000}]}
    assert json.loads(responses.calls[1].request.body) == {
        "item_id": 800001, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 12}]}]}


@responses.activate
def test_unlist_and_relist_toggle_the_unlist_flag(make_connector):
    responses.post(f"{HOST}/api/v2/product/unlist_item", json=ok({"success_list": [{"item_id": 800001}], "failure_list": []}))
    connector = make_connector(Channel.SHOPEE)

    connector.unlist("800001")
    connector.relist("800001")

    flags = [json.loads(c.request.body)["item_list"][0]["unlist"] for c in responses.calls]
    assert flags == [True, False]


@responses.activate
def test_a_failure_list_entry_is_raised(make_connector):
    responses.post(f"{HOST}/api/v2/product/unlist_item", json=ok({"success_list": [], "failure_list": [
        {"item_id": 800001, "failed_reason": "Item status is banned, cannot be unlisted"}]}))

    with pytest.raises(Rejected, match="banned"):
        make_connector(Channel.SHOPEE).unlist("800001")


@pytest.mark.parametrize("http_status, body, error_class", [
    (200, failure("error_sign", "Wrong sign."), AuthError),
    (403, failure("error_auth", "Invalid access_token."), AuthError),
    (200, failure("error_param", "Invalid timestamp."), AuthError),
    (200, failure("error_title_exceeds_max_length", "Item name exceeds the max length 120."), Rejected),
    (200, failure("error_param_validate", "gtin_code is not a valid GTIN."), Rejected),
    (200, failure("error_invalid_category", "Category is invalid."), Rejected),
    (200, failure("product.error_item_not_found", "Item not found."), NotFound),
])
@responses.activate
def test_platform_error_bodies_are_classified(make_connector, sleeps, http_status, body, error_class):
    responses.post(ADD_ITEM, status=http_status, json=body)

    with pytest.raises(error_class) as raised:
        make_connector(Channel.SHOPEE).create(sample_content())

    assert raised.value.code == body["error"] and raised.value.message == body["message"]
    assert raised.value.request_id == body["request_id"]
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_server_error_is_retried_with_backoff_then_raised_as_transient(make_connector, sleeps):
    responses.get(BASE_INFO, status=500, json=failure("error_server", "Internal server error."))

    with pytest.raises(TransientError):
        make_connector(Channel.SHOPEE).get("800001")

    assert len(responses.calls) == 4
    assert sleeps == [0.375, 0.75, 1.5]     # equal jitter at rand=0.5 over 0.5, 1, 2 s


@responses.activate
def test_too_many_requests_waits_then_succeeds(make_connector, sleeps):
    responses.get(BASE_INFO, status=429, json=failure("error_server", "Too many requests."), headers={"Retry-After": "2"})
    responses.get(BASE_INFO, json=ok({"item_list": [base_info_item(800001, "OCOP-DT-0001")]}))

    listing = make_connector(Channel.SHOPEE).get("800001")

    assert listing.remote_id == "800001"
    assert sleeps == [2.0]


@responses.activate
def test_too_many_requests_that_persist_are_raised_with_the_wait(make_connector):
    responses.get(BASE_INFO, status=429, json=failure("error_server", "Too many requests."))

    with pytest.raises(RateLimited) as raised:
        make_connector(Channel.SHOPEE).get("800001")

    assert raised.value.retry_after == 1.0


@responses.activate
def test_banned_item_carries_the_violation_reason(make_connector):
    responses.get(BASE_INFO, json=ok({"item_list": [base_info_item(800001, "OCOP-DT-0001", "BANNED")]}))
    responses.get(f"{HOST}/api/v2/product/get_item_violation_info", json=ok({"item_list": [
        {"item_id": 800001, "item_status": "BANNED", "item_status_details": [
            {"violation_type": "Prohibited Listing", "violation_reason": "Listing contains prohibited claims"}]}]}))

    listing = make_connector(Channel.SHOPEE).get("800001")

    assert listing.status == ListingStatus.REJECTED
    assert listing.reject_reason == "Listing contains prohibited claims"


@responses.activate
def test_get_of_an_unknown_item_is_not_found(make_connector):
    responses.get(BASE_INFO, json=ok({"item_list": []}))

    with pytest.raises(NotFound):
        make_connector(Channel.SHOPEE).get("999")
