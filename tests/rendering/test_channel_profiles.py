"""Channel profiles are data: rendering choices, the declared limits, and a category map a province can edit."""

from __future__ import annotations

import shutil

import pytest
from listing_products import TODAY, catalogue_product

from ocop.channels import Channel, declaration
from rendering.listing import render_listing
from rendering.profiles import PROFILES_DIR, BadgePlacement, ProfileError, load_profile


def test_category_falls_back_up_the_decision_148_tree():
    shopee = load_profile("shopee")
    assert shopee.category_for("I.3.d") == "100652"   # its own row: dried seafood
    assert shopee.category_for("I.4.b") == "100661"   # no row: its branch I.4, spices
    assert shopee.category_for("V.3") is None          # ornamental animals: no row up the tree


def test_province_can_supply_its_own_category_map(tmp_path):
    edited = tmp_path / "categories-dong-thap.csv"
    edited.write_text("group_code,group_name,shopee,lazada,tiktok\nI,Thực phẩm,111,222,333\nI.3.c,Hạt sen,999,,\n", encoding="utf-8")
    lazada = load_profile("lazada", categories_file=edited)
    assert lazada.category_for("I.3.c") == "222"       # empty cell: falls back to I
    shopee = load_profile("shopee", categories_file=edited)
    assert render_listing(catalogue_product(), shopee, today=TODAY).category_id == "999"


def test_each_channel_declares_its_own_rendering_rules():
    shopee, lazada, tiktok = (load_profile(channel) for channel in (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK))
    assert (shopee.description.html, lazada.description.html, tiktok.description.html) == (False, True, True)
    assert (shopee.images.badge, lazada.images.badge) == (BadgePlacement.COVER, BadgePlacement.EXTRA)
    assert "brand" in lazada.required and "brand" not in shopee.required
    assert tiktok.price.format == "string"


@pytest.mark.parametrize("channel", list(Channel))
def test_a_profile_holds_the_platform_limits_its_channel_declares(channel):
    profile, limits = load_profile(channel), declaration(channel).limits
    assert (profile.title.min_chars, profile.title.max_chars) == (limits.title_min, limits.title_max)
    assert (profile.description.min_chars, profile.description.max_chars) == (limits.description_min, limits.description_max)
    assert (profile.images.min_count, profile.images.max_count) == (limits.images_min, limits.images_max)
    assert (profile.price.min_vnd, profile.price.max_vnd) == (limits.price_min, limits.price_max)
    assert profile.seller_sku.max_chars == limits.seller_sku_max
    assert profile.seller_sku.pattern.pattern == limits.seller_sku_pattern


def test_malformed_profile_names_the_file_and_key(tmp_path):
    broken = tmp_path / "profiles"
    shutil.copytree(PROFILES_DIR, broken)
    text = (broken / "tiktok.toml").read_text(encoding="utf-8").replace("size_px = 800", 'size_px = "big"', 1)
    (broken / "tiktok.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"tiktok\.toml: images\.size_px = 'big'; expected int"):
        load_profile("tiktok", profiles_dir=broken)


def test_category_map_without_the_channel_column_is_refused(tmp_path):
    edited = tmp_path / "categories.csv"
    edited.write_text("group_code,shopee\nI,1\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="no column 'tiktok'"):
        load_profile("tiktok", categories_file=edited)
