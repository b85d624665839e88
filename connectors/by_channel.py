"""Which connector speaks to which channel. Adding a channel is one module and one line here."""

from __future__ import annotations

from typing import Any

from connectors.base import HttpConnector
from connectors.lazada import LazadaConnector
from connectors.sendo import SendoConnector
from connectors.shopee import ShopeeConnector
from connectors.tiki import TikiConnector
from connectors.tiktok import TikTokConnector
from connectors.types import Connector, RateLimiter, ShopConfig
from ocop.channels import Channel

CONNECTORS: dict[Channel, type[HttpConnector]] = {
    Channel.SHOPEE: ShopeeConnector,
    Channel.LAZADA: LazadaConnector,
    Channel.TIKTOK: TikTokConnector,
    Channel.TIKI: TikiConnector,
    Channel.SENDO: SendoConnector,
}


def connector_for(shop: ShopConfig, *, rate_limiter: RateLimiter | None = None, **options: Any) -> Connector:
    """A connector for the shop's channel.

    `rate_limiter` paces its calls: by default this process's bucket for the shop; a flow passes
    `ledger.shared_rate_limiter(engine, shop)` so that every process publishing to
    the shop shares one limit. `options` go to the connector: the base's `session`, `timeout`
    (default: the shop's `connect_timeout_s`, `read_timeout_s`), `retry`, `sleep`, `clock`, `rand`,
    and the channel's own (Shopee `logistic_ids`; Lazada `gtin_sku_attribute`; TikTok
    and Tiki `warehouse_id`; Shopee, Lazada and TikTok `category_refresh_s`)."""
    try:
        connector_class = CONNECTORS[shop.channel]
    except KeyError:
        raise ValueError(f"shop {shop.key!r}: no connector for channel {shop.channel!r}") from None
    return connector_class(shop, rate_limiter=rate_limiter, **options)
