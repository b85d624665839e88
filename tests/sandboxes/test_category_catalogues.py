"""Each sandbox serves its platform's category tree, attributes, brands and rules through the
documented read calls, and refuses a create the way the platform does: a category that is not a
leaf, a missing mandatory attribute (named), a value outside a drop-down, an unknown brand, a
required certification or package dimension left out."""

from __future__ import annotations

import pytest

from ocop.channels import Channel
from sandboxes.catalogue import CertificationRule
from tests.sandboxes.clients import png_bytes
from tests.sandboxes.conftest import lazada_product, shopee_item, tiktok_product

SHOPEE_PRODUCT = "/api/v2/product"
TIKTOK_PRODUCTS = "/product/202309/products"
SHOPEE_FOOD_LEAF, SHOPEE_SHELF_LIFE, SHOPEE_ORIGIN = "100640", "100095", "100037"


@pytest.fixture
def catalogues(fleet):
    """The fleet's catalogues, put back as they were after a test changed them."""
    sandboxes = {channel: fleet.sandboxes[channel] for channel in (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK)}
    saved = {channel: sandbox.catalogue for channel, sandbox in sandboxes.items()}
    for channel, sandbox in sandboxes.items():
        sandbox.catalogue = type(saved[channel]).for_channel(channel)
    yield {channel: sandbox.catalogue for channel, sandbox in sandboxes.items()}
    for channel, sandbox in sandboxes.items():
        sandbox.catalogue = saved[channel]


# -- Shopee ------------------------------------------------------------------------------------------

def test_shopee_tree_attributes_and_brands_read_as_documented(shopee):
    categories = shopee.get(f"{SHOPEE_PRODUCT}/get_category", language="vi").json()["response"]["category_list"]
    by_id = {c["category_id"]: c for c in categories}
    assert by_id[100629]["parent_category_id"] == 0 and by_id[100629]["has_children"] is True
    assert by_id[100640]["has_children"] is False and by_id[100640]["display_category_name"] == "Trái cây sấy & Mứt"

    tree = shopee.get(f"{SHOPEE_PRODUCT}/get_attribute_tree", category_id_list="100640,100629",
                      language="vn").json()["response"]["list"]
    leaf, branch = tree
    origin = next(a for a in leaf["attribute_tree"] if a["attribute_id"] == 100037)
    assert origin["mandatory"] is True and origin["attribute_info"]["input_type"] == 1
    assert {"value_id": 1000, "name": "Việt Nam"}.items() <= origin["attribute_value_list"][0].items()
    assert branch["attribute_tree"] == [] and "not a leaf" in branch["warning"]

    brands = shopee.get(f"{SHOPEE_PRODUCT}/get_brand_list", category_id="100640", offset=0, page_size=10,
                        status=1).json()["response"]
    assert [b["original_brand_name"] for b in brands["brand_list"]] == ["Vinamit"] and brands["has_next_page"] is False


def test_shopee_refuses_a_category_that_is_not_a_leaf(shopee, sku):
    answer = shopee.post(f"{SHOPEE_PRODUCT}/add_item", shopee_item(shopee, sku, category_id=100629)).json()
    assert answer["error"] == "error_invalid_category" and "100629" in answer["message"]


def test_shopee_names_every_missing_mandatory_attribute(shopee, sku, catalogues):
    catalogues[Channel.SHOPEE].set_attribute(SHOPEE_FOOD_LEAF, SHOPEE_SHELF_LIFE, mandatory=True)
    answer = shopee.post(f"{SHOPEE_PRODUCT}/add_item", shopee_item(shopee, sku, attribute_list=[])).json()
    assert answer["error"] == "error_less_required_attribute"
    assert all(name in answer["message"] for name in ("Country of Origin", "Shelf Life"))


def test_shopee_refuses_a_free_value_for_a_drop_down_and_an_unknown_brand(shopee, sku):
    free_origin = [{"attribute_id": 100037, "attribute_value_list": [{"value_id": 0, "original_value_name": "VN"}]}]
    answer = shopee.post(f"{SHOPEE_PRODUCT}/add_item", shopee_item(shopee, sku, attribute_list=free_origin)).json()
    assert answer["error"] == "error_invalid_attribute_value" and "VN" in answer["message"]

    brand = {"brand_id": 1147, "original_brand_name": "Trung Nguyên"}      # a coffee brand, not dried fruit's
    answer = shopee.post(f"{SHOPEE_PRODUCT}/add_item", shopee_item(shopee, sku, brand=brand)).json()
    assert answer["error"] == "error_invalid_brand"


def test_shopee_keeps_the_attributes_and_brand_it_accepted(shopee, sku):
    body = shopee_item(shopee, sku, brand={"brand_id": 1146, "original_brand_name": "Vinamit"})
    item_id = shopee.post(f"{SHOPEE_PRODUCT}/add_item", body).json()["response"]["item_id"]
    item = shopee.get(f"{SHOPEE_PRODUCT}/get_item_base_info", item_id_list=str(item_id)).json()["response"]["item_list"][0]
    assert item["brand"] == {"brand_id": 1146, "original_brand_name": "Vinamit"}
    assert item["attribute_list"] == body["attribute_list"]


# -- Lazada ------------------------------------------------------------------------------------------

def test_lazada_tree_attributes_and_brands_read_as_documented(lazada):
    tree = lazada.get("/category/tree/get").json()["data"]
    groceries = next(node for node in tree if node["category_id"] == 10000100)
    snacks = next(node for node in groceries["children"] if node["category_id"] == 10000110)
    assert groceries["leaf"] is False and {"category_id": 10000111, "leaf": True}.items() <= snacks["children"][0].items()

    attributes = lazada.get("/category/attributes/get", primary_category_id="10000111").json()["data"]
    by_name = {a["name"]: a for a in attributes}
    assert by_name["brand"]["is_mandatory"] == 1 and by_name["package_weight"]["attribute_type"] == "sku"
    assert by_name["country_origin"]["input_type"] == "singleSelect" and by_name["country_origin"]["is_mandatory"] == 1
    assert {"name": "Việt Nam", "en_name": "Việt Nam"}.items() <= by_name["country_origin"]["options"][0].items()

    brands = lazada.get("/category/brands/query", startRow=0, pageSize=2).json()["data"]
    assert brands["total_record"] == 6 and [b["name"] for b in brands["module"]] == ["No Brand", "Vinamit"]


def test_lazada_refuses_a_missing_category_attribute_with_4110_naming_it(lazada, sku):
    product = lazada_product(lazada, sku)
    product["Attributes"] = {k: v for k, v in product["Attributes"].items() if k != "country_origin"}
    answer = lazada.post_payload("/product/create", product).json()
    assert answer["code"] == "4110" and "country_origin" in answer["message"]
    assert answer["detail"] == [{"field": "country_origin", "message": "BIZ_CHECK_CAT_PROP_MANDATORY"}]


def test_lazada_refuses_a_branch_category_an_unknown_option_and_an_unknown_brand(lazada, sku):
    assert lazada.post_payload("/product/create", lazada_product(lazada, sku, PrimaryCategory="10000110")).json()["code"] == "201"
    product = lazada_product(lazada, sku)
    product["Attributes"] |= {"country_origin": "Đồng Tháp"}
    assert lazada.post_payload("/product/create", product).json()["code"] == "4115"
    product["Attributes"] |= {"country_origin": "Việt Nam", "brand": "HTX Ong mật Châu Thành"}
    answer = lazada.post_payload("/product/create", product).json()
    assert answer["code"] == "500" and answer["message"].startswith("4142")


def test_lazada_keeps_only_the_attributes_the_category_defines(lazada, sku):
    product = lazada_product(lazada, sku)
    product["Attributes"] |= {"ocop_code": "87-001-2024", "province": "Đồng Tháp"}
    item_id = lazada.post_payload("/product/create", product).json()["data"]["item_id"]
    attributes = lazada.get("/product/item/get", item_id=item_id).json()["data"]["attributes"]
    assert "ocop_code" not in attributes and attributes["net_weight"] == "500 g"


# -- TikTok Shop -------------------------------------------------------------------------------------

def test_tiktok_categories_attributes_rules_and_brands_read_as_documented(tiktok):
    categories = tiktok.call("GET", "/product/202309/categories").json()["data"]["categories"]
    by_id = {c["id"]: c for c in categories}
    assert by_id["700000"]["parent_id"] == "0" and by_id["700000"]["is_leaf"] is False
    assert by_id["700303"] == {"id": "700303", "parent_id": "700300", "local_name": "Mật ong", "is_leaf": True,
                               "permission_statuses": ["AVAILABLE"]}

    attributes = tiktok.call("GET", "/product/202309/categories/700303/attributes").json()["data"]["attributes"]
    origin = next(a for a in attributes if a["id"] == "100137")
    assert origin["is_requried"] is True and origin["is_customizable"] is False and origin["type"] == "PRODUCT_PROPERTY"

    rules = tiktok.call("GET", "/product/202309/categories/700303/rules").json()["data"]
    assert rules["package_dimension"] == {"is_required": True}
    assert rules["product_certifications"][0]["is_required"] is True

    not_final = tiktok.call("GET", "/product/202309/categories/700300/rules").json()
    assert (not_final["code"], not_final["message"]) == (12052024, "Category is not final category")

    brands = tiktok.call("GET", "/product/202309/brands", category_id="700303", page_size=5).json()["data"]
    assert [b["name"] for b in brands["brands"]] == ["Honeyland"] and brands["next_page_token"] == ""


def test_tiktok_refuses_a_category_that_is_not_final(tiktok, sku):
    answer = tiktok.call("POST", TIKTOK_PRODUCTS, tiktok_product(tiktok, sku, category_id="700100")).json()
    assert (answer["code"], answer["message"]) == (12052024, "Category is not final category")


def test_tiktok_names_every_missing_attribute_certification_and_dimension(tiktok, sku):
    product = tiktok_product(tiktok, sku, category_id="700303", product_attributes=[])
    del product["package_dimensions"]
    answer = tiktok.call("POST", TIKTOK_PRODUCTS, product).json()
    assert answer["code"] == 12052910
    for named in ("100137 (Xuất xứ)", "certification 7182378931001",
                  "package_dimensions"):
        assert named in answer["message"]


def test_tiktok_accepts_the_certification_with_its_document_and_clears_an_unknown_brand(tiktok, sku):
    document = tiktok.upload_image(png_bytes(300, "white"))
    certifications = [{"id": "7182378931001", "images": [{"uri": document}]}]
    product = tiktok_product(tiktok, sku, category_id="700303", certifications=certifications, brand_id="123")
    answer = tiktok.call("POST", TIKTOK_PRODUCTS, product).json()
    assert answer["code"] == 0 and "[brand_id]:123" in answer["data"]["warnings"][0]["message"]
    detail = tiktok.call("GET", f"{TIKTOK_PRODUCTS}/{answer['data']['product_id']}").json()["data"]
    assert detail["certifications"] == certifications and "brand" not in detail


def test_a_rule_a_test_adds_is_enforced_on_the_next_create(tiktok, sku, catalogues):
    rule = CertificationRule("7182378931009", "Giấy chứng nhận VSATTP", required=True)
    catalogues[Channel.TIKTOK].set_rules("700101", certifications=(rule,))
    answer = tiktok.call("POST", TIKTOK_PRODUCTS, tiktok_product(tiktok, sku)).json()
    assert answer["code"] == 12052910 and "7182378931009" in answer["message"]
    catalogues[Channel.TIKTOK].set_rules("700101", certifications=())
    assert tiktok.call("POST", TIKTOK_PRODUCTS, tiktok_product(tiktok, sku)).json()["code"] == 0
