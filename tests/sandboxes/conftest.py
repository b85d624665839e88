"""One fleet of sandboxes for the whole sandbox test session (starting four servers per test would
dominate the run); each test uses its own seller SKUs and gets the faults switched off afterwards."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
import requests

from ocop.channels import Channel
from sandboxes.config import FaultConfig, ReviewRules, default_config
from sandboxes.fleet import running_sandboxes

from tests.sandboxes.clients import LazadaClient, ShopeeClient, TikTokClient, png_bytes

GTIN_REQUIRED_CATEGORY = "100640"     # a leaf of the Shopee sandbox's tree (dried fruit)
REGISTRY_ROWS = [
    {"ocop_code": f"87-{n:03d}-2024", "product_name": f"Sản phẩm {n}", "group_code": "I.3.c", "stars": "4",
     "price_vnd": str(50_000 + n)}
    for n in range(1, 8)
]
_serial = itertools.count(1)


def sandbox_test_config():
    """The default shops, with a review rule that needs a GTIN in one category."""
    config = default_config()
    for channel in config.channels:
        review = replace(config.channels[channel].review, gtin_required_categories=(GTIN_REQUIRED_CATEGORY,))
        config = config.with_channel(channel, review=review)
    return config


@pytest.fixture(scope="session")
def fleet(tmp_path_factory):
    with running_sandboxes(tmp_path_factory.mktemp("sandboxes"), config=sandbox_test_config(),
                           registry_rows=REGISTRY_ROWS) as running:
        yield running


@pytest.fixture(autouse=True)
def calm_faults(request):
    """Whatever a test switched on is switched off again, and reviews decide at once."""
    yield
    if "fleet" in request.fixturenames:
        running = request.getfixturevalue("fleet")
        for channel in running.sandboxes:
            running.set_faults(channel, FaultConfig())
            running.sandboxes[channel].settings = replace(running.sandboxes[channel].settings,
                                                          review=sandbox_test_config().channels[channel].review)


@pytest.fixture
def sku() -> str:
    return f"OCOP-T{next(_serial):05d}"


@pytest.fixture(scope="session")
def session():
    with requests.Session() as s:
        yield s


@pytest.fixture
def shopee(fleet, session) -> ShopeeClient:
    return ShopeeClient(fleet.shop("shopee-dong-thap"), session)


@pytest.fixture
def lazada(fleet, session) -> LazadaClient:
    return LazadaClient(fleet.shop("lazada-dong-thap"), session)


@pytest.fixture
def tiktok(fleet, session) -> TikTokClient:
    return TikTokClient(fleet.shop("tiktok-dong-thap"), session)


def set_review(fleet, channel: Channel, **changes) -> None:
    sandbox = fleet.sandboxes[channel]
    sandbox.settings = replace(sandbox.settings, review=replace(sandbox.settings.review, **changes))


def shopee_item(client: ShopeeClient, sku: str, **overrides) -> dict:
    image_id = client.upload_image(png_bytes())
    body = {
        "item_name": "Mứt sen Đồng Tháp OCOP 4 sao hộp 500 g", "description": "Mứt sen sấy dẻo. " * 10,
        "original_price": 85000, "weight": 0.6, "category_id": int(GTIN_REQUIRED_CATEGORY), "item_sku": sku,
        "image": {"image_id_list": [image_id]}, "logistic_info": [{"logistic_id": 50018, "enabled": True}],
        "seller_stock": [{"stock": 40}], "gtin_code": "8931234567897",
        "dimension": {"package_length": 20, "package_width": 15, "package_height": 8},
        "brand": {"brand_id": 0, "original_brand_name": "No Brand"},
        "attribute_list": [{"attribute_id": 100037, "attribute_value_list": [{"value_id": 1000}]},
                           {"attribute_id": 100010, "attribute_value_list": [{"value_id": 0, "original_value_name": "500 g"}]}],
    }
    body.update(overrides)
    return body


def lazada_product(client: LazadaClient, sku: str, *, sku_fields: dict | None = None, **overrides) -> dict:
    url = client.upload_image(png_bytes())
    product = {
        "PrimaryCategory": "10000111", "Images": {"Image": [url]},
        "Attributes": {"name": "Mứt sen Đồng Tháp OCOP 4 sao hộp 500 g", "description": "<p>Mứt sen</p>",
                       "brand": "No Brand", "country_origin": "Việt Nam", "net_weight": "500 g"},
        "Skus": {"Sku": [{"SellerSku": sku, "quantity": 40, "price": 85000, "package_weight": 0.6,
                          "package_length": 20, "package_width": 15, "package_height": 8,
                          "barcode": "8931234567897", **(sku_fields or {})}]},
    }
    product.update(overrides)
    return product


def tiktok_product(client: TikTokClient, sku: str, *, sku_fields: dict | None = None, **overrides) -> dict:
    uri = client.upload_image(png_bytes())
    product = {
        "title": "Mứt sen Đồng Tháp OCOP 4 sao hộp 500 g", "description": "<p>Mứt sen sấy dẻo</p>",
        "category_id": "700101", "main_images": [{"uri": uri}],
        "package_weight": {"value": "0.6", "unit": "KILOGRAM"},
        "package_dimensions": {"length": "20", "width": "15", "height": "8", "unit": "CENTIMETER"},
        "product_attributes": [{"id": "100137", "values": [{"id": "1000"}]}, {"id": "100110", "values": [{"name": "500 g"}]}],
        "skus": [{"seller_sku": sku, "price": {"amount": "85000", "currency": "VND"},
                  "inventory": [{"warehouse_id": client.warehouse(), "quantity": 40}],
                  "identifier_code": {"code": "8931234567897", "type": "EAN"}, **(sku_fields or {})}],
    }
    product.update(overrides)
    return product
