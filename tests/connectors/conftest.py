"""Shops with recognisable fake secrets, and connectors whose clock, sleep and jitter the test holds."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from connectors.base import RetryPolicy, TokenBucket
from connectors.registry import connector_for
from connectors.types import Channel, ListingContent, ShopConfig, ShopCredentials

APP_SECRET = "s3cr3t-app-secret-7d1f0c"
ACCESS_TOKEN = "t0k3n-access-9c2e5b"
FIXED_TIME = 1_767_225_600.25          # 2026-01-01T00:00:00.25Z
BASE_URLS = {
    Channel.SHOPEE: "https://partner.shopeemobile.com",
    Channel.LAZADA: "https://api.lazada.vn/rest",
    Channel.TIKTOK: "https://open-api.tiktokglobalshop.com",
}
SHOP_IDS = {Channel.SHOPEE: "14701711", Channel.LAZADA: None, Channel.TIKTOK: "ROW_cipher_42"}
CHANNEL_OPTIONS = {
    Channel.SHOPEE: {"logistic_ids": [50011]},
    Channel.LAZADA: {},
    Channel.TIKTOK: {"warehouse_id": "7068517275539719942"},
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
        brand="HTX Ong mật Châu Thành",
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


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def sleeps(fake_time) -> list[float]:
    """Every sleep the connector and its rate limiter asked for, in order; nothing really sleeps."""
    return fake_time.sleeps


@pytest.fixture
def make_connector(fake_time):
    made = []

    def make(channel: Channel, **options):
        options.setdefault("sleep", fake_time.sleep)
        options.setdefault("clock", lambda: FIXED_TIME)
        options.setdefault("rand", lambda: 0.5)
        options.setdefault("retry", RetryPolicy(attempts=4, backoff_base=0.5))
        options.setdefault("rate_limiter", TokenBucket(1000.0, burst=1000.0, clock=fake_time.monotonic,
                                                       sleep=fake_time.sleep))
        for name, value in CHANNEL_OPTIONS[channel].items():
            options.setdefault(name, value)
        connector = connector_for(shop_config(channel), **options)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()
