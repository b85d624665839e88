"""Channel profiles are data: limits, rules, statuses and a category map a province can edit."""

from __future__ import annotations

import shutil

import pytest
from listing_products import TODAY, catalogue_product

from connectors.types import ListingStatus
from ocop.channels import Channel
from rendering.listing import render_listing
from rendering.profiles import PROFILES_DIR, BadgePlacement, ProfileError, load_profile


def test_category_falls_back_up_the_decision_148_tree():
    shopee = load_profile("shopee")
    assert shopee.category_for("I.3.c") == "100639"   # its own row
    assert shopee.category_for("I.4.b") == "100641"   # no row: its branch I.4
    assert shopee.category_for("V.3") is None          # ornamental animals: no row up the tree


def test_province_can_supply_its_own_category_map(tmp_path):
    edited = tmp_path / "categories-dong-thap.csv"
    edited.write_text("group_code,group_name,shopee,lazada,tiktok\nI,Thực phẩm,111,222,333\nI.3.c,Hạt sen,999,,\n", encoding="utf-8")
    lazada = load_profile("lazada", categories_file=edited)
    assert lazada.category_for("I.3.c") == "222"       # empty cell: falls back to I
    shopee = load_profile("shopee", categories_file=edited)
    assert render_listing(catalogue_product(), shopee, today=TODAY).category_id == "999"


def test_each_channel_declares_its_own_rules():
    shopee, lazada, tiktok = (load_profile(channel) for channel in Channel)
    assert (shopee.title.max_chars, lazada.title.max_chars, tiktok.title.max_chars) == (120, 255, 255)
    assert (shopee.description.html, lazada.description.html, tiktok.description.html) == (False, True, True)
    assert (shopee.images.badge, lazada.images.badge) == (BadgePlacement.COVER, BadgePlacement.EXTRA)
    assert "brand" in lazada.required and "brand" not in shopee.required
    assert tiktok.seller_sku.max_chars == 50 and tiktok.price.format == "string"


@pytest.mark.parametrize(
    ("channel", "word", "status"),
    [("shopee", "NORMAL", ListingStatus.LIVE), ("shopee", "BANNED", ListingStatus.SUSPENDED),
     ("lazada", "pending qc", ListingStatus.UNDER_REVIEW), ("lazada", "InActive", ListingStatus.INACTIVE),
     ("tiktok", "FREEZE", ListingStatus.SUSPENDED), ("tiktok", "ACTIVATE", ListingStatus.LIVE)],
)
def test_platform_status_words_map_to_our_vocabulary(channel, word, status):
    assert load_profile(channel).status_of(word) is status


def test_unknown_status_word_is_not_guessed():
    assert load_profile("shopee").status_of("SOMETHING_NEW") is None


def test_malformed_profile_names_the_file_and_key(tmp_path):
    broken = tmp_path / "profiles"
    shutil.copytree(PROFILES_DIR, broken)
    text = (broken / "tiktok.toml").read_text(encoding="utf-8").replace("max_chars = 255", 'max_chars = "long"', 1)
    (broken / "tiktok.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"tiktok\.toml: title\.max_chars = 'long'; expected int"):
        load_profile("tiktok", profiles_dir=broken)


def test_category_map_without_the_channel_column_is_refused(tmp_path):
    edited = tmp_path / "categories.csv"
    edited.write_text("group_code,shopee\nI,1\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="no column 'tiktok'"):
        load_profile("tiktok", categories_file=edited)
