"""Shopee v2 sandbox: envelopes, product lifecycle, pagination, search, validation errors."""

from __future__ import annotations

import pytest

from ocop.channels import Channel

from tests.sandboxes.clients import png_bytes
from tests.sandboxes.conftest import GTIN_REQUIRED_CATEGORY, set_review, shopee_item

P = "/api/v2/product"


def add(shopee, sku, **overrides):
    return shopee.post(f"{P}/add_item", shopee_item(shopee, sku, **overrides))


def base_info(shopee, *item_ids):
    answer = shopee.get(f"{P}/get_item_base_info", item_id_list=",".join(str(i) for i in item_ids))
    return answer.json()["response"]["item_list"]


def test_add_item_answers_the_v2_envelope_and_starts_under_review(shopee, sku, fleet):
    answer = add(shopee, sku)
    body = answer.json()
    assert answer.status_code == 200
    assert set(body) >= {"request_id", "error", "message", "warning", "response"} and body["error"] == ""
    item_id = body["response"]["item_id"]
    assert body["response"]["item_status"] == "REVIEWING"
    assert fleet.admin(Channel.SHOPEE).find("shopee-dong-thap", sku)[0].item_id == item_id


def test_a_new_item_goes_live_on_the_next_read(shopee, sku):
    item_id = add(shopee, sku).json()["response"]["item_id"]
    [item] = base_info(shopee, item_id)
    assert item["item_status"] == "NORMAL"
    assert item["item_sku"] == sku and item["price_info"][0]["original_price"] == 85000
    assert item["stock_info_v2"]["seller_stock"][0]["stock"] == 40 and item["gtin_code"] == "8931234567897"


def test_banned_word_in_title_is_banned_with_the_reason_in_violation_info(shopee, sku):
    item_id = add(shopee, sku, item_name="Mứt sen hàng nhái giá rẻ hộp 500 g").json()["response"]["item_id"]
    assert base_info(shopee, item_id)[0]["item_status"] == "BANNED"
    violations = shopee.get(f"{P}/get_item_violation_info", item_id_list=str(item_id)).json()["response"]
    detail = violations["item_list"][0]["item_status_details"][0]
    assert "hàng nhái" in detail["violation_reason"] and detail["violation_type"] == "Prohibited Listing"


def test_missing_gtin_in_a_category_that_requires_one_is_rejected(shopee, sku):
    item_id = add(shopee, sku, category_id=int(GTIN_REQUIRED_CATEGORY), gtin_code="00").json()["response"]["item_id"]
    assert base_info(shopee, item_id)[0]["item_status"] == "BANNED"
    limits = shopee.get(f"{P}/get_item_limit", category_id=GTIN_REQUIRED_CATEGORY).json()["response"]
    assert limits["gtin_limit"]["gtin_validation_rule"] == "Mandatory"


def test_review_waits_for_its_delay(shopee, sku, fleet):
    set_review(fleet, Channel.SHOPEE, delay_seconds=3600)
    item_id = add(shopee, sku).json()["response"]["item_id"]
    assert base_info(shopee, item_id)[0]["item_status"] == "REVIEWING"


def test_fixing_a_banned_item_resubmits_it_for_review(shopee, sku):
    item_id = add(shopee, sku, item_name="Mứt sen hàng nhái hộp 500 g").json()["response"]["item_id"]
    assert base_info(shopee, item_id)[0]["item_status"] == "BANNED"
    answer = shopee.post(f"{P}/update_item", {"item_id": item_id, "item_name": "Mứt sen Đồng Tháp hộp 500 g"})
    assert answer.json()["response"]["item_status"] == "REVIEWING"
    assert base_info(shopee, item_id)[0]["item_status"] == "NORMAL"


def test_duplicate_item_sku_in_one_shop_is_refused(shopee, sku, fleet):
    first = add(shopee, sku).json()["response"]["item_id"]
    body = add(shopee, sku).json()
    assert body["error"] == "error_param" and str(first) in body["message"]
    assert len(fleet.admin(Channel.SHOPEE).find("shopee-dong-thap", sku)) == 1


def test_the_same_item_sku_is_fine_in_another_shop(fleet, session, sku, shopee):
    from tests.sandboxes.clients import ShopeeClient
    other = ShopeeClient(fleet.shop("shopee-producer"), session)
    assert add(shopee, sku).json()["error"] == ""
    assert add(other, sku).json()["error"] == ""


@pytest.mark.parametrize("overrides, code", [
    ({"item_name": "x" * 121}, "error_title_exceeds_max_length"),
    ({"item_name": "Mứt"}, "error_item_name_is_too_short"),
    ({"description": "ngắn"}, "error_desc_length_min_limit"),
    ({"description": "d" * 3001}, "error_param"),
    ({"image": {"image_id_list": []}}, "error_image_num_min"),
    ({"image": {"image_id_list": ["not-uploaded"]}}, "error_param"),
    ({"original_price": 0}, "error_invalid_price"),
    ({"original_price": 500_000_000}, "error_invalid_price"),
    ({"category_id": 0}, "error_invalid_category"),
    ({"gtin_code": "8931234567890"}, "error_param_validate"),
    ({"weight": 0}, "error_param"),
    ({"logistic_info": []}, "error_param"),
    ({"item_status": "BANNED"}, "error_param"),
])
def test_each_field_limit_answers_its_validation_error(shopee, sku, overrides, code):
    answer = add(shopee, sku, **overrides)
    assert answer.status_code == 200
    assert answer.json()["error"] == code


def test_missing_required_field_is_error_param(shopee, sku):
    body = shopee_item(shopee, sku)
    del body["logistic_info"]
    assert shopee.post(f"{P}/add_item", body).json()["error"] == "error_param"


def test_get_item_list_pages_with_offset_and_next_offset(fleet, session):
    from tests.sandboxes.clients import ShopeeClient
    client = ShopeeClient(fleet.shop("shopee-producer"), session)
    admin = fleet.admin(Channel.SHOPEE)
    for n in range(7):
        admin.insert("shopee-producer", seller_sku=f"PAGE-{n}", title=f"Sản phẩm {n} hộp 500 g")
    seen, offset, pages = [], 0, 0
    while True:
        response = client.get(f"{P}/get_item_list", offset=offset, page_size=3, item_status="NORMAL").json()["response"]
        seen += [entry["item_id"] for entry in response["item"]]
        pages += 1
        if not response["has_next_page"]:
            break
        offset = response["next_offset"]
    assert pages >= 3 and len(seen) == len(set(seen)) == response["total_count"]


def test_page_size_over_100_is_refused(shopee):
    assert shopee.get(f"{P}/get_item_list", offset=0, page_size=101).json()["error"] == "error_param"


def test_search_item_finds_by_item_sku(shopee, sku):
    item_id = add(shopee, sku).json()["response"]["item_id"]
    found = shopee.get(f"{P}/search_item", item_sku=sku, page_size=10).json()["response"]
    assert found["item_id_list"] == [item_id]


def test_unlist_relist_and_delete(shopee, sku):
    item_id = add(shopee, sku).json()["response"]["item_id"]
    base_info(shopee, item_id)
    unlisted = shopee.post(f"{P}/unlist_item", {"item_list": [{"item_id": item_id, "unlist": True}]}).json()
    assert unlisted["response"]["success_list"] == [{"item_id": item_id, "unlist": True}]
    assert base_info(shopee, item_id)[0]["item_status"] == "UNLIST"
    shopee.post(f"{P}/unlist_item", {"item_list": [{"item_id": item_id, "unlist": False}]})
    assert base_info(shopee, item_id)[0]["item_status"] == "NORMAL"
    assert shopee.post(f"{P}/delete_item", {"item_id": item_id}).json()["error"] == ""
    assert base_info(shopee, item_id)[0]["item_status"] == "SELLER_DELETE"
    again = shopee.post(f"{P}/update_item", {"item_id": item_id, "item_name": "Mứt sen Đồng Tháp hộp 1 kg"}).json()
    assert again["error"] == "error_item_not_found"


def test_unlisting_a_banned_item_fails_per_item(shopee, sku, fleet):
    item_id = add(shopee, sku).json()["response"]["item_id"]
    fleet.admin(Channel.SHOPEE).set_status(item_id, "BANNED", "counterfeit report")
    body = shopee.post(f"{P}/unlist_item", {"item_list": [{"item_id": item_id, "unlist": True}]}).json()
    assert body["response"]["failure_list"][0]["item_id"] == item_id


def test_price_and_stock_update_without_touching_content(shopee, sku):
    item_id = add(shopee, sku).json()["response"]["item_id"]
    shopee.post(f"{P}/update_price", {"item_id": item_id, "price_list": [{"model_id": 0, "original_price": 99999.6}]})
    shopee.post(f"{P}/update_stock", {"item_id": item_id, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 3}]}]})
    [item] = base_info(shopee, item_id)
    assert item["price_info"][0]["original_price"] == 100000 and item["stock_info_v2"]["seller_stock"][0]["stock"] == 3
    assert shopee.post(f"{P}/update_price", {"item_id": item_id, "price_list": [{"model_id": 0, "original_price": -1}]}
                       ).json()["error"] == "error_invalid_price"


def test_update_item_does_not_change_price(shopee, sku):
    item_id = add(shopee, sku).json()["response"]["item_id"]
    shopee.post(f"{P}/update_item", {"item_id": item_id, "original_price": 1234, "description": "Mới. " * 30})
    assert base_info(shopee, item_id)[0]["price_info"][0]["original_price"] == 85000


def test_upload_image_refuses_what_is_not_a_picture(shopee):
    path = "/api/v2/media_space/upload_image"
    answer = shopee.session.post(shopee.shop.base_url + path, params=shopee._query(path, public=True),
                                 files={"image": ("x.png", b"not an image", "image/png")})
    assert answer.json()["error"] == "error_param"
    assert shopee.upload_image(png_bytes(color="green")).startswith("vn-")


def test_unknown_path_answers_404_in_the_envelope(shopee):
    answer = shopee.get(f"{P}/no_such_call")
    assert answer.status_code == 404 and answer.json()["error"] == "error_not_found"


def test_an_item_without_variations_has_one_default_model(shopee, sku):
    item_id = add(shopee, sku).json()["response"]["item_id"]

    answer = shopee.get(f"{P}/get_model_list", item_id=item_id)

    body = answer.json()
    assert answer.status_code == 200 and body["error"] == ""
    assert body["response"]["tier_variation"] == []
    [model] = body["response"]["model"]
    assert (model["model_id"], model["model_sku"], model["tier_index"]) == (0, sku, [])
    assert model["price_info"][0]["original_price"] == 85000
    assert model["stock_info_v2"]["seller_stock"][0]["stock"] == 40


def test_the_model_list_of_an_unknown_item_is_not_found(shopee):
    assert shopee.get(f"{P}/get_model_list", item_id=1).json()["error"] == "error_item_not_found"
