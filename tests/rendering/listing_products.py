"""Catalogue products for rendering tests, built directly from `catalogue.records` dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from catalogue.records import (
    Address,
    CatalogueProduct,
    CertificationRecord,
    ProducerKind,
    ProducerRecord,
    ProductRecord,
)

TODAY = dt.date(2026, 1, 10)
CHANNELS = ("shopee", "lazada", "tiktok")


def catalogue_product(
    *,
    certification: CertificationRecord | None | str = "valid",
    producer: dict | None = None,
    **product_fields,
) -> CatalogueProduct:
    """A 4★ lotus-seed product of a Đồng Tháp cooperative; keyword arguments replace its fields."""
    product = ProductRecord(
        ocop_code="83-829-28780-3-2022",
        seller_sku="OCOP-DT-HATSEN-100G",
        name="Hạt sen sấy giòn Tháp Mười",
        group_code="I.3.c",
        producer_key="1402112233",
        price_vnd=105_000,
        net_weight_g=120,
        pack_size="100 g",
        gtin="8935012345677",
        description="Hạt sen già hái tại đầm sen Tháp Mười.\nSấy giòn, không đường, không chất bảo quản.",
        stock=40,
    )
    owner = ProducerRecord(
        key="1402112233",
        name="Hợp tác xã Sen Tháp Mười",
        kind=ProducerKind.COOPERATIVE,
        tax_code="1402112233",
        address=Address(
            province="Đồng Tháp",
            commune="Xã Tháp Mười",
            street="Ấp 3",
            district_old="Huyện Tháp Mười",
            province_old="Đồng Tháp",
            commune_old="Xã Mỹ Hòa",
        ),
    )
    if producer:
        owner = replace(owner, **producer)
    if certification == "valid":
        certification = CertificationRecord("3981/QĐ-UBND", dt.date(2024, 3, 12), "UBND tỉnh Đồng Tháp", 4, score=78)
    history = (certification,) if certification else ()
    return CatalogueProduct(replace(product, **product_fields), owner, certification, history)
