"""An in-memory marketplace shop behind the Connector interface, with scripted failures.

The publisher's tests use it with a real ledger database: what is under test is the ledger and
the publisher, not HTTP (the connectors and sandboxes have their own suites).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

from pydantic import SecretStr

from connectors.types import CreateResult, ListingStatus, RemoteListing, ShopConfig, ShopCredentials
from ocop.channels import Channel

SHOP = ShopConfig("shopee-fake", Channel.SHOPEE, "http://127.0.0.1:9", ShopCredentials("1", SecretStr("k"), SecretStr("t")))


@dataclass
class Item:
    seller_sku: str
    title: str
    price_vnd: int
    status: ListingStatus = ListingStatus.UNDER_REVIEW


@dataclass
class FakeShop:
    channel = Channel.SHOPEE
    shop = SHOP
    items: dict[str, Item] = field(default_factory=dict)
    calls: Counter = field(default_factory=Counter)
    failures: dict[str, list[Exception]] = field(default_factory=dict)   # operation -> errors to raise, in order
    lost_answers: int = 0    # creates that land but whose answer never arrives (process killed, connection cut)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    def _call(self, operation: str) -> None:
        self.calls[operation] += 1
        queued = self.failures.get(operation)
        if queued:
            raise queued.pop(0)

    def upload_image(self, content: bytes, filename: str) -> str:
        self._call("upload_image")
        return f"img-{filename}"

    def create(self, content) -> CreateResult:
        self._call("create")
        if any(item.seller_sku == content.seller_sku for item in self.items.values()):
            from connectors.errors import Rejected
            raise Rejected(f"item_sku {content.seller_sku} is already used", code="error_param")
        remote_id = str(next(self._ids))
        self.items[remote_id] = Item(content.seller_sku, content.title, content.price_vnd)
        if self.lost_answers:
            self.lost_answers -= 1
            raise KeyboardInterrupt("the worker died before the answer was recorded")
        return CreateResult(remote_id, None, f"req-{remote_id}")

    def update(self, remote_id: str, content, *, remote_sku_id=None) -> None:
        self._call("update")
        self.items[remote_id].title = content.title

    def update_price_stock(self, remote_id: str, price_vnd: int, stock: int, *, seller_sku: str, remote_sku_id=None) -> None:
        self._call("price_stock")
        self.items[remote_id].price_vnd = price_vnd

    def find_by_seller_sku(self, seller_sku: str) -> RemoteListing | None:
        self._call("find")
        for remote_id, item in self.items.items():
            if item.seller_sku == seller_sku:
                return RemoteListing(remote_id, seller_sku, item.status, item.status.value)
        return None

    def unlist(self, remote_id: str) -> None:
        self._call("unlist")
        self.items[remote_id].status = ListingStatus.INACTIVE

    def relist(self, remote_id: str) -> None:
        self._call("relist")
        self.items[remote_id].status = ListingStatus.UNDER_REVIEW

    def close(self) -> None:
        pass

    def skus(self) -> Counter:
        return Counter(item.seller_sku for item in self.items.values())
