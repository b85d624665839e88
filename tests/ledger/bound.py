"""Ledger rows written directly, as an earlier publish would have left them."""

from __future__ import annotations

from catalogue.models import Producer, Product
from catalogue.records import CatalogueProduct
from ledger.models import ListingBinding, Shop


def bind(session, item: CatalogueProduct, shop_key: str, **columns) -> None:
    """The product (and its producer and shop, if new) with a binding to the shop holding `columns`."""
    producer = session.query(Producer).filter_by(key=item.producer.key).one_or_none() or Producer(
        key=item.producer.key, name=item.producer.name, kind=item.producer.kind.value, tax_code=item.producer.tax_code,
        province="Đồng Tháp", commune=item.producer.address.commune)
    shop = session.query(Shop).filter_by(key=shop_key).one_or_none() or Shop(
        key=shop_key, channel=shop_key.split("-")[0], name=shop_key)
    product = session.query(Product).filter_by(seller_sku=item.product.seller_sku).one_or_none() or Product(
        ocop_code=item.product.ocop_code, seller_sku=item.product.seller_sku, name=item.product.name,
        name_key=item.product.name.lower(), group_code=item.product.group_code, producer=producer,
        price_vnd=item.product.price_vnd, content_hash="x" * 64)
    session.add(ListingBinding(product=product, shop=shop, seller_sku=item.product.seller_sku, **columns))
    session.flush()
