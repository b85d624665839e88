"""The facts a listing states about a product, cleaned and formatted in Vietnamese for the templates.

Everything catalogue-supplied passes through `text.plain` here, so no template sees raw markup;
HTML templates escape on top of that. The certification appears only while it is valid: an expired
or revoked recognition gives no star claim anywhere in the listing. An optional fact with nothing to
say is None or empty, and the templates leave out its label with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from catalogue.groups import GROUPS
from catalogue.normalise import clean_product_name
from catalogue.records import CatalogueProduct, ProducerKind, ProducerRecord
from rendering.barcode import Gtin
from rendering.contacts import ContactKind, without_contact_details
from rendering.origin import speciality_origin
from rendering.text import contains_pack, names_in_full, plain, plain_paragraphs

PRODUCER_KIND_LABELS = {
    ProducerKind.COOPERATIVE: "Hợp tác xã",
    ProducerKind.ENTERPRISE: "Doanh nghiệp",
    ProducerKind.COOPERATIVE_GROUP: "Tổ hợp tác",
    ProducerKind.HOUSEHOLD: "Hộ kinh doanh",
}
# Words by which a producer's name states its kind itself ("HTX Sen Tháp Mười", "Cơ sở Ong Tư"):
# such a name is printed alone, not as "Hợp tác xã: Hợp tác xã Sen Tháp Mười".
_KIND_WORDS = ("hợp tác xã", "htx", "tổ hợp tác", "tht", "doanh nghiệp", "dntn", "công ty", "cty", "chi nhánh",
               "hộ kinh doanh", "hkd", "cơ sở", "cssx", "hộ sản xuất")


@dataclass(frozen=True)
class CertificationFacts:
    stars: int
    decision_number: str
    authority: str
    signed_on: str          # dd/mm/yyyy
    valid_until: str        # last valid day, dd/mm/yyyy
    score: int | None


@dataclass(frozen=True)
class ListingFacts:
    name: str                       # without any certification claim of its own
    pack: str | None                # for titles: None when the name already states it
    pack_size: str | None           # for descriptions: always the catalogue's pack size
    paragraphs: tuple[str, ...]     # the producer's own description, without contact details unless kept
    removed_contacts: tuple[ContactKind, ...]  # the kinds of contact detail left out of `paragraphs`
    ocop_code: str
    group_name: str
    weight: str | None              # "500 g", "1,2 kg"
    gtin: Gtin | None
    certification: CertificationFacts | None
    producer_name: str
    producer_kind: str | None       # None when unknown, or when the name states it already
    producer_address: str
    certificate_address: str | None  # the pre-July-2025 units the certificate reads
    province: str                   # where the producer is filed today
    origin: str | None              # the speciality's origin (`rendering.origin`); None when the name says it


def listing_facts(
    item: CatalogueProduct, *, today: dt.date, gtin: Gtin | None, keep_contact_details: bool = False
) -> ListingFacts:
    """The facts of one listing; `keep_contact_details` for a channel that allows them in a listing."""
    product, producer = item.product, item.producer
    name = clean_product_name(plain(product.name))
    pack_size = plain(product.pack_size) or None
    paragraphs, removed = plain_paragraphs(product.description), ()
    if not keep_contact_details:
        paragraphs, removed = without_contact_details(paragraphs)
    return ListingFacts(
        name=name,
        pack=None if pack_size is None or contains_pack(name, pack_size) else pack_size,
        pack_size=pack_size,
        paragraphs=tuple(paragraphs),
        removed_contacts=removed,
        ocop_code=plain(product.ocop_code),
        group_name=GROUPS.get(product.group_code, product.group_code),
        weight=format_weight(product.net_weight_g),
        gtin=gtin,
        certification=certification_facts(item, today),
        producer_name=plain(producer.name),
        producer_kind=_kind_label(producer),
        producer_address=_join(producer.address.street, producer.address.commune, producer.address.province),
        certificate_address=_old_address(item),
        province=plain(producer.address.province),
        origin=speciality_origin(producer.address, name),
    )


def certification_facts(item: CatalogueProduct, today: dt.date) -> CertificationFacts | None:
    """The recognition the listing may claim: None unless it is valid today."""
    cert = item.certification
    if cert is None or not cert.is_valid_on(today):
        return None
    return CertificationFacts(
        stars=cert.stars,
        decision_number=plain(cert.decision_number),
        authority=plain(cert.authority),
        signed_on=format_date(cert.signed_on),
        valid_until=format_date(cert.expires_on - dt.timedelta(days=1)),
        score=cert.score,
    )


def format_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def format_weight(grams: int | None) -> str | None:
    """Vietnamese style: grams below a kilogram, else kilograms with a decimal comma."""
    if grams is None or grams <= 0:
        return None
    if grams < 1000:
        return f"{grams} g"
    return f"{grams / 1000:.3f}".rstrip("0").rstrip(".").replace(".", ",") + " kg"


def _kind_label(producer: ProducerRecord) -> str | None:
    label = PRODUCER_KIND_LABELS.get(producer.kind)
    name = plain(producer.name)
    return None if label is None or any(names_in_full(name, word) for word in _KIND_WORDS) else label


def _old_address(item: CatalogueProduct) -> str | None:
    address = item.producer.address
    if not (address.province_old or address.district_old or address.commune_old):
        return None
    old = _join(address.commune_old, address.district_old, address.province_old)
    return old if old != _join(address.commune, address.province) else None


def _join(*parts: str | None) -> str:
    return ", ".join(cleaned for part in parts if (cleaned := plain(part)))
