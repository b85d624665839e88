"""Normalised text: one form for comparisons, names without certification junk, deterministic seller SKUs."""

import re
import unicodedata

import pytest

from catalogue.normalise import ascii_fold, clean_product_name, clean_text, comparison_key, product_name_key, seller_sku
from catalogue.provinces import canonical_province, new_province_of


@pytest.mark.parametrize("one, other", [
    ("Thanh Hoá", "Thanh Hóa"), ("thuỷ sản", "thủy sản"), ("Khoẻ", "Khỏe"), ("Hoà Lộc", "Hòa Lộc"),
    (unicodedata.normalize("NFD", "Đồng Tháp"), "Đồng Tháp"), ("  HẠT  SEN\u00a0SẤY ", "hạt sen sấy"),
    ("Trà tim sen - Tháp Mười", "Trà tim sen Tháp Mười"),
])
def test_spellings_of_the_same_name_share_one_comparison_key(one, other):
    assert comparison_key(one) == comparison_key(other)


@pytest.mark.parametrize("one, other", [("Cá kho", "Cà kho"), ("Mứt sen", "Mực sen"), ("Gạo nếp", "Gạo nép")])
def test_different_words_keep_different_keys(one, other):
    assert comparison_key(one) != comparison_key(other)


def test_tone_marks_move_without_touching_words_that_agree_already():
    assert comparison_key("người Hoàng quýt giữa khuỷu") == "người hoàng quýt giữa khuỷu"


def test_clean_text_is_nfc_with_single_spaces_and_no_invisible_characters():
    assert clean_text(unicodedata.normalize("NFD", " Hạt\u200b sen\t\tsấy\u00a0 ")) == "Hạt sen sấy"
    assert clean_text(None) == "" and clean_text(120000) == "120000"


@pytest.mark.parametrize("raw", ["✓OCOP– Hạt sen sấy", "✓ OCOP - Hạt sen sấy", "Hạt sen sấy (Đạt chuẩn OCOP)",
                                 "__Hạt sen sấy", "OCOP 4 sao - Hạt sen sấy", "[OCOP 3 sao] Hạt sen sấy",
                                 "Hạt sen sấy ★★★★", "Hạt sen sấy - OCOP 4★", "***Hạt sen sấy", "Hạt sen sấy 4★"])
def test_certification_claims_and_decoration_are_removed_from_names(raw):
    assert clean_product_name(raw) == "Hạt sen sấy"


@pytest.mark.parametrize("raw, name", [
    ("OCOP_Kẹo dừa sáp Cầu Kè", "Kẹo dừa sáp Cầu Kè"),
    ("OCOP_ Kẹo dừa sáp Cầu Kè", "Kẹo dừa sáp Cầu Kè"),
    ("Kẹo dừa sáp Cầu Kè_OCOP_", "Kẹo dừa sáp Cầu Kè"),
    ("OCOP Hải Phòng - Bánh đa cua", "Bánh đa cua"),
    ("Sản phẩm OCOP Thanh Hoá – Nem chua Thọ Xuân", "Nem chua Thọ Xuân"),
    ("OCOP Bà Rịa - Vũng Tàu - Rượu Hồ Tràm", "Rượu Hồ Tràm"),
    ("Gạo Nàng Thơm Chợ Đào Đạt chuẩn 3 sao OCOP quốc gia 5kg", "Gạo Nàng Thơm Chợ Đào 5kg"),
    ("Rượu Bàu Đá đạt chuẩn OCOP cấp tỉnh - chai 500ml", "Rượu Bàu Đá - chai 500ml"),
    ("TIÊU TIÊN PHƯỚC - OCOP 3 SAO - 500 GRAM", "TIÊU TIÊN PHƯỚC - 500 GRAM"),
    ("Tiêu sọ Chính hiệu - Đạt - OCOP 3★", "Tiêu sọ Chính hiệu"),
    ("Mứt gừng OCOP3 sao", "Mứt gừng"),
    ("Bánh pía OCOP, nhân sầu riêng", "Bánh pía, nhân sầu riêng"),
])
def test_claims_go_as_whole_phrases_leaving_no_separator_or_word_of_their_own(raw, name):
    assert clean_product_name(raw) == name


@pytest.mark.parametrize("name", ["Trà xanh hộp 3*100g", "Nước mắm cá cơm Phú Quốc (40 độ đạm)",
                                  "Bà Rịa - Vũng Tàu: Muối ớt tôm", "Rượu Sao Mai 29 độ"])
def test_what_only_looks_like_a_claim_stays_in_the_name(name):
    assert clean_product_name(name) == name


def test_words_after_ocop_that_name_no_province_are_kept():
    assert clean_product_name("OCOP Chè Shan Tuyết - Hà Giang") == "Chè Shan Tuyết - Hà Giang"


def test_product_name_key_ignores_junk_case_and_unicode_form():
    assert product_name_key(unicodedata.normalize("NFD", "✓OCOP– XOÀI CÁT HOÀ LỘC")) == product_name_key("Xoài cát Hòa Lộc")


def test_ascii_fold_maps_d_with_stroke_explicitly():
    assert ascii_fold("Đặc sản Đồng Tháp đường") == "Dac san Dong Thap duong"


@pytest.mark.parametrize("code", ["83-829-28780-3-2022", "ĐT-2023/001", "x" * 64, "mã số 12", "87 872 00001"])
def test_seller_sku_is_ascii_without_spaces_and_at_most_50_characters(code):
    sku = seller_sku(code)
    assert re.fullmatch(r"[A-Z0-9-]{1,50}", sku)
    assert sku == seller_sku(code)


def test_seller_sku_keeps_a_plain_code_readable_and_maps_d_with_stroke():
    assert seller_sku("83-829-28780-3-2022") == "OCOP-83-829-28780-3-2022"
    assert seller_sku("ĐT-2023/001").startswith("OCOP-DT-2023-001-")


def test_codes_that_fold_to_the_same_ascii_still_get_different_skus():
    assert seller_sku("ĐT-001") != seller_sku("DT-001")
    assert seller_sku("A/1") != seller_sku("A-1")
    assert seller_sku("x" * 60) != seller_sku("x" * 61)


@pytest.mark.parametrize("given, province", [("tỉnh Đồng Tháp", "Đồng Tháp"), ("Thanh Hoá", "Thanh Hóa"),
                                             ("TP. Hồ Chí Minh", "Hồ Chí Minh"), ("cao bang", "cao bang")])
def test_province_names_are_given_their_official_spelling(given, province):
    assert canonical_province(given) == province


@pytest.mark.parametrize("old, new", [("Bạc Liêu", "Cà Mau"), ("Tiền Giang", "Đồng Tháp"), ("Hà Giang", "Tuyên Quang"),
                                      ("Cao Bằng", "Cao Bằng"), ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"), ("Atlantis", None)])
def test_old_provinces_map_to_the_province_they_merged_into(old, new):
    assert new_province_of(old) == new
