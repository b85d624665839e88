"""The schema is built by migrations and enforces the keys the ledger relies on, on both backends."""

import datetime as dt

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from catalogue.models import Certification, Producer, Product
from ledger.models import ListingBinding, Shop
from ocop.store import transaction


def _producer() -> Producer:
    return Producer(key="0100109106", name="HTX Sen Tháp Mười", kind="cooperative", tax_code="0100109106",
                    province="Đồng Tháp", commune="Tháp Mười")


def _product(producer: Producer, sku: str = "OCOP-HAT-SEN-SAY-0001") -> Product:
    return Product(ocop_code="83-829-28780-3-2022", seller_sku=sku, name="Hạt sen sấy", name_key="hat sen say",
                   group_code="I.3.c", producer=producer, price_vnd=105_000, content_hash="x" * 64)


def test_migrations_create_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"producers", "products", "certifications", "ingest_runs", "ingest_rejects",
            "shops", "listing_bindings", "listing_events", "image_uploads"} <= tables


def test_product_keeps_its_certification_history(engine):
    with transaction(engine) as session:
        product = _product(_producer())
        product.certifications = [
            Certification(decision_number="1/QĐ-UBND", signed_on=dt.date(2021, 3, 1), authority="UBND tỉnh Đồng Tháp",
                          stars=3, expires_on=dt.date(2024, 3, 1)),
            Certification(decision_number="2/QĐ-UBND", signed_on=dt.date(2024, 2, 1), authority="UBND tỉnh Đồng Tháp",
                          stars=4, expires_on=dt.date(2027, 2, 1)),
        ]
        session.add(product)
    with transaction(engine) as session:
        stored = session.scalars(select(Product)).one()
        assert [c.stars for c in stored.certifications] == [3, 4]


def test_one_binding_per_product_and_shop(engine):
    with pytest.raises(IntegrityError):
        with transaction(engine) as session:
            product = _product(_producer())
            shop = Shop(key="shopee-dong-thap", channel="shopee", name="OCOP Đồng Tháp")
            session.add_all([
                ListingBinding(product=product, shop=shop, seller_sku=product.seller_sku),
                ListingBinding(product=product, shop=shop, seller_sku=product.seller_sku),
            ])
    with transaction(engine) as session:
        assert session.scalars(select(ListingBinding)).all() == []
