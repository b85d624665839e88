"""Reading catalogue files: Excel's text encodings, legacy font encodings refused, header aliases, XLSX quirks."""

import datetime as dt
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from catalogue.normalise import ascii_fold
from catalogue.sources import SourceError, read_file
from catalogue.sources.columns import ALIASES
from tests.catalogue.rows import cp1258_bytes, csv_text, good_row, write_csv

NAME = "Hạt sen sấy Tháp Mười"
PRODUCER = "Hợp tác xã Sen Tháp Mười"


def rows_of(path):
    return list(read_file(path).rows)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_or_without_bom_is_read(tmp_path, encoding):
    path = write_csv(tmp_path / "dt.csv", [good_row(product_name=NAME)], encoding=encoding)
    assert rows_of(path)[0].values["product_name"] == NAME


def test_utf16_unicode_text_export_is_read_as_tab_separated(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(csv_text([good_row(product_name=NAME)], delimiter="\t").encode("utf-16"))
    table = read_file(path)
    assert [row.values["product_name"] for row in table.rows] == [NAME]
    assert "utf-16" in table.detail


def test_cp1258_export_is_read_and_its_decomposed_marks_composed(tmp_path):
    path = tmp_path / "cp1258.csv"
    path.write_bytes(cp1258_bytes(csv_text([good_row(product_name=NAME, producer_name=PRODUCER)])))
    values = rows_of(path)[0].values
    assert unicodedata.normalize("NFC", values["product_name"]) == NAME
    assert "cp1258" in read_file(path).detail


def test_nfd_text_in_utf8_is_read(tmp_path):
    path = tmp_path / "nfd.csv"
    path.write_text(unicodedata.normalize("NFD", csv_text([good_row(product_name=NAME)])), encoding="utf-8")
    assert unicodedata.normalize("NFC", rows_of(path)[0].values["product_name"]) == NAME


# "Hạt sen sấy" and "Hợp tác xã Sen Tháp Mười" as typed with the legacy fonts.
TCVN3_NAME, TCVN3_PRODUCER = "H\xb9t sen s\xcay", "H\xeep t\xb8c x\xb7 Sen Th\xb8p M\xad\xeai"
VNI_NAME, VNI_PRODUCER = "Ha\xeft sen sa\xe1y", "Ho\xe2\xefp ta\xf9c xa\xf5 Sen Tha\xf9p M\xf6\xf4\xf8i"


def legacy_row(name: str, producer: str) -> dict[str, str]:
    """A row from a legacy-font file: the Vietnamese text is font-encoded, the rest plain ASCII."""
    row = {key: ascii_fold(value) for key, value in good_row().items()}
    return row | {"product_name": name, "producer_name": producer}


@pytest.mark.parametrize("legacy, name, producer", [("TCVN3", TCVN3_NAME, TCVN3_PRODUCER), ("VNI", VNI_NAME, VNI_PRODUCER)])
def test_legacy_font_encoding_bytes_are_refused_with_a_clear_message(tmp_path, legacy, name, producer):
    path = tmp_path / "legacy.csv"
    path.write_bytes(csv_text([legacy_row(name, producer)] * 3).encode("cp1252"))
    with pytest.raises(SourceError, match=f"legacy {legacy} font encoding.*convert it to Unicode"):
        read_file(path)


@pytest.mark.parametrize("legacy, name, producer", [("TCVN3", TCVN3_NAME, TCVN3_PRODUCER), ("VNI", VNI_NAME, VNI_PRODUCER)])
def test_legacy_font_text_saved_as_utf8_is_refused_too(tmp_path, legacy, name, producer):
    path = write_csv(tmp_path / "legacy-utf8.csv", [legacy_row(name, producer)] * 3)
    with pytest.raises(SourceError, match=f"legacy {legacy}"):
        read_file(path)


def test_a_unicode_file_with_a_few_trademark_signs_is_not_mistaken_for_legacy_text(tmp_path):
    path = write_csv(tmp_path / "brands.csv", [good_row(product_name=f"Bánh phồng tôm Sa Giang® {i}") for i in range(5)])
    assert len(rows_of(path)) == 5


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "legacy Excel 97-2003"),
    (b"%PDF-1.7\n", "a PDF"),
    (b"PK\x03\x04not really a zip", "not a readable XLSX"),
])
def test_files_that_are_not_csv_or_xlsx_are_refused(tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        read_file(path)


def test_missing_required_columns_are_named(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("Tên sản phẩm,Giá bán\nHạt sen,120000\n", encoding="utf-8")
    with pytest.raises(SourceError, match="missing required columns: ocop_code, group_code, stars"):
        read_file(path)


def test_vietnamese_headers_map_onto_canonical_columns(tmp_path):
    headers = ["Mã sản phẩm", "Tên sản phẩm", "Mã nhóm", "Hạng sao", "Điểm", "Số quyết định", "Ngày quyết định",
               "Cơ quan công nhận", "Thu hồi", "Chủ thể", "Loại hình", "Mã số thuế", "Thư điện tử", "Tỉnh", "Xã",
               "Tỉnh cũ", "Huyện", "Xã cũ", "Địa chỉ", "Mã vạch", "Quy cách", "Khối lượng (g)", "Giá bán (VNĐ)", "Tồn kho",
               "Mô tả", "Hình ảnh"]
    path = write_csv(tmp_path / "vi.csv", [good_row()], headers=headers)
    table = read_file(path)
    assert list(table.rows)[0].values == {key: value or None for key, value in good_row().items()}
    assert table.ignored_columns == ()


def test_headers_match_without_marks_or_case_and_unknown_ones_are_listed(tmp_path):
    path = tmp_path / "loose.csv"
    row = good_row()
    path.write_text("STT,MA SAN PHAM,ten san pham," + ",".join(list(row)[2:]) + "\n1," + ",".join(row.values()) + "\n",
                    encoding="utf-8")
    table = read_file(path)
    assert list(table.rows)[0].values["product_name"] == row["product_name"]
    assert table.ignored_columns == ("STT",)


def test_semicolon_export_with_excel_sep_line_is_read(tmp_path):
    path = tmp_path / "semicolon.csv"
    path.write_text("sep=;\r\n" + csv_text([good_row()], delimiter=";"), encoding="utf-8")
    rows = rows_of(path)
    assert rows[0].values["price_vnd"] == "120000" and rows[0].number == 3


def test_blank_lines_and_section_headings_are_skipped_and_rows_keep_their_line_numbers(tmp_path):
    row = good_row(description="dòng 1\ndòng 2")
    text = csv_text([row])
    header, line = text.split("\r\n", 1)
    path = tmp_path / "sections.csv"
    path.write_text(f"{header}\r\nI. THỰC PHẨM{',' * (len(row) - 1)}\r\n\r\n{line}{line}", encoding="utf-8")
    assert [r.number for r in rows_of(path)] == [4, 6]


def _workbook(tmp_path):
    """A province's workbook: title rows, a Vietnamese header on row 4, a merged producer, quirky cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "DS OCOP"
    sheet["A1"] = "UBND TỈNH ĐỒNG THÁP"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "DANH SÁCH SẢN PHẨM OCOP NĂM 2024"
    sheet.merge_cells("A2:H2")
    headers = ["STT", "Mã sản phẩm", "Tên sản phẩm", "Mã nhóm", "Hạng sao", "Số quyết định", "Ngày quyết định",
               "Chủ thể", "Mã số thuế", "Tỉnh", "Mã vạch", "Khối lượng (g)", "Giá bán"]
    sheet.append([])
    sheet.append(headers)
    sheet.append(["I. THỰC PHẨM"])
    sheet.merge_cells("A5:M5")
    sheet.append([1, "87-872-00001-3-2024", "Hạt sen sấy", "I.3.c", 3, "3981/QĐ-UBND", dt.datetime(2024, 5, 10),
                  "HTX Sen Tháp Mười", "1400112623", "Đồng Tháp", 8936000123451, 240, 120000.0])
    sheet.append([2, "87-872-00002-3-2024", "Trà tim sen", "I.5.b", 3, "3981/QĐ-UBND", 45422,
                  None, None, "Đồng Tháp", "8936000123468", "#REF!", 110000])
    sheet.append([3, "87-872-00003-4-2024", "Mứt sen", "I.3.c", 4, "3981/QĐ-UBND", "10/05/2024",
                  None, None, "Đồng Tháp", None, 260, "#REF!"])
    sheet.merge_cells("H6:H8")
    sheet.merge_cells("I6:I8")
    path = tmp_path / "dong-thap.xlsx"
    workbook.save(path)
    return path


def test_xlsx_header_is_found_below_title_rows(tmp_path):
    table = read_file(_workbook(tmp_path))
    assert "row 4" in table.detail and table.ignored_columns == ("STT",)
    assert [row.number for row in table.rows] == [6, 7, 8]


def test_xlsx_vertically_merged_producer_applies_to_every_row_it_spans(tmp_path):
    rows = rows_of(_workbook(tmp_path))
    assert {row.values["producer_name"] for row in rows} == {"HTX Sen Tháp Mười"}
    assert {row.values["tax_code"] for row in rows} == {"1400112623"}


def test_xlsx_dates_serials_and_numbers_become_text_the_validator_reads(tmp_path):
    first, second, third = rows_of(_workbook(tmp_path))
    assert [row.values["decision_date"] for row in (first, second, third)] == ["2024-05-10", "2024-05-10", "10/05/2024"]
    assert (first.values["gtin"], first.values["price_vnd"]) == ("8936000123451", "120000")


def test_xlsx_error_cells_arrive_as_the_excel_error(tmp_path):
    _, second, third = rows_of(_workbook(tmp_path))
    assert (second.values["net_weight_g"], third.values["price_vnd"]) == ("#REF!", "#REF!")


def test_xlsx_without_a_recognisable_header_is_refused(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Báo cáo", "tháng 5"])
    path = tmp_path / "report.xlsx"
    workbook.save(path)
    with pytest.raises(SourceError, match="no header row found"):
        read_file(path)


def test_the_columns_document_lists_every_column_and_header_alias():
    text = (Path(__file__).parents[2] / "docs" / "catalogue-columns.md").read_text(encoding="utf-8")
    missing = [alias for aliases in ALIASES.values() for alias in aliases if alias not in text]
    assert missing == [] and all(f"`{column}`" in text for column in ALIASES)
