"""`ocop sandbox show` and the banner `serve` prints."""

from __future__ import annotations

import requests
from typer.testing import CliRunner

from cli.sandboxes import app, describe
from ocop.channels import Channel
from sandboxes.fleet import running_sandboxes

from tests.sandboxes.clients import ShopeeClient
from tests.sandboxes.conftest import shopee_item


def test_show_prints_each_shop_with_its_items_and_reasons(tmp_path):
    with running_sandboxes(tmp_path, registry_rows=[]) as fleet, requests.Session() as session:
        client = ShopeeClient(fleet.shop("shopee-dong-thap"), session)
        body = shopee_item(client, "SHOW-1", item_name="Mứt sen hàng giả hộp 500 g")
        item_id = client.post("/api/v2/product/add_item", body).json()["response"]["item_id"]
        fleet.admin(Channel.SHOPEE).settle_reviews()
    result = CliRunner().invoke(app, ["show", "--state-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "shopee / shopee-dong-thap: 1 item(s) (BANNED 1)" in result.output
    assert str(item_id) in result.output and "SHOW-1" in result.output and "hàng giả" in result.output
    assert "tiktok / tiktok-producer: 0 item(s) (empty)" in result.output


def test_show_can_pick_one_shop(tmp_path):
    result = CliRunner().invoke(app, ["show", "--state-dir", str(tmp_path), "--shop", "lazada-dong-thap"])
    assert result.exit_code == 0 and result.output.strip() == "lazada / lazada-dong-thap: 0 item(s) (empty)"


def test_serve_banner_names_every_base_url_and_test_credential(fleet):
    banner = describe(fleet)
    assert fleet.registry_url in banner and fleet.base_url(Channel.LAZADA).endswith("/rest")
    for shop in fleet.config.shops:
        assert shop.key in banner and shop.access_token in banner and fleet.base_url(shop.channel) in banner
