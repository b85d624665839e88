"""Test shops with recognisable fake secrets, a sample listing, a fake clock, and each platform's
answers to a create and to a seller SKU lookup, for the connector tests."""

from __future__ import annotations

import responses
from pydantic import SecretStr

from connectors.types import ListingContent, ShopConfig, ShopCredentials
from ocop.channels import Channel

APP_SECRET = "s3cr3t-app-secret-7d1f0c"
ACCESS_TOKEN = "t0k3n-access-9c2e5b"
FIXED_TIME = 1_767_225_600.25          # 2026-01-01T00:00:00.25Z
BASE_URLS = {
    Channel.SHOPEE: "https://partner.shopeemobile.com",
    Channel.LAZADA: "https://api.lazada.vn/rest",
    Channel.TIKTOK: "https://open-api.tiktokglobalshop.com",
    Channel.TIKI: "https://api.tiki.vn",
    Channel.SENDO: "https://open.sendo.vn",
}
SHOP_IDS = {Channel.SHOPEE: "14701711", Channel.LAZADA: None, Channel.TIKTOK: "ROW_cipher_42", Channel.TIKI: None,
            Channel.SENDO: None}
CHANNEL_OPTIONS = {
    Channel.SHOPEE: {"logistic_ids": [50011]},
    Channel.LAZADA: {},
    Channel.TIKTOK: {"warehouse_id": "7068517275539719942"},
    Channel.TIKI: {"warehouse_id": "371835"},
    Channel.SENDO: {},
}


def shop_config(channel: Channel, *, base_url: str | None = None, requests_per_second: float = 10.0) -> ShopConfig:
    return ShopConfig(
        key=f"{channel.value}-dong-thap",
        channel=channel,
        base_url=base_url or BASE_URLS[channel],
        credentials=ShopCredentials(app_key="2001887", app_secret=SecretStr(APP_SECRET),
                                    access_token=SecretStr(ACCESS_TOKEN), shop_id=SHOP_IDS[channel]),
        requests_per_second=requests_per_second,
    )


def sample_content(seller_sku: str = "OCOP-DT-0001", **changes) -> ListingContent:
    values = dict(
        seller_sku=seller_sku,
        title="Mật ong hoa nhãn Đồng Tháp 500 g - OCOP 4 sao",
        description="<p>Mật ong nguyên chất từ vườn nhãn Châu Thành.</p>",
        category_id="100629",
        price_vnd=185000,
        stock=40,
        weight_kg=0.65,
        package_cm=(12, 8, 8),
        image_refs=("img-cover", "img-2"),
        brand="No Brand",        # the producer's name is no brand the platforms list
        gtin="8938505974194",
        gtin_type="EAN",
    )
    values.update(changes)
    return ListingContent(**values)


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


SKU = "OCOP-DT-0001"


class Platform:
    """Per channel: where a create goes, what it answers, and how a seller SKU lookup answers."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    @property
    def create_url(self) -> str:
        return {
            Channel.SHOPEE: "https://partner.shopeemobile.com/api/v2/product/add_item",
            Channel.LAZADA: "https://api.lazada.vn/rest/product/create",
            Channel.TIKTOK: "https://open-api.tiktokglobalshop.com/product/202309/products",
            Channel.TIKI: "https://api.tiki.vn/integration/v2.1/requests",
            Channel.SENDO: "https://open.sendo.vn/api/partner/product",
        }[self.channel]

    def created(self, remote_id: str) -> dict:
        if self.channel == Channel.TIKI:
            # A request, approved by the time it is tracked.
            track_id = f"{int(remote_id):032x}"
            responses.get(f"https://api.tiki.vn/integration/v2/tracking/{track_id}", json={
                "track_id": track_id, "request_id": 1, "state": "approved", "product_id": int(remote_id)})
            responses.get(f"https://api.tiki.vn/integration/v2.1/products/{remote_id}", json={
                "id": int(remote_id), "original_sku": SKU, "active": 1})
            return {"track_id": track_id, "state": "queuing"}
        if self.channel == Channel.SENDO:
            return {"success": True, "statusCode": 200, "result": int(remote_id), "error": None}
        return {
            Channel.SHOPEE: {"error": "", "message": "", "request_id": "r1", "response": {"item_id": int(remote_id)}},
            Channel.LAZADA: {"code": "0", "request_id": "r1", "data": {"item_id": int(remote_id), "sku_list": [
                {"seller_sku": SKU, "sku_id": 1}]}},
            Channel.TIKTOK: {"code": 0, "message": "Success", "request_id": "r1", "data": {
                "product_id": remote_id, "skus": [{"id": "1", "seller_sku": SKU}]}},
        }[self.channel]

    def lookup_answers(self, remote_id: str | None) -> None:
        """Register how the shop answers a lookup of SKU: holding `remote_id`, or nothing."""
        if self.channel == Channel.SHOPEE:
            host = "https://partner.shopeemobile.com/api/v2/product"
            ids = [] if remote_id is None else [int(remote_id)]
            responses.get(f"{host}/search_item", json={"error": "", "response": {"item_id_list": ids, "total_count": len(ids)}})
            responses.get(f"{host}/get_item_base_info", json={"error": "", "response": {"item_list": [
                {"item_id": int(remote_id or 0), "item_sku": SKU, "item_status": "NORMAL"}]}})
        elif self.channel == Channel.LAZADA:
            products = [] if remote_id is None else [{"item_id": int(remote_id), "status": "Active",
                                                      "skus": [{"SellerSku": SKU, "SkuId": 1}]}]
            responses.get("https://api.lazada.vn/rest/products/get", json={"code": "0", "data": {
                "total_products": len(products), "products": products}})
        elif self.channel == Channel.TIKI:
            if remote_id is None:
                responses.get("https://api.tiki.vn/integration/v2/products/findBy", status=404,
                              json={"errors": [f"No product with original_sku {SKU}"]})
            else:
                responses.get("https://api.tiki.vn/integration/v2/products/findBy",
                              json={"id": int(remote_id), "original_sku": SKU, "active": 0})
            responses.get("https://api.tiki.vn/integration/v2/requests", json={"data": [], "paging": {"last_page": 1}})
        elif self.channel == Channel.SENDO:
            if remote_id is None:
                responses.get("https://open.sendo.vn/api/partner/product", status=404, json={
                    "success": False, "statusCode": 404, "result": None, "error": {"message": f"product {SKU} not found"}})
            else:
                responses.get("https://open.sendo.vn/api/partner/product", json={
                    "success": True, "statusCode": 200, "error": None,
                    "result": {"id": int(remote_id), "sku": SKU, "status": 1, "stock_availability": True}})
        else:
            products = [] if remote_id is None else [{"id": remote_id, "status": "PENDING",
                                                      "skus": [{"id": "1", "seller_sku": SKU}]}]
            responses.post("https://open-api.tiktokglobalshop.com/product/202309/products/search",
                           json={"code": 0, "data": {"products": products, "next_page_token": ""}})

    def creates_sent(self) -> int:
        return sum(1 for call in responses.calls
                   if call.request.url.split("?")[0] == self.create_url and call.request.method == "POST")
