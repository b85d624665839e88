"""The catalogue read back by product id: the key the ledger binds listings to, as plain records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from catalogue.ingest import ingest_rows
from catalogue.models import Product
from catalogue.query import load_catalogue, load_catalogue_by_id
from catalogue.records import CatalogueProduct
from catalogue.sample import sample_rows
from ocop.store import transaction

TODAY = dt.date(2026, 6, 1)


def test_products_are_keyed_by_their_database_id_in_ocop_code_order(engine):
    rows = sample_rows("Đồng Tháp", products=6, seed=3, today=TODAY) + sample_rows("Cao Bằng", products=4, seed=3,
                                                                                   today=TODAY)
    ingest_rows(engine, rows, today=TODAY)

    with transaction(engine) as session:
        by_id = load_catalogue_by_id(session)
        in_dong_thap = load_catalogue_by_id(session, province="Đồng Tháp")
        ids = dict(session.execute(select(Product.seller_sku, Product.id)).all())
        listed = load_catalogue(session)

    assert len(by_id) == 10 and all(isinstance(item, CatalogueProduct) for item in by_id.values())
    assert all(ids[item.product.seller_sku] == product_id for product_id, item in by_id.items())
    assert list(by_id.values()) == listed == sorted(listed, key=lambda item: item.product.ocop_code)
    assert len(in_dong_thap) == 6 and {item.producer.address.province for item in in_dong_thap.values()} == {"Đồng Tháp"}
    assert all(by_id[product_id] == item for product_id, item in in_dong_thap.items())
