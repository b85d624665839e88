"""Test building blocks: catalogue products as ingest would produce them, and shops held in memory.

`MemoryShop` answers the read half of the Connector protocol from a dict that tests edit directly,
the way a seller edits items in the seller centre. Reports tests import this module too.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

from pydantic import SecretStr

from catalogue.normalise import seller_sku
from catalogue.records import (
    Address,
    CatalogueProduct,
    CertificationRecord,
    ProducerKind,
    ProducerRecord,
    ProductRecord,
)
from connectors.errors import ConnectorError, NotFound
from connectors.types import ListingStatus, RemoteListing, ShopConfig, ShopCredentials
from ocop.channels import Channel

TODAY = dt.date(2026, 6, 1)
SECRET = "s3cr3t-partner-key-DO-NOT-LEAK"
TOKEN = "t0ken-DO-NOT-LEAK"


def producer(key: str = "1401234567", name: str = "HTX Sen Tháp Mười", *, kind: ProducerKind = ProducerKind.COOPERATIVE,
             commune: str = "Tháp Mười", district_old: str | None = "Huyện Tháp Mười") -> ProducerRecord:
    address = Address(province="Đồng Tháp", commune=commune, district_old=district_old, province_old="Đồng Tháp")
    return ProducerRecord(key=key, name=name, kind=kind, tax_code=key, address=address)


def product(code: str, name: str, *, maker: ProducerRecord | None = None, stars: int = 4,
            signed_on: dt.date = dt.date(2025, 1, 10), group: str = "I.3.c", price: int = 105_000,
            gtin: str | None = None, revoked: bool = False, certified: bool = True,
            pack: str | None = "500 g") -> CatalogueProduct:
    record = ProductRecord(ocop_code=code, seller_sku=seller_sku(code), name=name, group_code=group,
                           producer_key=(maker or producer()).key, price_vnd=price, net_weight_g=500,
                           pack_size=pack, gtin=gtin)
    cert = CertificationRecord(decision_number="3981/QĐ-UBND", signed_on=signed_on, authority="UBND tỉnh Đồng Tháp",
                               stars=stars, score=75, revoked=revoked) if certified else None
    return CatalogueProduct(product=record, producer=maker or producer(), certification=cert,
                            history=(cert,) if cert else ())


class MemoryShop:
    """One seller account held in memory. `thin=True` lists items without title or price, like Shopee."""

    def __init__(self, key: str, channel: Channel, *, thin: bool = False) -> None:
        self.channel = channel
        self.shop = ShopConfig(key=key, channel=channel, base_url="http://127.0.0.1:9",
                               credentials=ShopCredentials("partner-1", SecretStr(SECRET), SecretStr(TOKEN), "77"))
        self.items: dict[str, RemoteListing] = {}
        self.thin = thin
        self.detail_calls = 0
        self.fail_with: ConnectorError | None = None
        self._ids = itertools.count(1001)

    def list_product(self, item: CatalogueProduct, *, status: ListingStatus = ListingStatus.LIVE,
                     reject_reason: str | None = None) -> str:
        """Put the product on the shop as the pipeline renders it; returns the remote id."""
        p, cert = item.product, item.certification
        claim = f" - OCOP {cert.stars} sao" if cert else ""
        listing = RemoteListing(
            remote_id="", seller_sku=p.seller_sku, status=status, platform_status=status.value.upper(),
            title=f"{p.name} {p.pack_size or ''}{claim}".replace("  ", " "), description=p.description,
            price_vnd=p.price_vnd, stock=p.stock, gtin=p.gtin, reject_reason=reject_reason)
        return self.insert(listing)

    def insert(self, listing: RemoteListing) -> str:
        remote_id = str(next(self._ids))
        self.items[remote_id] = replace(listing, remote_id=remote_id)
        return remote_id

    def edit(self, remote_id: str, **changes) -> None:
        self.items[remote_id] = replace(self.items[remote_id], **changes)

    def iter_listings(self):
        if self.fail_with is not None:
            raise self.fail_with
        for item in self.items.values():
            yield replace(item, title=None, price_vnd=None, description=None) if self.thin else item

    def get(self, remote_id: str) -> RemoteListing:
        self.detail_calls += 1
        if remote_id not in self.items:
            raise NotFound(f"item {remote_id} not found", code="error_item_not_found")
        return self.items[remote_id]


def orphan(title: str, *, sku: str | None = "HANDMADE-1", status: ListingStatus = ListingStatus.LIVE) -> RemoteListing:
    return RemoteListing(remote_id="", seller_sku=sku, status=status, platform_status=status.value.upper(),
                         title=title, price_vnd=50_000)
