"""Producers and provinces as real provincial lists write them: no kind column, people's names, addresses
typed into the province column. Ingested from files; the counts always balance."""

import datetime as dt
import unicodedata

import openpyxl
import pytest

from catalogue.ingest import ingest
from catalogue.query import load_catalogue
from catalogue.records import ProducerKind
from ocop.store import transaction
from tests.catalogue.rows import good_row, write_csv

TODAY = dt.date(2026, 6, 1)
NO_ADDRESS = dict(province="", commune="", province_old="", district_old="", commune_old="", address="")

# (producer name, tax code, kind it is stored as, whether that takes a warning)
PRODUCERS = [
    ("Nguyễn Trọng Thọ", "087095001234", ProducerKind.HOUSEHOLD, False),
    ("LÊ THỊ HỒNG TƯƠI", "1402234560", ProducerKind.HOUSEHOLD, False),
    ("Chi nhánh Công ty TNHH Thực phẩm Phú An tại Đồng Tháp", "0100109106-001", ProducerKind.ENTERPRISE, False),
    ("Chi nhánh Sa Đéc - Nông sản Hồng Phát", "1800345679", ProducerKind.ENTERPRISE, False),
    ("Cơ sở sản xuất nước mắm HTX thôn 7 Hải Bình", "1409988775", ProducerKind.COOPERATIVE, False),
    ("Cơ sở Bánh phồng Út Hiền", "087195004321", ProducerKind.HOUSEHOLD, False),
    ("Viện Nghiên cứu Cây ăn quả miền Nam", "1405556661", ProducerKind.UNSPECIFIED, True),
    ("Trà Sen Gò Tháp", "1407778885", ProducerKind.UNSPECIFIED, True),
]


def ingest_rows(engine, tmp_path, rows, name="danh-sach.csv"):
    path = write_csv(tmp_path / name, rows)
    summary = ingest(engine, path, rejects_dir=tmp_path / "rejects", today=TODAY)
    assert summary.rows_in == summary.accepted + summary.rejected + summary.merged == len(rows)
    assert summary.warnings == sum(1 for issue in summary.issues if issue.severity == "warning")
    return summary


def products(engine):
    with transaction(engine) as session:
        return {item.product.ocop_code: item for item in load_catalogue(session)}


def numbered(index: int, **overrides) -> dict[str, str]:
    return good_row(ocop_code=f"87-872-{index:05d}-3-2024", product_name=f"Bánh phồng tôm số {index}",
                    gtin="", **overrides)


def test_producers_without_a_kind_column_land_with_the_kind_their_name_or_tax_code_says(engine, tmp_path):
    rows = [numbered(i, producer_name=name, tax_code=tax, producer_kind="")
            for i, (name, tax, _, _) in enumerate(PRODUCERS, start=1)]
    summary = ingest_rows(engine, tmp_path, rows)
    assert (summary.accepted, summary.rejected) == (len(PRODUCERS), 0), summary.issues
    stored = products(engine)
    assert [stored[row["ocop_code"]].producer.kind for row in rows] == [kind for _, _, kind, _ in PRODUCERS]
    warned = [issue.row - 1 for issue in summary.issues if issue.field == "producer_kind"]
    assert warned == [i for i, (*_, warns) in enumerate(PRODUCERS, start=1) if warns]


def test_an_unspecified_kind_is_a_warning_naming_the_producer_and_where_to_give_the_kind(engine, tmp_path):
    summary = ingest_rows(engine, tmp_path, [numbered(1, producer_name="Trà Sen Gò Tháp", tax_code="1407778885",
                                                      producer_kind="")])
    [issue] = summary.issues
    assert (issue.severity, issue.field, issue.value) == ("warning", "producer_kind", None)
    assert "'Trà Sen Gò Tháp'" in issue.rule and "stored as unspecified" in issue.rule and "Loại hình" in issue.rule


def test_a_kind_the_catalogue_does_not_know_is_read_from_the_name_and_the_row_lands(engine, tmp_path):
    summary = ingest_rows(engine, tmp_path, [numbered(1, producer_kind="nhà nước"),
                                             numbered(2, producer_kind="Hộ kinh doanh", producer_name="Phạm Văn Lợi",
                                                      tax_code="087095007788")])
    assert (summary.accepted, summary.warnings) == (2, 1)
    assert summary.issues[0].rule.endswith("read from the producer name as cooperative")
    assert [item.producer.kind for item in products(engine).values()] == [ProducerKind.COOPERATIVE,
                                                                          ProducerKind.HOUSEHOLD]


def test_a_given_kind_wins_over_the_name(engine, tmp_path):
    ingest_rows(engine, tmp_path, [numbered(1, producer_name="Nguyễn Trọng Thọ", tax_code="1402234560",
                                            producer_kind="doanh nghiệp")])
    assert [item.producer.kind for item in products(engine).values()] == [ProducerKind.ENTERPRISE]


@pytest.mark.parametrize("typed, province, rule", [
    ("Đắk Lăk", "Đắk Lắk", "province 'Đắk Lăk' read as 'Đắk Lắk'"),
    ("Dak Lak", "Đắk Lắk", "province 'Dak Lak' read as 'Đắk Lắk'"),
    ("TP.HCM", "Hồ Chí Minh", "province 'TP.HCM' read as 'Hồ Chí Minh'"),
    ("Đồng Thap", "Đồng Tháp", "province 'Đồng Thap' read as 'Đồng Tháp'"),
    ("Dong Thaap", "Đồng Tháp", "province 'Dong Thaap' read as 'Đồng Tháp'"),
])
def test_a_province_typed_without_marks_abbreviated_or_misspelt_is_read_with_a_warning(engine, tmp_path, typed,
                                                                                       province, rule):
    summary = ingest_rows(engine, tmp_path, [numbered(1, **{**NO_ADDRESS, "province": typed})])
    assert summary.accepted == 1
    assert [(issue.severity, issue.field, issue.rule) for issue in summary.issues] == [("warning", "province", rule)]
    assert next(iter(products(engine).values())).producer.address.province == province


@pytest.mark.parametrize("typed", ["ĐỒNG THÁP", "đồng tháp", unicodedata.normalize("NFD", "Đồng Tháp"),
                                   "Tỉnh Đồng Tháp"])
def test_case_unicode_form_and_the_unit_word_are_read_silently(engine, tmp_path, typed):
    summary = ingest_rows(engine, tmp_path, [numbered(1, **{**NO_ADDRESS, "province": typed})])
    assert (summary.accepted, summary.issues) == (1, ())
    assert next(iter(products(engine).values())).producer.address.province == "Đồng Tháp"


def test_an_old_province_misspelt_is_filed_under_the_new_one(engine, tmp_path):
    summary = ingest_rows(engine, tmp_path, [numbered(1, **{**NO_ADDRESS, "province": "Tien Giang"})])
    address = next(iter(products(engine).values())).producer.address
    assert (address.province, address.province_old) == ("Đồng Tháp", "Tiền Giang")
    assert summary.issues[0].rule == "province 'Tien Giang' read as 'Tiền Giang'"


def test_an_address_in_the_province_column_fills_the_blank_commune_district_and_street(engine, tmp_path):
    rows = [numbered(1, **{**NO_ADDRESS, "province": "Xã Mỹ Hiệp, Cao Lãnh, Đồng Tháp"}),
            numbered(2, **{**NO_ADDRESS, "province": "Ấp Bình Hòa, xã Tân Thuận, Đồng Tháp"},
                     producer_name="HTX Bình Hòa", tax_code="1409988775"),
            numbered(3, **{**NO_ADDRESS, "province": "Số 12 đường Nguyễn Huệ phường 1 Cần Thơ"},
                     producer_name="Công ty TNHH Bánh Pía Sóc Trăng", tax_code="1800345679")]
    summary = ingest_rows(engine, tmp_path, rows)
    assert summary.accepted == 3
    addresses = [item.producer.address for item in products(engine).values()]
    assert [(a.province, a.commune, a.commune_old, a.district_old, a.street) for a in addresses] == [
        ("Đồng Tháp", "", "xã Mỹ Hiệp", "Cao Lãnh", None),
        ("Đồng Tháp", "xã Tân Thuận", None, None, "Ấp Bình Hòa"),
        ("Cần Thơ", "phường 1", None, None, "Số 12 đường Nguyễn Huệ")]
    assert summary.issues[0].rule == ("province 'Xã Mỹ Hiệp, Cao Lãnh, Đồng Tháp' read as 'Đồng Tháp'; "
                                      "'xã Mỹ Hiệp' as the old commune, 'Cao Lãnh' as the old district")


def test_an_address_in_the_province_column_does_not_overwrite_the_row_s_own_commune(engine, tmp_path):
    summary = ingest_rows(engine, tmp_path, [numbered(1, province="Xã Mỹ Hiệp, Đồng Tháp", commune="xã Mỹ Thọ")])
    assert next(iter(products(engine).values())).producer.address.commune == "xã Mỹ Thọ"
    assert summary.issues[0].rule.endswith("the rest ('Xã Mỹ Hiệp') not stored")


def test_a_province_nothing_matches_is_rejected_naming_the_nearest(engine, tmp_path):
    summary = ingest_rows(engine, tmp_path, [numbered(1, **{**NO_ADDRESS, "province": "Hà Nom"}),
                                             numbered(2, **{**NO_ADDRESS, "province": "Cao Lãnh"})])
    assert (summary.accepted, summary.rejected) == (0, 2)
    rules = [issue.rule for issue in summary.issues]
    assert "nearest: Hà Nam, Hà Nội" in rules[0]      # as near to both: neither is guessed
    assert "nearest: Cao Bằng" in rules[1]            # a district, not a province


def test_a_commune_cell_holding_the_whole_address_keeps_the_commune_in_one_spelling(engine, tmp_path):
    rows = [numbered(1, commune="XÃ MỸ HIỆP, huyện Cao Lãnh, tỉnh Đồng Tháp"),
            numbered(2, commune="X. Mỹ Hiệp")]
    summary = ingest_rows(engine, tmp_path, rows)
    assert [item.producer.address.commune for item in products(engine).values()] == ["xã Mỹ Hiệp", "xã Mỹ Hiệp"]
    assert [(issue.row, issue.field, issue.rule) for issue in summary.issues] == [
        (2, "commune", "commune 'XÃ MỸ HIỆP, huyện Cao Lãnh, tỉnh Đồng Tháp' read as 'xã Mỹ Hiệp'; "
                       "the rest ('huyện Cao Lãnh, tỉnh Đồng Tháp') is not a commune")]


def test_a_workbook_with_typed_provinces_lands_with_its_warnings(engine, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    rows = [numbered(1, **{**NO_ADDRESS, "province": "Đắk Lăk"}, producer_name="Trần Văn Bảy",
                     tax_code="066095001122", producer_kind=""),
            numbered(2, **{**NO_ADDRESS, "province": "Xứ Đoài"})]
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(tmp_path / "dak-lak.xlsx")
    summary = ingest(engine, tmp_path / "dak-lak.xlsx", rejects_dir=tmp_path, today=TODAY)
    assert (summary.rows_in, summary.accepted, summary.rejected, summary.warnings) == (2, 1, 1, 1)
    [item] = products(engine).values()
    assert (item.producer.kind, item.producer.address.province) == (ProducerKind.HOUSEHOLD, "Đắk Lắk")
