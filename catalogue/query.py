"""Reading the catalogue back as plain records, the way rendering, planning and reports consume it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.models import Certification, Producer, Product
from catalogue.provinces import canonical_province
from catalogue.records import Address, CatalogueProduct, CertificationRecord, ProducerKind, ProducerRecord, ProductRecord


def load_catalogue(session: Session, *, province: str | None = None) -> list[CatalogueProduct]:
    """Every product (of one province, by its post-2025 name, if given), ordered by OCOP code.

    The current certification is the latest by signing date; the history lists all of them in
    signing order. Three queries whatever the size of the catalogue.
    """
    producer_query = select(Producer)
    if province:
        producer_query = producer_query.where(Producer.province == canonical_province(province))
    producers = {row.id: _producer(row) for row in session.scalars(producer_query)}
    if not producers:
        return []
    product_query = select(Product).order_by(Product.ocop_code)
    if province:
        product_query = product_query.where(Product.producer_id.in_(select(Producer.id).where(
            Producer.province == canonical_province(province))))
    products = session.scalars(product_query).all()
    history = _certifications(session, province)
    return [_catalogue_product(row, producers[row.producer_id], history.get(row.id, [])) for row in products]


def _certifications(session: Session, province: str | None) -> dict[int, list[CertificationRecord]]:
    query = select(Certification).order_by(Certification.product_id, Certification.signed_on, Certification.id)
    if province:
        query = query.join(Product, Product.id == Certification.product_id).join(
            Producer, Producer.id == Product.producer_id).where(Producer.province == canonical_province(province))
    history: dict[int, list[CertificationRecord]] = {}
    for row in session.scalars(query):
        history.setdefault(row.product_id, []).append(CertificationRecord(
            decision_number=row.decision_number, signed_on=row.signed_on, authority=row.authority,
            stars=row.stars, score=row.score, revoked=row.revoked))
    return history


def _producer(row: Producer) -> ProducerRecord:
    address = Address(province=row.province, commune=row.commune, district_old=row.district_old,
                      province_old=row.province_old, commune_old=row.commune_old, street=row.street)
    return ProducerRecord(key=row.key, name=row.name, kind=ProducerKind(row.kind), tax_code=row.tax_code,
                          address=address)


def _catalogue_product(row: Product, producer: ProducerRecord, history: list[CertificationRecord]) -> CatalogueProduct:
    product = ProductRecord(
        ocop_code=row.ocop_code, seller_sku=row.seller_sku, name=row.name, group_code=row.group_code,
        producer_key=producer.key, price_vnd=row.price_vnd, net_weight_g=row.net_weight_g, pack_size=row.pack_size,
        gtin=row.gtin, description=row.description, stock=row.stock, images=tuple(row.images or ()))
    return CatalogueProduct(product=product, producer=producer, certification=history[-1] if history else None,
                            history=tuple(history))
