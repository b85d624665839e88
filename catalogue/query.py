"""Reading the catalogue back as plain records, the way rendering, planning and reports consume it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from catalogue.models import Certification, Producer, Product
from catalogue.provinces import canonical_province
from catalogue.records import (
    Address,
    CatalogueProduct,
    CertificationRecord,
    ProducerKind,
    ProducerRecord,
    ProductRecord,
)

_PRODUCT_COLUMNS = (Product.id, Product.producer_id, Product.ocop_code, Product.seller_sku, Product.name,
                    Product.group_code, Product.price_vnd, Product.net_weight_g, Product.pack_size, Product.gtin,
                    Product.description, Product.stock, Product.images)


def load_catalogue(session: Session, *, province: str | None = None) -> list[CatalogueProduct]:
    """Every product (of one province, by its post-2025 name, if given), ordered by OCOP code.

    The current certification is the latest by signing date; the history lists all of them in
    signing order. Three queries of plain rows whatever the size of the catalogue.
    """
    return list(load_catalogue_by_id(session, province=province).values())


def load_catalogue_by_id(session: Session, *, province: str | None = None) -> dict[int, CatalogueProduct]:
    """`load_catalogue` keyed by product id: the key the ledger binds a product's listings to."""
    in_province = Producer.province == canonical_province(province) if province else true()
    producers = {row.id: _producer(row) for row in session.execute(
        select(*Producer.__table__.columns).where(in_province))}
    history = _certifications(session, in_province)
    rows = session.execute(select(*_PRODUCT_COLUMNS).join(Producer, Producer.id == Product.producer_id)
                           .where(in_province).order_by(Product.ocop_code))
    return {row.id: _catalogue_product(row, producers[row.producer_id], history.get(row.id, [])) for row in rows}


def load_producers(session: Session, keys: Iterable[str]) -> dict[str, ProducerRecord]:
    """The producers of these keys (tax codes) as stored, e-mail address included."""
    rows = session.execute(select(*Producer.__table__.columns).where(Producer.key.in_(list(keys))))
    return {row.key: _producer(row) for row in rows}


def _certifications(session: Session, in_province: ColumnElement[bool]) -> dict[int, list[CertificationRecord]]:
    query = (select(Certification.product_id, Certification.decision_number, Certification.signed_on,
                    Certification.authority, Certification.stars, Certification.score, Certification.revoked)
             .join(Product, Product.id == Certification.product_id)
             .join(Producer, Producer.id == Product.producer_id)
             .where(in_province)
             .order_by(Certification.product_id, Certification.signed_on, Certification.id))
    history: dict[int, list[CertificationRecord]] = {}
    for row in session.execute(query):
        history.setdefault(row.product_id, []).append(CertificationRecord(
            decision_number=row.decision_number, signed_on=row.signed_on, authority=row.authority,
            stars=row.stars, score=row.score, revoked=row.revoked))
    return history


def _producer(row) -> ProducerRecord:
    address = Address(province=row.province, commune=row.commune, district_old=row.district_old,
                      province_old=row.province_old, commune_old=row.commune_old, street=row.street)
    return ProducerRecord(key=row.key, name=row.name, kind=ProducerKind(row.kind), tax_code=row.tax_code,
                          address=address, email=row.email)


def _catalogue_product(row, producer: ProducerRecord, history: list[CertificationRecord]) -> CatalogueProduct:
    product = ProductRecord(
        ocop_code=row.ocop_code, seller_sku=row.seller_sku, name=row.name, group_code=row.group_code,
        producer_key=producer.key, price_vnd=row.price_vnd, net_weight_g=row.net_weight_g, pack_size=row.pack_size,
        gtin=row.gtin, description=row.description, stock=row.stock, images=tuple(row.images or ()))
    return CatalogueProduct(product=product, producer=producer, certification=history[-1] if history else None,
                            history=tuple(history))
