"""Lazada Open API sandbox: parameters in query or form, envelopes, lifecycle, pagination, errors."""

from __future__ import annotations

import json

import pytest

from ocop.channels import Channel

from tests.sandboxes.clients import LazadaClient, png_bytes
from tests.sandboxes.conftest import lazada_product


def create(lazada, sku, **options):
    return lazada.post_payload("/product/create", lazada_product(lazada, sku, **options))


def product(lazada, item_id):
    return lazada.get("/product/item/get", item_id=item_id).json()


def test_create_answers_code_0_as_a_string_with_the_sku_list(lazada, sku):
    body = create(lazada, sku).json()
    assert body["code"] == "0" and body["request_id"]
    [entry] = body["data"]["sku_list"]
    assert entry["seller_sku"] == sku and entry["sku_id"] and entry["shop_sku"]
    assert isinstance(body["data"]["item_id"], int)


def test_new_product_is_pending_qc_then_active(lazada, sku, fleet):
    item_id = create(lazada, sku).json()["data"]["item_id"]
    assert fleet.sandboxes[Channel.LAZADA].state.get(item_id).status == "Pending QC"
    data = product(lazada, item_id)["data"]
    assert data["status"] == "Active"
    assert data["skus"][0]["SellerSku"] == sku and data["skus"][0]["price"] == 85000
    assert data["skus"][0]["barcode"] == "8931234567897"


def test_parameters_may_travel_in_the_query_on_post(lazada, sku):
    api = "/product/create"
    payload = json.dumps({"Request": {"Product": lazada_product(lazada, sku)}})
    answer = lazada.session.post(lazada.shop.base_url + api, params=lazada._signed(api, {"payload": payload}))
    assert answer.json()["code"] == "0"


def test_xml_payload_is_accepted(lazada, sku):
    url = lazada.upload_image(png_bytes())
    xml = (f"<Request><Product><PrimaryCategory>10000111</PrimaryCategory><Images><Image>{url}</Image></Images>"
           "<Attributes><name>Mứt sen Đồng Tháp hộp 500 g</name><brand>No Brand</brand>"
           "<country_origin>Việt Nam</country_origin><net_weight>500 g</net_weight></Attributes>"
           f"<Skus><Sku><SellerSku>{sku}</SellerSku><quantity>5</quantity><price>50000</price>"
           "<package_weight>0.5</package_weight><package_length>10</package_length><package_width>10</package_width>"
           "<package_height>5</package_height></Sku></Skus></Product></Request>")
    body = lazada.post("/product/create", payload=xml).json()
    assert body["code"] == "0" and body["data"]["sku_list"][0]["seller_sku"] == sku


def test_duplicate_seller_sku_is_4105(lazada, sku):
    create(lazada, sku)
    body = create(lazada, sku).json()
    assert body["code"] == "4105" and body["type"] == "ISV" and body["detail"][0]["field"] == "SellerSku"


def test_price_with_decimals_is_4104(lazada, sku):
    assert create(lazada, sku, sku_fields={"price": "85000.5"}).json()["code"] == "4104"


@pytest.mark.parametrize("overrides, sku_fields, code", [
    ({"PrimaryCategory": "abc"}, {}, "201"),
    ({"PrimaryCategory": ""}, {}, "E001"),
    ({"Attributes": {"name": "x" * 256, "brand": "No Brand"}}, {}, "InvalidParameter"),
    ({"Attributes": {"name": "Mứt sen", "brand": "No Brand", "description": "d" * 25001}}, {}, "InvalidParameter"),
    ({"Attributes": {"name": "Mứt sen"}}, {}, "E001"),
    ({"Images": {"Image": ["https://example.com/not-lazada.jpg"]}}, {}, "InvalidParameter"),
    ({}, {"package_weight": ""}, "E001"),
    ({}, {"package_height": -1}, "InvalidParameter"),
    ({}, {"SellerSku": ""}, "E001"),
    ({}, {"quantity": -3}, "InvalidParameter"),
])
def test_each_field_limit_answers_its_error_code(lazada, sku, overrides, sku_fields, code):
    body = create(lazada, sku, sku_fields=sku_fields, **overrides).json()
    assert body["code"] == code, body


def test_more_than_eight_images_is_refused(lazada, sku):
    urls = [lazada.upload_image(png_bytes(size=120 + n)) for n in range(9)]
    assert create(lazada, sku, Images={"Image": urls}).json()["code"] == "InvalidParameter"


def test_products_get_pages_with_offset_and_limit(fleet, session):
    client = LazadaClient(fleet.shop("lazada-producer"), session)
    admin = fleet.admin(Channel.LAZADA)
    for n in range(7):
        admin.insert("lazada-producer", seller_sku=f"LZ-PAGE-{n}", title=f"Sản phẩm {n}")
    seen, offset = [], 0
    while True:
        data = client.get("/products/get", filter="live", offset=offset, limit=3).json()["data"]
        seen += [p["item_id"] for p in data["products"]]
        offset += 3
        if offset >= data["total_products"]:
            break
    assert len(seen) == len(set(seen)) == data["total_products"] >= 7


def test_products_get_by_seller_sku_list(lazada, sku):
    item_id = create(lazada, sku).json()["data"]["item_id"]
    data = lazada.get("/products/get", filter="all", sku_seller_list=json.dumps([sku])).json()["data"]
    assert [p["item_id"] for p in data["products"]] == [item_id]


def test_limit_over_50_is_refused(lazada):
    assert lazada.get("/products/get", filter="all", limit=51).json()["code"] == "InvalidParameter"


def test_banned_word_is_rejected_with_the_reason_in_qc_status(lazada, sku):
    overrides = {"Attributes": {"name": "Mứt sen chữa khỏi bệnh tiểu đường", "brand": "No Brand",
                                "country_origin": "Việt Nam", "net_weight": "500 g"}}
    item_id = create(lazada, sku, **overrides).json()["data"]["item_id"]
    assert product(lazada, item_id)["data"]["status"] == "Rejected"
    qc = lazada.get("/product/qc/status/get", seller_skus=json.dumps([sku])).json()["data"]
    assert qc[0]["status"] == "rejected" and "chữa khỏi bệnh" in qc[0]["reason"]
    rejected = lazada.get("/products/get", filter="rejected", sku_seller_list=json.dumps([sku])).json()["data"]
    assert rejected["total_products"] == 1


def test_update_deactivate_reactivate_and_remove(lazada, sku):
    created = create(lazada, sku).json()["data"]
    item_id, sku_id = created["item_id"], created["sku_list"][0]["sku_id"]
    product(lazada, item_id)
    update = {"ItemId": item_id, "Attributes": {"name": "Mứt sen Đồng Tháp hộp 1 kg"},
              "Skus": {"Sku": [{"SkuId": sku_id, "SellerSku": sku}]}}
    assert lazada.post_payload("/product/update", update).json()["code"] == "0"
    assert product(lazada, item_id)["data"]["attributes"]["name"] == "Mứt sen Đồng Tháp hộp 1 kg"
    deactivate = json.dumps({"Request": {"Product": {"ItemId": item_id, "Skus": {"SellerSku": [sku]}}}})
    assert lazada.post("/product/deactivate", apiRequestBody=deactivate).json()["code"] == "0"
    assert product(lazada, item_id)["data"]["status"] == "InActive"
    reactivate = {"ItemId": item_id, "Skus": {"Sku": [{"SkuId": sku_id, "Status": "active"}]}}
    lazada.post_payload("/product/update", reactivate)
    assert product(lazada, item_id)["data"]["status"] == "Active"
    assert lazada.post("/product/remove", seller_sku_list=json.dumps([sku])).json()["code"] == "0"
    assert product(lazada, item_id)["data"]["status"] == "Deleted"
    assert lazada.post_payload("/product/update", update).json()["code"] == "ITEM_NOT_FOUND"


def test_update_without_sku_id_is_e001(lazada, sku):
    create(lazada, sku)
    body = lazada.post_payload("/product/update", {"Skus": {"Sku": [{"SellerSku": sku}]}}).json()
    assert body["code"] == "E001"


def test_price_quantity_update_by_seller_sku(lazada, sku):
    item_id = create(lazada, sku).json()["data"]["item_id"]
    change = {"Skus": {"Sku": [{"SellerSku": sku, "Price": "99000", "Quantity": "7"}]}}
    assert lazada.post_payload("/product/price_quantity/update", change).json()["code"] == "0"
    data = product(lazada, item_id)["data"]
    assert data["skus"][0]["price"] == 99000 and data["skus"][0]["quantity"] == 7
    bad = {"Skus": {"Sku": [{"SellerSku": sku, "Price": "99000.25"}]}}
    assert lazada.post_payload("/product/price_quantity/update", bad).json()["code"] == "4104"


def test_unknown_item_is_item_not_found(lazada):
    assert lazada.get("/product/item/get", item_id=1).json()["code"] == "ITEM_NOT_FOUND"


def test_unknown_api_path_is_invalid_api_path(lazada):
    assert lazada.get("/no/such/api").json()["code"] == "InvalidApiPath"
