"""Tiki Open API connector against `responses`: signing in with the client credentials, a create as a
product request tracked until approved or rejected, a seller SKU found among products and requests
under review, price and stock by updateSku."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from urllib.parse import parse_qs

import responses
from pydantic import SecretStr

from connectors import tiki
from connectors.types import ListingStatus
from ocop.channels import Channel
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET, FIXED_TIME, sample_content, shop_config

HOST = "https://api.tiki.vn"
REQUESTS = f"{HOST}/integration/v2.1/requests"
TRACKING = f"{HOST}/integration/v2/tracking"
REQUEST_LIST = f"{HOST}/integration/v2/requests"
FIND_BY = f"{HOST}/integration/v2/products/findBy"
TRACK_ID = "9f3c2a71d0b84e6c8a5f1e2d3c4b5a69"
WAREHOUSE = 371835


def product(product_id: int, sku: str = "OCOP-DT-0001", active: int = 1) -> dict:
    return {"id": product_id, "product_id": product_id, "original_sku": sku, "name": "Mật ong hoa nhãn",
            "active": active, "price": 185000, "attributes": {"gtin": "8938505974194"},
            "inventory": {"warehouse_quantities": [{"warehouse_id": WAREHOUSE, "qty_available": 40}]}}


def request(track_id: str, state: str, sku: str = "OCOP-DT-0001", created_at: int = 1767225600, **fields) -> dict:
    return {"track_id": track_id, "request_id": 9000001, "state": state, "original_sku": sku,
            "created_at": created_at, **fields}


def page(rows: list[dict]) -> dict:
    return {"data": rows, "paging": {"total": len(rows), "current_page": 1, "last_page": 1}}


@responses.activate
def test_a_shop_without_an_access_token_signs_in_with_its_client_credentials_and_calls_with_the_bearer():
    responses.post(f"{HOST}/sc/oauth2/token", json={"access_token": "signed-in-token", "expires_in": 3600,
                                                    "token_type": "bearer"})
    responses.get(FIND_BY, json=product(270000001))
    shop = shop_config(Channel.TIKI)
    shop = replace(shop, credentials=replace(shop.credentials, access_token=SecretStr("")))
    connector = tiki.TikiConnector(shop, clock=lambda: FIXED_TIME, warehouse_id=str(WAREHOUSE))

    found = connector.find_by_seller_sku("OCOP-DT-0001")

    sign_in, call = responses.calls
    assert base64.b64decode(sign_in.request.headers["Authorization"][6:]).decode() == f"2001887:{APP_SECRET}"
    assert parse_qs(sign_in.request.body)["grant_type"] == ["client_credentials"]
    assert call.request.headers["Authorization"] == "Bearer signed-in-token"
    assert found.remote_id == "270000001"
    connector.close()


@responses.activate
def test_a_create_is_a_request_tracked_once_and_approved_is_the_product(make_connector):
    responses.post(REQUESTS, json={"track_id": TRACK_ID, "state": "queuing"})
    responses.get(f"{TRACKING}/{TRACK_ID}", json=request(TRACK_ID, "approved", product_id=270000001))
    responses.get(f"{HOST}/integration/v2.1/products/270000001", json=product(270000001))

    created = make_connector(Channel.TIKI).create(sample_content())

    assert (created.remote_id, created.tracking_id) == ("270000001", None)
    sent = json.loads(responses.calls[0].request.body)
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert sent["variants"][0]["sku"] == "OCOP-DT-0001"
    assert sent["variants"][0]["warehouse_stocks"] == [{"warehouseId": WAREHOUSE, "qtyAvailable": 40}]
    assert (sent["image"], sent["images"]) == ("img-cover", ["img-2"])
    assert sent["attributes"]["gtin"] == "8938505974194"


@responses.activate
def test_a_create_still_in_review_answers_the_request_by_its_track_id(make_connector):
    responses.post(REQUESTS, json={"track_id": TRACK_ID, "state": "queuing"})
    responses.get(f"{TRACKING}/{TRACK_ID}", json=request(TRACK_ID, "md_awaiting_approve"))

    created = make_connector(Channel.TIKI).create(sample_content())

    assert (created.remote_id, created.tracking_id) == (TRACK_ID, TRACK_ID)


@responses.activate
def test_a_create_whose_tracking_read_fails_still_answers_the_submitted_request(make_connector):
    responses.post(REQUESTS, json={"track_id": TRACK_ID, "state": "queuing"})
    responses.get(f"{TRACKING}/{TRACK_ID}", status=503, json={"errors": ["Service unavailable"]})

    created = make_connector(Channel.TIKI).create(sample_content())

    assert created.tracking_id == TRACK_ID
    assert len([call for call in responses.calls if call.request.method == "POST"]) == 1


@responses.activate
def test_a_rejected_request_reads_as_rejected_with_tikis_reasons(make_connector):
    responses.get(f"{TRACKING}/{TRACK_ID}", json=request(
        TRACK_ID, "rejected", reasons=["Hình ảnh không rõ ràng", "Thiếu giấy chứng nhận"]))

    rejected = make_connector(Channel.TIKI).get(TRACK_ID)

    assert (rejected.status, rejected.platform_status, rejected.tracking_id) == (
        ListingStatus.REJECTED, "rejected", TRACK_ID)
    assert rejected.reject_reason == "Hình ảnh không rõ ràng; Thiếu giấy chứng nhận"


@responses.activate
def test_a_seller_sku_is_found_among_products_first(make_connector):
    responses.get(FIND_BY, json=product(270000001, active=0))

    found = make_connector(Channel.TIKI).find_by_seller_sku("OCOP-DT-0001")

    assert (found.remote_id, found.status, found.tracking_id) == ("270000001", ListingStatus.INACTIVE, None)
    assert not any(call.request.url.startswith(REQUEST_LIST) for call in responses.calls)


@responses.activate
def test_a_seller_sku_no_product_holds_is_found_among_the_requests_under_review_only(make_connector):
    responses.get(FIND_BY, status=404, json={"errors": ["No product with original_sku OCOP-DT-0001"]})
    responses.get(REQUEST_LIST, json=page([request("a" * 32, "rejected"), request(TRACK_ID, "queuing")]))
    connector = make_connector(Channel.TIKI)

    pending = connector.find_by_seller_sku("OCOP-DT-0001")

    assert (pending.remote_id, pending.tracking_id, pending.status) == (TRACK_ID, TRACK_ID, ListingStatus.UNDER_REVIEW)
    lookup = next(call for call in responses.calls if call.request.url.startswith(REQUEST_LIST))
    assert "original_sku=OCOP-DT-0001" in lookup.request.url


@responses.activate
def test_a_seller_sku_with_only_a_rejected_request_is_not_found(make_connector):
    responses.get(FIND_BY, status=404, json={"errors": ["No product with original_sku OCOP-DT-0001"]})
    responses.get(REQUEST_LIST, json=page([request(TRACK_ID, "rejected", reason="Sai danh mục")]))

    assert make_connector(Channel.TIKI).find_by_seller_sku("OCOP-DT-0001") is None


@responses.activate
def test_listing_gives_each_seller_skus_latest_request_and_none_once_a_product_holds_it(make_connector):
    responses.get(f"{HOST}/integration/v2/products", json=page([product(270000001, "SKU-LIVE")]))
    responses.get(REQUEST_LIST, json=page([
        request("1" * 32, "rejected", "SKU-LIVE", created_at=100),            # replaced by the product
        request("2" * 32, "rejected", "SKU-AGAIN", created_at=100),           # replaced by a new request
        request("3" * 32, "queuing", "SKU-AGAIN", created_at=200),
        request("4" * 32, "rejected", "SKU-REFUSED", created_at=300, reason="Sai danh mục"),
    ]))

    listed = {(item.seller_sku, item.remote_id, item.status) for item in make_connector(Channel.TIKI).iter_listings()}

    assert listed == {("SKU-LIVE", "270000001", ListingStatus.LIVE),
                      ("SKU-AGAIN", "3" * 32, ListingStatus.UNDER_REVIEW),
                      ("SKU-REFUSED", "4" * 32, ListingStatus.REJECTED)}


@responses.activate
def test_price_and_stock_go_by_update_sku_to_the_shops_warehouse(make_connector):
    responses.put(f"{HOST}/integration/v2/products/updateSku", json={"state": "approved"})

    make_connector(Channel.TIKI).update_price_stock("270000001", 199000, 7, seller_sku="OCOP-DT-0001")

    assert json.loads(responses.calls[0].request.body) == {
        "product_id": 270000001, "price": 199000,
        "warehouse_quantities": [{"warehouse_id": WAREHOUSE, "qty_available": 7}]}
