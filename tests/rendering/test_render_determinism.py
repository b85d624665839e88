"""Determinism: the same product renders to byte-identical payloads and the same content hash."""

from __future__ import annotations

import datetime as dt
import unicodedata

from listing_products import TODAY, catalogue_product

from catalogue.records import CertificationRecord
from rendering import badge, images
from rendering.listing import render_listing


def test_same_product_renders_byte_identical_payload_and_hash(profile):
    first = render_listing(catalogue_product(), profile, today=TODAY)
    images.badge_card.cache_clear()
    images._placeholder_background.cache_clear()
    badge.badge_image.cache_clear()
    second = render_listing(catalogue_product(), profile, today=TODAY)
    assert first.payload() == second.payload()
    assert first.content_hash == second.content_hash
    assert [image.content for image in first.images] == [image.content for image in second.images]


def test_decomposed_and_composed_vietnamese_render_the_same(profile):
    composed = catalogue_product()
    decomposed = catalogue_product(name=unicodedata.normalize("NFD", composed.product.name))
    assert decomposed.product.name != composed.product.name
    assert render_listing(decomposed, profile, today=TODAY).content_hash == render_listing(composed, profile, today=TODAY).content_hash


def test_price_and_stock_change_the_payload_but_not_the_content_hash(profile):
    before = render_listing(catalogue_product(), profile, today=TODAY)
    after = render_listing(catalogue_product(price_vnd=99_000, stock=3), profile, today=TODAY)
    assert after.content_hash == before.content_hash
    assert after.payload() != before.payload()


def test_content_changes_change_the_hash(profile):
    base = render_listing(catalogue_product(), profile, today=TODAY).content_hash
    renamed = catalogue_product(name="Hạt sen sấy mộc Tháp Mười")
    rerated = catalogue_product(certification=CertificationRecord("4100/QĐ-UBND", dt.date(2025, 8, 1), "UBND tỉnh Đồng Tháp", 5))
    expired = catalogue_product()
    later = dt.date(2027, 3, 12)
    assert render_listing(renamed, profile, today=TODAY).content_hash != base
    assert render_listing(rerated, profile, today=TODAY).content_hash != base
    assert render_listing(expired, profile, today=later).content_hash != base


def test_rendering_without_images_keeps_the_text_but_never_shares_the_full_hash(profile):
    product = catalogue_product()
    full = render_listing(product, profile, today=TODAY)
    text_only = render_listing(product, profile, today=TODAY, include_images=False)
    assert text_only.images == () and text_only.content_hash != full.content_hash
    assert (text_only.title, text_only.description) == (full.title, full.description)
