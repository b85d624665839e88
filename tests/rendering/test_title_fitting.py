"""Titles fit each channel's limit by rule: keep the pack size and "OCOP 4★", drop the origin first,
then cut the product name at a word boundary, never inside a character. The same module tells a
title it fitted, under any limit, from a title a seller wrote."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from listing_products import TODAY, catalogue_product

from rendering.listing import could_be_listing_title, render_listing
from rendering.profiles import load_profile
from rendering.text import could_be_fitted, cut_at_word, fit_title

WORDS = "Hạt sen sấy giòn Tháp Mười vị tự nhiên không đường tuyển chọn từ đầm sen già miền Tây Nam Bộ quà biếu Tết".split()


def compose(name: str, with_optional: bool) -> str:
    return f"{name} 100 g - OCOP 4★" + (" - Đặc sản Đồng Tháp" if with_optional else "")


@pytest.mark.parametrize("word_count", range(1, len(WORDS) + 1, 3))
@pytest.mark.parametrize("limit", [20, 40, 64, 120])
def test_fitted_title_keeps_pack_and_star_label_and_cuts_the_name_between_words(word_count, limit):
    name = " ".join(WORDS[:word_count])
    title = fit_title(compose, name, limit)
    assert title is not None and len(title) <= limit
    assert title.endswith(" 100 g - OCOP 4★") or title.endswith(" - Đặc sản Đồng Tháp")
    kept = title.split(" 100 g - OCOP 4★")[0]
    assert name.startswith(kept)
    assert len(kept) == len(name) or name[len(kept)] == " " or kept == ""


def test_origin_is_dropped_before_any_word_of_the_name():
    name = "Gạo ST25 Ruộng Rươi"
    assert fit_title(compose, name, 200) == "Gạo ST25 Ruộng Rươi 100 g - OCOP 4★ - Đặc sản Đồng Tháp"
    assert fit_title(compose, name, 40) == "Gạo ST25 Ruộng Rươi 100 g - OCOP 4★"


def test_title_exactly_at_the_limit_is_not_cut():
    title = compose("Gạo ST25", False)
    assert fit_title(compose, "Gạo ST25", len(title)) == title


def test_cut_drops_trailing_separators_and_open_brackets():
    assert cut_at_word("Hạt sen sấy giòn, vị tự nhiên", 17) == "Hạt sen sấy giòn"
    assert cut_at_word("Gạo ST25 (loại đặc biệt) túi vải", 20) == "Gạo ST25"


def test_a_single_word_longer_than_the_budget_is_cut_between_characters_not_inside_one():
    decomposed = unicodedata.normalize("NFD", "Phởbòtáiđặcbiệt")  # letters followed by combining marks
    for budget in range(1, len(decomposed)):
        cut = cut_at_word(decomposed, budget)
        assert len(cut) <= budget and decomposed.startswith(cut)
        assert not unicodedata.combining(decomposed[len(cut)])


def test_nothing_fits_when_pack_and_star_label_alone_exceed_the_limit():
    assert fit_title(compose, "Gạo ST25", 12) is None


@pytest.mark.parametrize("channel", ["shopee", "lazada", "tiktok"])
def test_rendered_long_vietnamese_title_fits_each_channel(channel):
    name = " ".join(WORDS * 3)
    profile = load_profile(channel)
    title = render_listing(catalogue_product(name=name), profile, today=TODAY).title
    assert len(title) <= profile.title.max_chars
    assert "100 g" in title and "OCOP 4★" in title
    assert unicodedata.is_normalized("NFC", title)


@pytest.mark.parametrize("channel", ["shopee", "lazada", "tiktok"])
def test_long_description_is_cut_in_the_producers_prose_and_keeps_the_certification_facts(channel):
    profile = load_profile(channel)
    prose = " ".join(WORDS) + ". "
    listing = render_listing(catalogue_product(description=prose * 600), profile, today=TODAY)
    assert len(listing.description) <= profile.description.max_chars
    assert "…" in listing.description
    for fact in ("3981/QĐ-UBND", "UBND tỉnh Đồng Tháp", "12/03/2024", "11/03/2027", "8935012345677", "Hợp tác xã Sen Tháp Mười"):
        assert fact in listing.description


@pytest.mark.parametrize("word_count", [1, 4, 9, len(WORDS)])
def test_a_title_fitted_under_any_limit_is_known_as_fitted(word_count):
    name = " ".join(WORDS[:word_count])
    fitted = {limit: fit_title(compose, name, limit) for limit in range(1, len(compose(name, True)) + 5)}
    assert len(set(fitted.values()) - {None}) > 2
    for limit, title in fitted.items():
        if title is not None:
            assert could_be_fitted(title, compose, name), (limit, title)
            assert could_be_fitted(title.upper(), compose, name), "case does not count"


def test_a_title_the_seller_wrote_is_not_known_as_fitted():
    name = " ".join(WORDS)
    cut = fit_title(compose, name, 64)
    assert cut is not None and cut != compose(name, False)
    for title in (
        "Sen sấy khô giá rẻ nhất thị trường",
        cut.replace("Tháp Mười", "Cà Mau"),                 # a word of the name changed
        cut.replace(" 100 g", " quà Tết 100 g"),            # words added to a cut name
        " ".join(WORDS[:8]),                                # the name's first words alone, no template
    ):
        assert not could_be_fitted(title, compose, name), title


def test_a_title_holding_the_whole_name_is_known_whatever_stands_around_it():
    assert could_be_fitted("Freeship - Gạo ST25 Ruộng Rươi chính hãng", compose, "Gạo ST25 Ruộng Rươi")


@pytest.mark.parametrize("channel", ["shopee", "lazada", "tiktok"])
@pytest.mark.parametrize("limit", [30, 60, 90, 255])
def test_a_rendered_title_under_any_title_limit_is_known_as_the_products_title(channel, limit):
    product = catalogue_product(name=" ".join(WORDS * 2))
    profile = load_profile(channel)
    fitted_under = replace(profile, title=replace(profile.title, max_chars=limit, min_chars=1))
    title = render_listing(product, fitted_under, today=TODAY, include_images=False).title
    assert could_be_listing_title(product, profile, title, today=TODAY)
    assert not could_be_listing_title(product, profile, title.replace("Hạt sen", "Hạt điều"), today=TODAY)
