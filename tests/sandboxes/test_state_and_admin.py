"""State that survives a restart, the admin hooks other tests rely on, and the config file."""

from __future__ import annotations

import pytest
import requests

from ocop.channels import Channel
from sandboxes.config import SandboxConfigError, default_config, load_config
from sandboxes.fleet import running_sandboxes

from tests.sandboxes.clients import ShopeeClient, TikTokClient
from tests.sandboxes.conftest import set_review, shopee_item, tiktok_product


def test_items_and_ids_survive_a_restart(tmp_path):
    with running_sandboxes(tmp_path, registry_rows=[]) as fleet, requests.Session() as session:
        client = ShopeeClient(fleet.shop("shopee-dong-thap"), session)
        first = client.post("/api/v2/product/add_item", shopee_item(client, "KEEP-1")).json()["response"]["item_id"]
        etag = requests.get(fleet.registry_url + "/api/v1/products", timeout=10).headers["ETag"]
    with running_sandboxes(tmp_path, registry_rows=[]) as fleet, requests.Session() as session:
        client = ShopeeClient(fleet.shop("shopee-dong-thap"), session)
        found = client.get("/api/v2/product/search_item", item_sku="KEEP-1", page_size=5).json()["response"]
        assert found["item_id_list"] == [first]
        second = client.post("/api/v2/product/add_item", shopee_item(client, "KEEP-2")).json()["response"]["item_id"]
        assert second > first
        assert requests.get(fleet.registry_url + "/api/v1/products", timeout=10).headers["ETag"] == etag


def test_seller_centre_edit_shows_in_the_api_and_moves_update_time(fleet, tiktok, sku):
    product_id = tiktok.call("POST", "/product/202309/products", tiktok_product(tiktok, sku)).json()["data"]["product_id"]
    before = tiktok.call("GET", f"/product/202309/products/{product_id}").json()["data"]
    fleet.admin(Channel.TIKTOK).edit(product_id, title="Tên do người bán sửa tay trong trung tâm", price=12_000,
                                     gtin=None)
    after = tiktok.call("GET", f"/product/202309/products/{product_id}").json()["data"]
    assert after["title"].startswith("Tên do người bán") and after["skus"][0]["price"]["sale_price"] == "12000"
    assert "identifier_code" not in after["skus"][0] and after["update_time"] >= before["update_time"]


def test_orphan_inserted_by_admin_is_listed_by_the_api(fleet, session):
    client = TikTokClient(fleet.shop("tiktok-dong-thap"), session)
    orphan = fleet.admin(Channel.TIKTOK).insert("tiktok-dong-thap", seller_sku="ORPHAN-1",
                                                title="Sản phẩm không có trong danh mục OCOP")
    found = client.call("POST", "/product/202309/products/search", {"seller_skus": ["ORPHAN-1"]}, page_size=5)
    assert [p["id"] for p in found.json()["data"]["products"]] == [str(orphan.item_id)]


def test_admin_can_force_a_platform_status_with_a_reason(fleet, shopee, sku):
    item_id = shopee.post("/api/v2/product/add_item", shopee_item(shopee, sku)).json()["response"]["item_id"]
    admin = fleet.admin(Channel.SHOPEE)
    admin.reject(item_id, "Ảnh bìa có chữ")
    item = admin.item(item_id)
    assert item.status == "BANNED" and item.reject_reason == "Ảnh bìa có chữ"
    with pytest.raises(ValueError):
        admin.edit(item_id, shop="tiktok-dong-thap")


def test_editing_a_live_item_goes_back_to_review_when_configured(fleet, tiktok, sku):
    set_review(fleet, Channel.TIKTOK, review_on_update=True)
    state = fleet.sandboxes[Channel.TIKTOK].state
    product_id = tiktok.call("POST", "/product/202309/products", tiktok_product(tiktok, sku)).json()["data"]["product_id"]
    fleet.admin(Channel.TIKTOK).approve(product_id)
    edit = tiktok_product(tiktok, sku, title="Mứt sen Đồng Tháp OCOP 4 sao bản mới 2026")
    tiktok.call("PUT", f"/product/202309/products/{product_id}", edit)
    assert state.get(int(product_id)).status == "PENDING"
    assert tiktok.call("GET", f"/product/202309/products/{product_id}").json()["data"]["status"] == "ACTIVATE"


def test_default_config_declares_two_shops_per_channel_with_their_own_credentials():
    config = default_config()
    for channel in config.channels:
        shops = config.shops_of(channel)
        # Tiki's and Sendo's test shops hold no access token: their connectors sign in with the keys.
        assert len(shops) == 2 and len({(s.app_key, s.app_secret, s.access_token) for s in shops}) == 2
    assert {s.key for s in config.shops} >= {"shopee-dong-thap", "lazada-dong-thap", "tiktok-dong-thap"}
    assert "secret" not in repr(config.shops[0])


def test_config_file_errors_name_the_shop_and_the_problem(tmp_path):
    path = tmp_path / "sandboxes.toml"
    path.write_text('[[shops]]\nkey = "a"\nchannel = "shopee"\napp_key = "x1"\napp_secret = "s"\n'
                    'access_token = "t"\nshop_id = "9"\n', encoding="utf-8")
    with pytest.raises(SandboxConfigError, match="shop a: Shopee partner_id and shop_id must be integers"):
        load_config(path)
    path.write_text('[tiktok.faults]\nsed = 1\n', encoding="utf-8")
    with pytest.raises(SandboxConfigError, match=r"unknown key\(s\) sed"):
        load_config(path)


def test_config_file_sets_limits_review_and_faults(tmp_path):
    path = tmp_path / "sandboxes.toml"
    path.write_text('[lazada]\nport = 9100\ncategories = ["1"]\n[lazada.limits]\ntitle_max = 40\n'
                    '[lazada.review]\ndelay_seconds = 2\n[lazada.faults]\nseed = 3\nrate_limit_per_second = 7\n',
                    encoding="utf-8")
    settings = load_config(path).channels[Channel.LAZADA]
    assert (settings.port, settings.categories, settings.limits.title_max) == (9100, ("1",), 40)
    assert settings.review.delay_seconds == 2 and settings.faults.rate_limit_per_second == 7
