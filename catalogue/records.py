"""Plain data that crosses module boundaries: what ingest produces and what rendering consumes.

These are not ORM objects; `ocop.store` converts between the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from catalogue.groups import is_physical_goods

CERTIFICATE_VALIDITY = relativedelta(months=36)
RECOGNISED_STARS = frozenset({3, 4, 5})


class ProducerKind(StrEnum):
    COOPERATIVE = "cooperative"          # hợp tác xã
    ENTERPRISE = "enterprise"            # doanh nghiệp
    COOPERATIVE_GROUP = "cooperative_group"  # tổ hợp tác
    HOUSEHOLD = "household"              # hộ kinh doanh / cơ sở sản xuất
    UNSPECIFIED = "unspecified"          # neither given nor readable from the name (an institute, a trade name)


@dataclass(frozen=True)
class Address:
    """Old (pre-July-2025) units as the certificate reads, and the new two-level units."""

    province: str
    commune: str
    district_old: str | None = None
    province_old: str | None = None
    commune_old: str | None = None
    street: str | None = None


@dataclass(frozen=True)
class ProducerRecord:
    key: str               # tax code, or the 12-digit personal id of a household
    name: str
    kind: ProducerKind
    tax_code: str | None
    address: Address
    email: str | None = None   # where the producer's report is sent (`ocop report --email`)


@dataclass(frozen=True)
class CertificationRecord:
    decision_number: str   # e.g. 3981/QĐ-UBND
    signed_on: dt.date
    authority: str
    stars: int
    score: int | None = None
    revoked: bool = False

    @property
    def expires_on(self) -> dt.date:
        return expiry_of(self.signed_on)

    def is_valid_on(self, day: dt.date) -> bool:
        return not self.revoked and self.stars in RECOGNISED_STARS and day < self.expires_on


def expiry_of(signed_on: dt.date) -> dt.date:
    """A recognition is valid for 36 months from the signing date of the decision."""
    return signed_on + CERTIFICATE_VALIDITY


@dataclass(frozen=True)
class ProductRecord:
    ocop_code: str
    seller_sku: str
    name: str
    group_code: str
    producer_key: str
    price_vnd: int
    net_weight_g: int | None
    pack_size: str | None
    gtin: str | None
    description: str = ""
    stock: int = 100
    images: tuple[str, ...] = ()


class NotListable(StrEnum):
    """Why a certified product is outside the "must be listed" denominator."""

    SERVICE = "tourism service: not physical goods"
    NO_CERTIFICATE = "no OCOP recognition on record"
    EXPIRED = "certificate expired"
    REVOKED = "certificate revoked"


@dataclass(frozen=True)
class CatalogueProduct:
    """One product with its producer and current recognition, as rendering and planning see it."""

    product: ProductRecord
    producer: ProducerRecord
    certification: CertificationRecord | None
    history: tuple[CertificationRecord, ...] = field(default=())

    def not_listable_reason(self, today: dt.date) -> NotListable | None:
        if not is_physical_goods(self.product.group_code):
            return NotListable.SERVICE
        cert = self.certification
        if cert is None:
            return NotListable.NO_CERTIFICATE
        if cert.revoked:
            return NotListable.REVOKED
        if not cert.is_valid_on(today):
            return NotListable.EXPIRED
        return None

    def is_listable(self, today: dt.date) -> bool:
        return self.not_listable_reason(today) is None
