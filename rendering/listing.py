"""Render one catalogue product into the exact listing one channel receives, or say why it cannot be.

`render_listing` is pure: the same product, profile and day give a byte-identical payload and
content hash. The hash covers everything the publish step pushes with a create or update (text,
category, weight, package, brand, barcode, attributes and the image bytes) and excludes price and
stock, which are synced on their own.

The completeness gate returns `Blocked` naming every missing or invalid field at once, so a
producer can fix them in one go. Tourism services (group VI) are never rendered as listings. A
shipping weight and box the catalogue does not state are estimated (`rendering.package_estimate`),
and the listing says so; only a product with nothing to estimate from is blocked for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path

from catalogue.groups import is_physical_goods
from catalogue.records import CatalogueProduct, NotListable
from connectors.types import CertificateDocument, ListingContent
from ocop.channels import Channel, ImageLimits, declaration
from rendering.attributes import fill_attributes
from rendering.barcode import Gtin, InvalidGtin, parse_gtin
from rendering.certificate import decision_document
from rendering.facts import ListingFacts, listing_facts
from rendering.image_sources import ImageUnavailable, is_url, read_image
from rendering.images import ImageLoader, RenderedImage, render_images
from rendering.issues import Actor, Issue
from rendering.package_estimate import NoPackageBasis, PackageRules, load_package_rules
from rendering.profiles import ChannelProfile, GtinPlacement, Requirement
from rendering.templating import parse_attributes, render_template
from rendering.text import (
    could_be_fitted,
    cut_at_word,
    fit_text,
    fit_title,
    names_in_full,
    plain,
)

__all__ = ["Blocked", "RenderedImage", "RenderedListing", "could_be_listing_title", "input_fingerprint",
           "render_listing"]

# Everything besides the product and the profile data that shapes a rendering: this code and the
# templates. Hashed once per process; a change here re-renders (never re-pushes unchanged content).
_RENDERER_SOURCES = (
    *sorted(Path(__file__).parent.glob("*.py")),
    *sorted(Path(__file__).parent.glob("profiles/*")),
    *sorted((Path(__file__).parent.parent / "templates").glob("*/*.j2")),
)


@dataclass(frozen=True)
class RenderedListing:
    seller_sku: str
    channel: Channel
    title: str
    description: str
    category_id: str
    weight_kg: float
    package_cm: tuple[int, int, int]
    brand: str
    gtin: str | None
    gtin_type: str | None
    attributes: dict[str, str]
    images: tuple[RenderedImage, ...]
    price_vnd: int
    stock: int
    package_estimated: bool              # weight and box estimated, not stated by the catalogue: not sent
    removed_contacts: tuple[str, ...] = ()   # kinds of contact detail left out of the description: not sent
    certificates: tuple[CertificateDocument, ...] = ()   # the OCOP decision, where a category rule asks for it
    content_hash: str = field(default="")

    def to_content(self, image_refs: Sequence[str]) -> ListingContent:
        """The connector's input, with `image_refs` the shop's upload answers for `images`, in order."""
        if len(image_refs) != len(self.images):
            raise ValueError(f"{self.seller_sku}: {len(image_refs)} image refs for {len(self.images)} rendered images")
        return ListingContent(
            seller_sku=self.seller_sku,
            title=self.title,
            description=self.description,
            category_id=self.category_id,
            price_vnd=self.price_vnd,
            stock=self.stock,
            weight_kg=self.weight_kg,
            package_cm=self.package_cm,
            image_refs=tuple(image_refs),
            brand=self.brand,
            gtin=self.gtin,
            gtin_type=self.gtin_type,
            attributes=dict(self.attributes),
            certificates=self.certificates,
        )

    def payload(self) -> bytes:
        """Canonical JSON of the whole listing (price and stock included, images by name and hash)."""
        return _canonical({**_hashed_fields(self), "price_vnd": self.price_vnd, "stock": self.stock})


@dataclass(frozen=True)
class Blocked:
    seller_sku: str
    channel: Channel
    reasons: tuple[str, ...]
    issues: tuple[Issue, ...] = ()        # the same problems as data: field, code, who must act

    @property
    def recorded_reasons(self) -> tuple[str, ...]:
        """The reasons as the ledger keeps them: each naming who must act, where the gate knows."""
        return tuple(issue.recorded for issue in self.issues) or self.reasons


def render_listing(
    product: CatalogueProduct,
    profile: ChannelProfile,
    *,
    today: dt.date,
    load_image: ImageLoader = read_image,
    include_images: bool = True,
    packages: PackageRules | None = None,
    image_limits: ImageLimits | None = None,
) -> RenderedListing | Blocked:
    """The listing `profile.channel` receives for `product`, or Blocked with every reason.

    `load_image` reads a product image reference (default: a local file, or a URL fetched through
    the disk cache) and raises `ImageUnavailable` when it cannot. `include_images=False` skips
    drawing (dry runs, benchmarks); its content hash differs from the full one, so never plan with
    it. `packages`: a province's own package rules (default: the shipped ones); `image_limits`: the
    channel's image limits (default: its declaration's).
    """
    sku, channel = product.product.seller_sku, profile.channel
    if not is_physical_goods(product.product.group_code):
        return Blocked(sku, channel, (f"group {product.product.group_code}: {NotListable.SERVICE.value}; never listed on a marketplace",))
    gate = _Gate(channel)
    gtin = _checked_gtin(product, profile, gate)
    facts = listing_facts(product, today=today, gtin=gtin)
    fields = _commerce_fields(product, profile, packages or load_package_rules(), gate)
    text = _text_fields(facts, profile, gate)
    filled = fill_attributes(facts, profile.attributes.get(fields["category_id"], ()), channel.value)
    for issue in filled.issues:
        gate.add(issue)
    limits = image_limits or declaration(channel).images
    images = _images(product, facts, profile, limits, gate, load_image) if include_images else None
    if gate.issues:
        return Blocked(sku, channel, tuple(issue.reason for issue in gate.issues), tuple(gate.issues))
    document = decision_document(facts) if filled.certifications else b""
    certificates = tuple(CertificateDocument(rule.key, f"{sku}-ocop.jpg", document) for rule in filled.certifications)
    gtin_value, gtin_type = _barcode_fields(gtin, profile)
    listing = RenderedListing(
        seller_sku=sku,
        channel=channel,
        title=text.title,
        description=text.description,
        attributes=filled.attributes if profile.attributes else text.attributes,
        **fields,
        gtin=gtin_value,
        gtin_type=gtin_type,
        images=images or (),
        price_vnd=product.product.price_vnd,
        stock=product.product.stock,
        removed_contacts=tuple(kind.value for kind in facts.removed_contacts),
        certificates=certificates,
    )
    content_hash = hashlib.sha256(_canonical({**_hashed_fields(listing), "images_rendered": include_images})).hexdigest()
    return replace(listing, content_hash=content_hash)


# Who can fix a field the gate finds missing or invalid; the producer unless named here.
_ACTORS = {"category": Actor.PROVINCE, "brand": Actor.OPERATOR, "seller_sku": Actor.OPERATOR}


class _Gate:
    """Collects every problem that keeps a listing from being sent, in the order the checks run."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.issues: list[Issue] = []

    def missing(self, what: str, why: str = "") -> None:
        because = f": {why}" if why else ""
        self.add(Issue(what, "missing", _ACTORS.get(what, Actor.PRODUCER),
                       f"{what} missing{because} (required by {self.channel.value})"))

    def invalid(self, what: str, problem: str) -> None:
        self.add(Issue(what, "invalid", _ACTORS.get(what, Actor.PRODUCER), f"{what} invalid: {problem} ({self.channel.value})"))

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)


def _checked_gtin(product: CatalogueProduct, profile: ChannelProfile, gate: _Gate) -> Gtin | None:
    value = (product.product.gtin or "").strip()
    if not value:
        if profile.gtin.requirement is Requirement.MANDATORY or "gtin" in profile.required:
            gate.missing("gtin")
        return None
    try:
        return parse_gtin(value)
    except InvalidGtin as error:
        gate.invalid("gtin", f"{error.value!r}, expected {error.expected}")
        return None


def _commerce_fields(product: CatalogueProduct, profile: ChannelProfile, packages: PackageRules, gate: _Gate) -> dict:
    record, required = product.product, profile.required
    category = profile.category_for(record.group_code)
    if category is None and "category" in required:
        gate.missing("category", f"no row for group {record.group_code} or its parents in categories.csv")
    try:
        package = packages.package_for(record)
    except NoPackageBasis as error:
        package = None
        if {"weight", "package_dimensions"} & required:
            gate.missing(error.field, error.why)
    brand = _brand(product, profile)
    if not brand and "brand" in required:
        gate.missing("brand")
    _check_price(record.price_vnd, profile, gate)
    _check_seller_sku(record.seller_sku, profile, gate)
    return {
        "category_id": category or "",
        "weight_kg": round(package.weight_g / 1000, 3) if package else 0.0,
        "package_cm": package.cm if package else (0, 0, 0),
        "package_estimated": package is not None and package.estimated,
        "brand": brand,
    }


def _brand(product: CatalogueProduct, profile: ChannelProfile) -> str:
    rule = profile.brand
    brand = plain(product.producer.name) if rule.source == "producer" else rule.fixed
    return cut_at_word(brand, rule.max_chars)


def _check_price(price_vnd: int, profile: ChannelProfile, gate: _Gate) -> None:
    rule = profile.price
    if not rule.min_vnd <= price_vnd <= rule.max_vnd:
        gate.invalid("price_vnd", f"{price_vnd} outside {rule.min_vnd}..{rule.max_vnd} VND")


def _check_seller_sku(sku: str, profile: ChannelProfile, gate: _Gate) -> None:
    rule = profile.seller_sku
    if len(sku) > rule.max_chars:
        gate.invalid("seller_sku", f"{sku!r} has {len(sku)} characters, at most {rule.max_chars}")
    if not rule.pattern.fullmatch(sku):
        gate.invalid("seller_sku", f"{sku!r} does not match {rule.pattern.pattern}")


@dataclass(frozen=True)
class _Text:
    title: str
    description: str
    attributes: dict[str, str]


def _text_fields(facts: ListingFacts, profile: ChannelProfile, gate: _Gate) -> _Text:
    cert = facts.certification
    title = _title(facts, profile)
    if title is None:
        gate.invalid("title", f"pack size and star label alone exceed {profile.title.max_chars} characters")
    elif len(title) < profile.title.min_chars:
        gate.invalid("title", f"{title!r} has {len(title)} characters, at least {profile.title.min_chars}")
    description = fit_text(
        lambda prose: render_template(
            profile.templates["description"], facts=facts, cert=cert, paragraphs=prose.split("\n") if prose else []
        ).strip(),
        "\n".join(facts.paragraphs),
        profile.description.max_chars,
    )
    if description is None:
        gate.invalid("description", f"the certification and product facts alone exceed {profile.description.max_chars} characters")
    elif len(description) < profile.description.min_chars:
        gate.invalid("description", f"{len(description)} characters, at least {profile.description.min_chars}")
    # A channel without a category attribute map (profiles/attributes.csv) states its attributes by template.
    name = profile.templates.get("attributes")
    attributes = parse_attributes(render_template(name, facts=facts, cert=cert), template=name) if name else {}
    return _Text(title or "", description or "", attributes)


def _title(facts: ListingFacts, profile: ChannelProfile) -> str | None:
    return fit_title(_title_composer(facts, profile), facts.name, profile.title.max_chars)


def _title_composer(facts: ListingFacts, profile: ChannelProfile) -> Callable[[str, bool], str]:
    """The channel's title template around a (possibly cut) name, with or without its optional parts."""
    stars = facts.certification.stars if facts.certification else None

    def compose(name: str, with_optional: bool) -> str:
        origin = facts.origin if with_optional else None
        rendered = render_template(profile.templates["title"], name=name, pack=facts.pack, stars=stars, origin=origin)
        return " ".join(rendered.split())

    return compose


def could_be_listing_title(product: CatalogueProduct, profile: ChannelProfile, title: str, *, today: dt.date) -> bool:
    """Whether a title read back from a shop could be the one rendering gives `product` on this
    channel, under any title limit (see `rendering.text.could_be_fitted`): reconciliation's test
    for a title edited by hand."""
    if names_in_full(title, product.product.name):
        return True   # the common case, answered without building the listing's facts
    facts = listing_facts(product, today=today, gtin=None)   # the title states no barcode
    return could_be_fitted(title, _title_composer(facts, profile), facts.name, likely_limit=profile.title.max_chars)


def _barcode_fields(gtin: Gtin | None, profile: ChannelProfile) -> tuple[str | None, str | None]:
    """(gtin, gtin_type): the type only for platforms that ask for it (TikTok's identifier_code)."""
    if gtin is None:
        return None, None
    if profile.gtin.placement is GtinPlacement.FIELD_WITH_TYPE:
        return gtin.digits, profile.gtin.types_by_length.get(len(gtin.digits))
    return gtin.digits, None


def _images(
    product: CatalogueProduct, facts: ListingFacts, profile: ChannelProfile, limits: ImageLimits, gate: _Gate,
    load_image: ImageLoader,
) -> tuple[RenderedImage, ...]:
    stars = facts.certification.stars if facts.certification else None
    try:
        images = render_images(product, stars, profile.images, limits, load=load_image)
    except ImageUnavailable as error:
        gate.invalid("images", str(error))
        return ()
    if len(images) < profile.images.min_count:
        gate.missing("images", f"{len(images)} of at least {profile.images.min_count}")
    return images


def _hashed_fields(listing: RenderedListing) -> dict:
    return {
        "channel": listing.channel.value,
        "seller_sku": listing.seller_sku,
        "title": listing.title,
        "description": listing.description,
        "category_id": listing.category_id,
        "weight_kg": listing.weight_kg,
        "package_cm": list(listing.package_cm),
        "brand": listing.brand,
        "gtin": listing.gtin,
        "gtin_type": listing.gtin_type,
        "attributes": listing.attributes,
        "certificates": [{"id": c.certification_id, "sha256": hashlib.sha256(c.content).hexdigest()}
                         for c in listing.certificates],
        "images": [{"filename": image.filename, "sha256": image.sha256} for image in listing.images],
    }


def _canonical(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def input_fingerprint(product: CatalogueProduct, profile: ChannelProfile, *, load_image: ImageLoader = read_image,
                      packages: PackageRules | None = None, image_limits: ImageLimits | None = None) -> str:
    """A hash of everything `render_listing` reads for a listable product: equal fingerprints, equal listings.

    Planning compares it with the fingerprint stored in the ledger to skip rendering (the costly
    part: images) for products that have not changed since they were last pushed. A URL's image
    counts by its bytes (revalidated through the fetcher's cache), so a picture replaced at the
    same URL re-publishes.
    """
    digest = hashlib.sha256(_renderer_fingerprint(profile))
    digest.update(repr(product).encode())  # frozen dataclasses of plain values: repr is complete and stable
    digest.update((packages or load_package_rules()).digest.encode())
    limits = asdict(image_limits or declaration(profile.channel).images)
    digest.update(json.dumps(limits, sort_keys=True, default=_canonical_value).encode())
    for ref in product.product.images:
        digest.update(_image_stamp(ref, load_image).encode())
    return digest.hexdigest()


def _image_stamp(ref: str, load_image: ImageLoader) -> str:
    """A photo replaced at the same path or URL, or one that was missing and now exists, changes the fingerprint."""
    if is_url(ref):
        try:
            return f"{ref}|{hashlib.sha256(load_image(ref)).hexdigest()}"
        except ImageUnavailable as error:
            return f"{ref}|unavailable|{error.reason}"
    try:
        stat = os.stat(ref)
    except (OSError, ValueError):
        return f"{ref}|unavailable"
    return f"{ref}|{stat.st_size}|{stat.st_mtime_ns}"


_profile_digests: dict[int, bytes] = {}


def _renderer_fingerprint(profile: ChannelProfile) -> bytes:
    """The code, templates and this profile's data; profiles are loaded once per process, so by identity."""
    key = id(profile)
    if key not in _profile_digests:
        data = json.dumps(asdict(profile), sort_keys=True, default=_canonical_value, ensure_ascii=False)
        _profile_digests[key] = hashlib.sha256(_sources_digest() + data.encode()).digest()
    return _profile_digests[key]


def _canonical_value(value):
    """JSON for what `json` cannot encode; sets sorted, so the digest is the same in every process."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, re.Pattern):
        return value.pattern
    return str(value)


@cache
def _sources_digest() -> bytes:
    digest = hashlib.sha256()
    for path in _RENDERER_SOURCES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.digest()
