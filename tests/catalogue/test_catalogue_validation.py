"""Every validation rule: what passes, what is rejected, and that each failure names row, field, value and rule."""

import datetime as dt
import unicodedata

import pytest

from catalogue.records import ProducerKind
from catalogue.sources import SourceRow
from catalogue.validation import validate_row
from tests.catalogue.rows import CO_SA_GIANG, good_row

TODAY = dt.date(2026, 6, 1)
ROW = 7


def check(**overrides):
    return validate_row(SourceRow(ROW, good_row(**overrides)), today=TODAY)


def rejected(field: str, **overrides) -> str:
    """The rule of the single error the row gets, after checking it names the row, field and value."""
    record, issues = check(**overrides)
    errors = [issue for issue in issues if issue.severity == "error"]
    assert record is None, f"row should be rejected: {overrides}"
    assert [(e.row, e.field) for e in errors] == [(ROW, field)], errors
    given = overrides.get(field)
    assert errors[0].value == (given.strip() if given and given.strip() else None)
    return errors[0].rule


def warned(field: str, **overrides) -> str:
    record, issues = check(**overrides)
    assert record is not None, issues
    warnings = [issue for issue in issues if issue.severity == "warning" and issue.field == field]
    assert len(warnings) == 1, issues
    return warnings[0].rule


def test_a_good_row_becomes_product_producer_and_certification():
    record, issues = check()
    assert issues == []
    assert record.product.ocop_code == "87-872-00001-3-2024"
    assert record.product.seller_sku == "OCOP-87-872-00001-3-2024"
    assert (record.product.price_vnd, record.product.net_weight_g, record.product.stock) == (120_000, 240, 50)
    assert record.producer.key == "1400112623" and record.producer.kind == ProducerKind.COOPERATIVE
    assert record.certification.signed_on == dt.date(2024, 5, 10)
    assert record.certification.expires_on == dt.date(2027, 5, 10)


@pytest.mark.parametrize("gtin", ["89312346", "036000291452", "8936000123451", "18936000123458", "893 6000 12345 1"])
def test_gtin_8_12_13_and_14_with_a_correct_check_digit_are_accepted(gtin):
    record, issues = check(gtin=gtin)
    assert record is not None
    assert record.product.gtin == gtin.replace(" ", "")


def test_gtin_with_a_wrong_check_digit_is_rejected_naming_the_expected_digit():
    assert "check digit is wrong (expected 1" in rejected("gtin", gtin="8936000123452")


@pytest.mark.parametrize("gtin", ["893600012345", "89360001234512345", "8936000"])
def test_gtin_of_another_length_is_rejected(gtin):
    rule = rejected("gtin", gtin=gtin)
    assert "8, 12, 13 or 14 digits" in rule or "check digit" in rule


def test_gtin_with_letters_is_rejected():
    assert "digits only" in rejected("gtin", gtin="89360001234AB")


def test_gtin_mangled_by_excel_into_scientific_notation_is_rejected_with_the_fix():
    assert "format the column as text" in rejected("gtin", gtin="8.936E+12")


def test_gtin_outside_vietnam_prefix_893_is_a_warning_not_a_rejection():
    assert "not Vietnam's 893" in warned("gtin", gtin="6901234567892")


def test_upc_12_digit_gtin_gets_the_prefix_warning():
    assert "prefix 003" in warned("gtin", gtin="036000291452")


def test_missing_gtin_is_allowed():
    record, issues = check(gtin="")
    assert record.product.gtin is None and issues == []


@pytest.mark.parametrize("stars", ["1", "2", "6", "0"])
def test_stars_outside_3_to_5_are_rejected(stars):
    assert "3, 4 or 5" in rejected("stars", stars=stars, score="")


@pytest.mark.parametrize("given, stars", [("4", 4), ("4 sao", 4), ("★★★★★", 5), ("3.0", 3), ("5★", 5)])
def test_stars_are_read_from_common_spellings(given, stars):
    record, _ = check(stars=given, score="")
    assert record.certification.stars == stars


def test_score_outside_the_stars_band_is_a_warning():
    assert "outside the 4★ band (70–89)" in warned("score", stars="4", score="65")


def test_score_above_100_is_rejected():
    assert "0 to 100" in rejected("score", score="120")


@pytest.mark.parametrize("number, stored", [("3981/QĐ-UBND", "3981/QĐ-UBND"), ("2361/qđ-bnnmt", "2361/QĐ-BNNMT"),
                                            ("45 / QD - UBND", "45/QĐ-UBND"), ("12/2023/QĐ-UBND", "12/2023/QĐ-UBND")])
def test_decision_numbers_are_accepted_and_stored_in_one_spelling(number, stored):
    record, _ = check(decision_number=number)
    assert record.certification.decision_number == stored


@pytest.mark.parametrize("number", ["QĐ-UBND", "không rõ", "3981"])
def test_implausible_decision_number_is_rejected(number):
    assert "like 3981/QĐ-UBND" in rejected("decision_number", decision_number=number)


def test_missing_decision_number_is_rejected():
    assert "required" in rejected("decision_number", decision_number="")


@pytest.mark.parametrize("given", ["2024-05-10", "10/05/2024", "10-05-2024", "45422", "2024-05-10T00:00:00Z"])
def test_decision_date_is_read_as_iso_vietnamese_or_excel_serial(given):
    record, _ = check(decision_date=given)
    assert record.certification.signed_on == dt.date(2024, 5, 10)


def test_decision_date_in_the_future_is_rejected():
    assert "in the future" in rejected("decision_date", decision_date="2026-07-01")


def test_decision_date_before_ocop_existed_is_rejected():
    assert "before OCOP" in rejected("decision_date", decision_date="2009-01-01")


@pytest.mark.parametrize("given", ["31/02/2024", "2024-13-01", "mười tháng năm"])
def test_impossible_or_unreadable_decision_date_is_rejected(given):
    assert "date" in rejected("decision_date", decision_date=given)


def test_missing_decision_date_is_rejected():
    assert "required" in rejected("decision_date", decision_date="")


def test_expired_certificate_is_kept_as_valid_data():
    record, issues = check(decision_date="2020-01-05")
    assert issues == [] and not record.certification.is_valid_on(TODAY)


@pytest.mark.parametrize("given, code", [("I.3.c", "I.3.c"), ("i.3.C", "I.3.c"), ("I-3-c", "I.3.c"), ("III.2", "III.2"),
                                         ("IV.1", "IV.1"), ("I.6", "I.6")])
def test_group_codes_of_the_148_tree_are_accepted_in_one_spelling(given, code):
    record, _ = check(group_code=given)
    assert record.product.group_code == code


@pytest.mark.parametrize("given", ["I.9.z", "VII", "I.3.e", "thực phẩm"])
def test_group_code_outside_the_148_tree_is_rejected(given):
    assert "Decision 148" in rejected("group_code", group_code=given)


def test_group_code_above_the_finest_level_is_a_warning():
    assert "I.3.a, I.3.b, I.3.c, I.3.d" in warned("group_code", group_code="I.3")


def test_tourism_service_needs_no_price_weight_or_gtin():
    record, issues = check(group_code="VI", price_vnd="", net_weight_g="", gtin="", pack_size="")
    assert issues == [] and record.product.price_vnd == 0


@pytest.mark.parametrize("tax_code, key", [("1400112623", "1400112623"), ("0100109106-001", "0100109106-001"),
                                           ("0100109106001", "0100109106-001"), ("01.00.109.106", "0100109106")])
def test_tax_code_of_10_digits_or_13_with_branch_is_accepted(tax_code, key):
    record, _ = check(tax_code=tax_code)
    assert record.producer.key == key


def test_tax_code_with_a_wrong_check_digit_is_rejected_naming_the_expected_digit():
    assert "expected 3 as the 10th digit" in rejected("tax_code", tax_code="1400112624")


@pytest.mark.parametrize("tax_code", ["14001126", "14001126230", "0100109106-000", "abc"])
def test_tax_code_of_wrong_shape_is_rejected(tax_code):
    rule = rejected("tax_code", tax_code=tax_code)
    assert "10 digits" in rule or "impossible" in rule


def test_household_may_use_a_12_digit_personal_id():
    record, issues = check(producer_name="Hộ kinh doanh Nguyễn Văn An", producer_kind="", tax_code="087095001234")
    assert issues == []
    assert record.producer.key == "087095001234" and record.producer.kind == ProducerKind.HOUSEHOLD


def test_personal_id_with_an_impossible_province_code_is_rejected():
    assert "province code" in rejected("tax_code", tax_code="999095001234")


def test_personal_id_on_an_enterprise_is_a_warning():
    assert "households only" in warned("tax_code", tax_code="087095001234", **{k: v for k, v in CO_SA_GIANG.items()
                                                                              if k != "tax_code"})


@pytest.mark.parametrize("given, amount", [("120000", 120_000), ("120.000", 120_000), ("120,000 VND", 120_000),
                                           ("1.250.000 đ", 1_250_000), ("120000.0", 120_000), ("120 000", 120_000)])
def test_price_is_a_whole_vnd_amount_in_common_spellings(given, amount):
    record, _ = check(price_vnd=given)
    assert record.product.price_vnd == amount


@pytest.mark.parametrize("given", ["0", "-5000", "120000.5", "liên hệ"])
def test_price_that_is_not_a_positive_whole_vnd_amount_is_rejected(given):
    rule = rejected("price_vnd", price_vnd=given)
    assert "whole number of VND" in rule or "positive" in rule


def test_missing_price_of_physical_goods_is_rejected():
    assert "required" in rejected("price_vnd", price_vnd="")


@pytest.mark.parametrize("given, grams", [("240", 240), ("240 g", 240), ("1,2 kg", 1200), ("0.5kg", 500)])
def test_weight_is_read_in_grams_or_kilograms(given, grams):
    record, _ = check(net_weight_g=given)
    assert record.product.net_weight_g == grams


@pytest.mark.parametrize("given", ["0", "-1", "nặng"])
def test_weight_that_is_not_positive_is_rejected(given):
    rule = rejected("net_weight_g", net_weight_g=given)
    assert "positive" in rule or "number of grams" in rule


@pytest.mark.parametrize("field", ["ocop_code", "product_name", "group_code", "stars", "decision_number",
                                   "decision_date", "producer_name", "tax_code", "price_vnd"])
def test_each_required_field_missing_is_rejected(field):
    assert "required" in rejected(field, **{field: ""})


def test_province_may_be_given_as_the_old_province_only():
    record, _ = check(province="", province_old="Tiền Giang")
    assert (record.producer.address.province, record.producer.address.province_old) == ("Đồng Tháp", "Tiền Giang")


def test_old_province_in_the_province_column_is_filed_under_the_new_one():
    record, _ = check(province="tỉnh Bạc Liêu", province_old="")
    assert (record.producer.address.province, record.producer.address.province_old) == ("Cà Mau", "Bạc Liêu")


def test_unknown_province_is_rejected():
    assert "34 provinces" in rejected("province", province="Xứ Đoài")


def test_missing_province_and_old_province_is_rejected():
    record, issues = check(province="", province_old="")
    assert record is None and [(i.field, i.value) for i in issues] == [("province", None)]


@pytest.mark.parametrize("name, kind", [("HTX Nông nghiệp Mỹ Xương", ProducerKind.COOPERATIVE),
                                        ("Công ty TNHH Sa Giang", ProducerKind.ENTERPRISE),
                                        ("DNTN Hồng Phát", ProducerKind.ENTERPRISE),
                                        ("Tổ hợp tác Sen Hồng", ProducerKind.COOPERATIVE_GROUP),
                                        ("Cơ sở sản xuất Bánh phồng Út Hiền", ProducerKind.HOUSEHOLD)])
def test_producer_kind_is_read_from_the_name_when_missing(name, kind):
    record, _ = check(producer_name=name, producer_kind="")
    assert record.producer.kind == kind


@pytest.mark.parametrize("given, kind", [("Hợp tác xã", ProducerKind.COOPERATIVE), ("hộ kinh doanh", ProducerKind.HOUSEHOLD),
                                         ("cooperative_group", ProducerKind.COOPERATIVE_GROUP)])
def test_producer_kind_accepts_vietnamese_names(given, kind):
    record, _ = check(producer_kind=given)
    assert record.producer.kind == kind


def test_an_unknown_producer_kind_is_a_warning_and_the_kind_is_read_from_the_name():
    rule = warned("producer_kind", producer_kind="nhà nước")
    assert "not a producer kind" in rule and "read from the producer name as cooperative" in rule
    record, _ = check(producer_kind="nhà nước")
    assert record.producer.kind == ProducerKind.COOPERATIVE


def test_a_producer_kind_that_cannot_be_read_is_stored_as_unspecified_with_a_warning():
    rule = warned("producer_kind", producer_name="Sen Hồng Quê Tôi", producer_kind="")
    assert "stored as unspecified" in rule and "'Sen Hồng Quê Tôi'" in rule
    record, _ = check(producer_name="Sen Hồng Quê Tôi", producer_kind="")
    assert record.producer.kind == ProducerKind.UNSPECIFIED


@pytest.mark.parametrize("given, revoked", [("1", True), ("có", True), ("0", False), ("", False), ("không", False)])
def test_revoked_flag_is_read(given, revoked):
    record, _ = check(revoked=given)
    assert record.certification.revoked is revoked


def test_excel_error_in_a_required_cell_rejects_the_row():
    assert "#REF!" in rejected("price_vnd", price_vnd="#REF!")


def test_excel_error_in_an_optional_cell_is_a_warning_and_treated_as_blank():
    assert "broken formula" in warned("net_weight_g", net_weight_g="#N/A")
    record, _ = check(net_weight_g="#N/A")
    assert record.product.net_weight_g is None


def test_value_longer_than_its_column_is_rejected():
    assert "at most 64 characters" in rejected("ocop_code", ocop_code="X" * 65)


def test_name_that_is_only_certification_junk_is_rejected():
    assert "certification claims" in rejected("product_name", product_name="✓OCOP– (Đạt chuẩn OCOP)")


def test_all_rules_run_so_a_row_reports_every_problem_at_once():
    record, issues = check(gtin="123", stars="2", price_vnd="abc")
    assert record is None
    assert {issue.field for issue in issues} == {"gtin", "stars", "price_vnd"}


def test_decomposed_text_is_stored_composed_and_junk_free():
    record, _ = check(product_name=unicodedata.normalize("NFD", "✓OCOP– Hạt sen   sấy"),
                      producer_name=unicodedata.normalize("NFD", "HTX Sen Tháp Mười"))
    assert record.product.name == "Hạt sen sấy"
    assert unicodedata.is_normalized("NFC", record.producer.name)
