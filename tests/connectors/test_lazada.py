"""Lazada Open API connector against `responses`: the published signing vector, mapping, pagination and
the platform's error bodies."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from connectors import lazada
from connectors.errors import AuthError, NotFound, RateLimited, Rejected, TransientError
from connectors.types import ListingStatus
from ocop.channels import Channel
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET, FIXED_TIME, sample_content

REST = "https://api.lazada.vn/rest"


def ok(data: dict) -> dict:
    return {"code": "0", "data": data, "request_id": "0ba2887315178178017221014"}


def failure(code: str, message: str, kind: str = "ISV") -> dict:
    return {"type": kind, "code": code, "message": message, "request_id": "0bb3f0e317c1"}


def product(item_id: int, sku: str, status: str = "Active", **sku_fields) -> dict:
    return {"item_id": item_id, "status": status, "updated_time": "1767225600000",
            "attributes": {"name": f"Item {item_id}", "description": "<p>mô tả</p>"},
            "skus": [{"SellerSku": sku, "SkuId": item_id * 10, "price": "185000.00", "quantity": 40,
                      "Status": status.lower(), **sku_fields}]}


def form_of(call) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(call.request.body).items()}


def test_signature_matches_the_published_vector():
    params = {"access_token": "test", "app_key": "123456", "order_id": "1234",
              "sign_method": "sha256", "timestamp": "1517820392000"}

    assert lazada.sign("helloworld", "/order/get", params) == \
        "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"


@responses.activate
def test_get_sends_signed_system_parameters_in_the_query(make_connector):
    responses.get(f"{REST}/product/item/get", json=ok(product(3001, "OCOP-DT-0001")))

    make_connector(Channel.LAZADA).get("3001")

    query = {name: values[0] for name, values in parse_qs(urlsplit(responses.calls[0].request.url).query).items()}
    assert query["timestamp"] == str(int(FIXED_TIME * 1000))
    assert query["sign_method"] == "sha256" and query["access_token"] == ACCESS_TOKEN
    unsigned = {name: value for name, value in query.items() if name != "sign"}
    assert query["sign"] == lazada.sign(APP_SECRET, "/product/item/get", unsigned)
    assert query["item_id"] == "3001"


@responses.activate
def test_create_posts_a_signed_form_with_the_product_payload(make_connector):
    responses.post(f"{REST}/product/create", json=ok({
        "item_id": 3001, "sku_list": [{"seller_sku": "OCOP-DT-0001", "shop_sku": "3001_VNAMZ-1", "sku_id": 30010}]}))

    result = make_connector(Channel.LAZADA).create(sample_content())

    assert (result.remote_id, result.remote_sku_id) == ("3001", "30010")
    form = form_of(responses.calls[0])
    assert form["sign"] == lazada.sign(APP_SECRET, "/product/create", {k: v for k, v in form.items() if k != "sign"})
    product_payload = json.loads(form["payload"])["Request"]["Product"]
    assert product_payload["PrimaryCategory"] == "100629"
    assert product_payload["Images"] == {"Image": ["img-cover", "img-2"]}
    attributes = product_payload["Attributes"]
    assert attributes["name"].startswith("Mật ong") and attributes["brand"] == "No Brand"
    assert "8938505974194" in attributes["description"]          # no GTIN field: buyers read it here
    sku = product_payload["Skus"]["Sku"][0]
    assert sku["SellerSku"] == "OCOP-DT-0001" and sku["barcode"] == "8938505974194"
    assert (sku["price"], sku["quantity"], sku["package_weight"]) == (185000, 40, 0.65)
    assert (sku["package_length"], sku["package_width"], sku["package_height"]) == (12, 8, 8)


@responses.activate
def test_update_names_the_existing_sku_and_leaves_price_and_quantity_alone(make_connector):
    responses.get(f"{REST}/product/item/get", json=ok(product(3001, "OCOP-DT-0001")))
    responses.post(f"{REST}/product/update", json=ok({}))

    make_connector(Channel.LAZADA).update("3001", sample_content(title="Mật ong hoa nhãn mới"))

    product_payload = json.loads(form_of(responses.calls[1])["payload"])["Request"]["Product"]
    sku = product_payload["Skus"]["Sku"][0]
    assert product_payload["ItemId"] == "3001" and sku["SkuId"] == "30010"
    assert "price" not in sku and "quantity" not in sku


@responses.activate
def test_price_and_quantity_update_by_seller_sku(make_connector):
    responses.post(f"{REST}/product/price_quantity/update", json=ok({}))

    make_connector(Channel.LAZADA).update_price_stock("3001", 199000, 12, seller_sku="OCOP-DT-0001")

    sku = json.loads(form_of(responses.calls[0])["payload"])["Request"]["Product"]["Skus"]["Sku"][0]
    assert sku == {"ItemId": "3001", "SellerSku": "OCOP-DT-0001", "Price": 199000, "Quantity": 12}


@responses.activate
def test_listing_pages_by_offset_until_the_total(make_connector):
    pages = {0: [product(i, f"SKU-{i}") for i in range(1, 51)], 50: [product(51, "SKU-51", "InActive")]}
    for offset, products in pages.items():
        responses.get(f"{REST}/products/get", json=ok({"total_products": 51, "products": products}),
                      match=[matchers.query_param_matcher({"offset": str(offset), "filter": "all"}, strict_match=False)])

    listings = list(make_connector(Channel.LAZADA).iter_listings())

    assert len(listings) == 51 and len(responses.calls) == 2
    last = listings[-1]
    assert (last.remote_id, last.seller_sku, last.remote_sku_id) == ("51", "SKU-51", "510")
    assert (last.status, last.platform_status, last.price_vnd, last.stock) == (ListingStatus.INACTIVE, "InActive", 185000, 40)


@responses.activate
def test_find_by_seller_sku_filters_on_the_platform(make_connector):
    responses.get(f"{REST}/products/get", json=ok({"total_products": 1, "products": [
        product(3001, "OCOP-DT-0001", barcode="8938505974194")]}))

    found = make_connector(Channel.LAZADA).find_by_seller_sku("OCOP-DT-0001")

    assert found is not None and found.gtin == "8938505974194"
    query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert json.loads(query["sku_seller_list"][0]) == ["OCOP-DT-0001"]


@responses.activate
def test_deleted_products_are_not_listed(make_connector):
    responses.get(f"{REST}/products/get", json=ok({"total_products": 1, "products": [product(3001, "OCOP-DT-0001", "Deleted")]}))

    assert make_connector(Channel.LAZADA).find_by_seller_sku("OCOP-DT-0001") is None


@responses.activate
def test_unlist_relist_and_delete_address_the_products_sku(make_connector):
    responses.get(f"{REST}/product/item/get", json=ok(product(3001, "OCOP-DT-0001")))
    for api in ("/product/deactivate", "/product/update", "/product/remove"):
        responses.post(f"{REST}{api}", json=ok({}))
    connector = make_connector(Channel.LAZADA)

    connector.unlist("3001")
    connector.relist("3001")
    connector.delete("3001")

    writes = [c for c in responses.calls if c.request.method == "POST"]
    deactivate = json.loads(form_of(writes[0])["apiRequestBody"])["Request"]["Product"]
    assert deactivate == {"ItemId": "3001", "Skus": {"SellerSku": ["OCOP-DT-0001"]}}
    relist = json.loads(form_of(writes[1])["payload"])["Request"]["Product"]["Skus"]["Sku"][0]
    assert relist["Status"] == "active" and relist["SkuId"] == "30010"
    assert json.loads(form_of(writes[2])["seller_sku_list"]) == ["OCOP-DT-0001"]


@pytest.mark.parametrize("body, error_class", [
    (failure("IncompleteSignature", "The request signature does not conform to lazada standards"), AuthError),
    (failure("IllegalAccessToken", "The specified access token is invalid or expired"), AuthError),
    (failure("E001", "Mandatory parameter is missing: brand"), Rejected),
    (failure("201", "Invalid category"), Rejected),
    (failure("4105", "SellerSku OCOP-DT-0001 already exists"), Rejected),
    (failure("4104", "Price precision is not valid"), Rejected),
    (failure("MissingParameter", "The input parameter \"payload\" that is mandatory for processing this request is not supplied"), Rejected),
])
@responses.activate
def test_platform_error_bodies_are_classified(make_connector, sleeps, body, error_class):
    responses.post(f"{REST}/product/create", json=body)

    with pytest.raises(error_class) as raised:
        make_connector(Channel.LAZADA).create(sample_content())

    assert (raised.value.code, raised.value.message) == (body["code"], body["message"])
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_api_call_limit_waits_the_announced_ban(make_connector, sleeps):
    responses.get(f"{REST}/product/item/get", json=failure(
        "ApiCallLimit", "The request has exceeded the limit of calls allowed, this ban will last 3 seconds", "ISP"))
    responses.get(f"{REST}/product/item/get", json=ok(product(3001, "OCOP-DT-0001")))

    make_connector(Channel.LAZADA).get("3001")

    assert sleeps == [3.0]


@responses.activate
def test_a_ban_longer_than_the_policy_allows_goes_to_the_caller(make_connector, sleeps):
    responses.get(f"{REST}/product/item/get", json=failure(
        "ApiCallLimit", "The request has exceeded the limit of calls allowed, this ban will last 3600 seconds", "ISP"))

    with pytest.raises(RateLimited) as raised:
        make_connector(Channel.LAZADA).get("3001")

    assert raised.value.retry_after == 3600.0 and sleeps == []


@responses.activate
def test_system_errors_are_transient(make_connector):
    responses.get(f"{REST}/product/item/get", status=500, json=failure("InternalError", "The request has failed due to an internal error.", "ISP"))

    with pytest.raises(TransientError):
        make_connector(Channel.LAZADA).get("3001")

    assert len(responses.calls) == 4


@responses.activate
def test_rejected_product_carries_the_qc_reason(make_connector):
    responses.get(f"{REST}/product/item/get", json=ok(product(3001, "OCOP-DT-0001", "Rejected")))
    responses.get(f"{REST}/product/qc/status/get", json=ok([
        {"seller_sku": "OCOP-DT-0001", "item_id": 3001, "status": "rejected", "reason": "Images do not match the title"}]))

    listing = make_connector(Channel.LAZADA).get("3001")

    assert listing.status == ListingStatus.REJECTED
    assert listing.reject_reason == "Images do not match the title"
    assert json.loads(parse_qs(urlsplit(responses.calls[1].request.url).query)["seller_skus"][0]) == ["OCOP-DT-0001"]


@pytest.mark.parametrize("body", [
    failure("InvalidParameter", "Invalid timestamp: it must be in milliseconds, within 7200 seconds of UTC."),
    failure("MissingParameter", "The input parameter \"access_token\" that is mandatory for processing this request is not supplied."),
])
@responses.activate
def test_a_bad_system_parameter_stops_the_shop(make_connector, body):
    responses.get(f"{REST}/product/item/get", json=body)

    with pytest.raises(AuthError):
        make_connector(Channel.LAZADA).get("3001")


@responses.activate
def test_missing_product_is_not_found(make_connector):
    responses.get(f"{REST}/product/item/get", json=failure("ITEM_NOT_FOUND", "Item 999 does not exist in this shop."))

    with pytest.raises(NotFound):
        make_connector(Channel.LAZADA).get("999")
