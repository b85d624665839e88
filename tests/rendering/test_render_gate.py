"""The completeness gate: a listing missing what its channel requires is Blocked, every reason named."""

from __future__ import annotations

import datetime as dt

import pytest
from listing_products import CHANNELS, TODAY, catalogue_product

from catalogue.records import Address, CertificationRecord
from connectors.types import ListingContent
from rendering.listing import Blocked, RenderedListing, render_listing
from rendering.profiles import load_profile


def test_every_missing_or_invalid_field_is_named_at_once(profile):
    product = catalogue_product(net_weight_g=None, pack_size="1 chậu", group_code="V.2", gtin="8935012345675",
                                price_vnd=0, seller_sku="OCOP DT 01")
    blocked = render_listing(product, profile, today=TODAY)
    assert isinstance(blocked, Blocked)
    channel = profile.channel.value
    assert blocked.seller_sku == "OCOP DT 01" and blocked.channel == profile.channel
    assert (f"net weight missing: pack size '1 chậu' names no quantity (e.g. '500 g', 'hộp 10 gói x 20 g'), and no "
            f"usual pack for group V.2 or its parents in typical_packs.csv (required by {channel})") in blocked.reasons
    assert f"gtin invalid: '8935012345675', expected check digit 7, not 5 ({channel})" in blocked.reasons
    assert any(reason.startswith("price_vnd invalid: 0 outside") for reason in blocked.reasons)
    assert any(reason.startswith("seller_sku invalid: 'OCOP DT 01' does not match") for reason in blocked.reasons)


def test_tourism_service_is_never_rendered_as_a_listing(profile):
    blocked = render_listing(catalogue_product(group_code="VI", net_weight_g=None), profile, today=TODAY)
    assert isinstance(blocked, Blocked)
    assert blocked.reasons == ("group VI: tourism service: not physical goods; never listed on a marketplace",)


def test_group_without_a_category_on_the_channel_is_blocked_naming_the_mapping_file(profile):
    blocked = render_listing(catalogue_product(group_code="V.3"), profile, today=TODAY)
    assert blocked.reasons == (
        f"category missing: no row for group V.3 or its parents in categories.csv (required by {profile.channel.value})",
    )


def test_product_heavier_than_every_package_tier_is_blocked():
    blocked = render_listing(catalogue_product(net_weight_g=45_000), load_profile("lazada"), today=TODAY)
    assert blocked.reasons == ("package dimensions missing: no tier in packages.csv for 45000 g (required by lazada)",)


def test_seller_sku_longer_than_tiktok_allows_is_blocked_only_on_tiktok():
    product = catalogue_product(seller_sku="OCOP-" + "X" * 50)
    assert isinstance(render_listing(product, load_profile("shopee"), today=TODAY), RenderedListing)
    blocked = render_listing(product, load_profile("tiktok"), today=TODAY)
    assert blocked.reasons == ("seller_sku invalid: 'OCOP-" + "X" * 50 + "' has 55 characters, at most 50 (tiktok)",)


def test_title_shorter_than_tiktok_minimum_is_blocked():
    product = catalogue_product(name="Xôi", pack_size=None, certification=None, producer={"address": Address("A", "B")})
    blocked = render_listing(product, load_profile("tiktok"), today=TODAY)
    assert blocked.reasons == ("title invalid: 'Xôi - Đặc sản A' has 15 characters, at least 25 (tiktok)",)


def test_expired_or_revoked_certificate_renders_without_any_star_claim(profile):
    expired = CertificationRecord("1120/QĐ-UBND", dt.date(2022, 6, 1), "UBND tỉnh Đồng Tháp", 4)
    revoked = CertificationRecord("3981/QĐ-UBND", dt.date(2024, 3, 12), "UBND tỉnh Đồng Tháp", 4, revoked=True)
    for certification in (expired, revoked):
        listing = render_listing(catalogue_product(certification=certification), profile, today=TODAY)
        assert "★" not in listing.title and "OCOP" not in listing.title
        assert "OCOP" not in listing.description and "ocop_stars" not in listing.attributes
        assert not any(image.filename.startswith("ocop-") for image in listing.images)


def test_certificate_is_claimed_until_its_last_valid_day():
    certification = CertificationRecord("3981/QĐ-UBND", dt.date(2024, 3, 12), "UBND tỉnh Đồng Tháp", 4)
    product = catalogue_product(certification=certification)
    profile = load_profile("shopee")
    assert "OCOP 4★" in render_listing(product, profile, today=dt.date(2027, 3, 11)).title
    assert "OCOP" not in render_listing(product, profile, today=dt.date(2027, 3, 12)).title


@pytest.mark.parametrize(
    ("gtin", "shopee_type", "tiktok_type"),
    [("8935012345677", None, "EAN"), ("036000291452", None, "UPC"), ("18935012345674", None, "GTIN"), ("96385074", None, "EAN")],
)
def test_barcode_goes_to_each_platforms_own_field(gtin, shopee_type, tiktok_type):
    rendered = {channel: render_listing(catalogue_product(gtin=gtin), load_profile(channel), today=TODAY) for channel in CHANNELS}
    assert (rendered["shopee"].gtin, rendered["shopee"].gtin_type) == (gtin, shopee_type)
    assert (rendered["tiktok"].gtin, rendered["tiktok"].gtin_type) == (gtin, tiktok_type)
    # Lazada documents no GTIN field: the connector carries ListingContent.gtin in a SKU attribute,
    # and buyers read the barcode in the description.
    assert rendered["lazada"].gtin == gtin and gtin in rendered["lazada"].description


def test_imported_gtin_with_a_foreign_prefix_is_not_blocked(profile):
    assert render_listing(catalogue_product(gtin="4006381333931"), profile, today=TODAY).gtin == "4006381333931"


def test_listing_converts_to_connector_content_with_the_uploaded_image_refs(profile):
    listing = render_listing(catalogue_product(), profile, today=TODAY)
    refs = [f"ref-{index}" for index, _ in enumerate(listing.images)]
    content = listing.to_content(refs)
    assert isinstance(content, ListingContent)
    assert content.image_refs == tuple(refs)
    assert (content.seller_sku, content.price_vnd, content.stock, content.weight_kg) == ("OCOP-DT-HATSEN-100G", 105_000, 40, 0.12)
    assert content.package_cm == (15, 10, 6) and content.category_id == listing.category_id
    with pytest.raises(ValueError, match="image refs"):
        listing.to_content(refs[:-1] + refs + ["extra"])
