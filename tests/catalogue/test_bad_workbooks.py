"""Bad XLSX workbooks: every data sheet read, real extent streamed, damage and passwords named, formulas explained.

Every case runs on SQLite and PostgreSQL and checks rows in = accepted + rejected + merged against
the rows the workbook really holds.
"""

import csv
import datetime as dt
import resource
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

import catalogue.sources.xlsx_file as xlsx_file
from catalogue.ingest import ingest
from catalogue.models import IngestReject, IngestRun, Product
from catalogue.sources import SourceError
from catalogue.sources.columns import ALIASES
from ocop.store import transaction
from tests.catalogue.rows import good_row

TODAY = dt.date(2026, 6, 1)
FIXTURES = Path(__file__).parent / "fixtures"
COLUMNS = ("ocop_code", "product_name", "group_code", "stars", "decision_number", "decision_date", "producer_name",
           "tax_code", "province", "gtin", "net_weight_g", "price_vnd")
HEADER = [ALIASES[column][0] for column in COLUMNS]


def product_row(number: int, **overrides) -> list[object]:
    row = good_row(**{"ocop_code": f"87-872-{number:05d}-3-2024", "product_name": f"Hạt sen sấy số {number}",
                      "gtin": "", **overrides})
    return [row[column] for column in COLUMNS]


def workbook_with(sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return workbook


def save(workbook, tmp_path, name="dong-thap.xlsx") -> Path:
    path = tmp_path / name
    workbook.save(path)
    return path


def ingest_file(engine, tmp_path, path):
    return ingest(engine, path, rejects_dir=tmp_path / "rejects", today=TODAY)


def count(engine, model) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def balanced(summary, records: int) -> bool:
    return summary.rows_in == records == summary.accepted + summary.rejected + summary.merged


def errors(summary):
    return [(issue.sheet, issue.row, issue.field) for issue in summary.issues if issue.severity == "error"]


def refused(engine, tmp_path, path, message: str) -> SourceError:
    with pytest.raises(SourceError, match=message) as refusal:
        ingest_file(engine, tmp_path, path)
    assert count(engine, IngestRun) == 0 and count(engine, Product) == 0
    assert not (tmp_path / "rejects").exists()
    return refusal.value


# --- every sheet with a header ---------------------------------------------------------------------

def test_every_sheet_with_a_header_is_read_and_its_rows_named_by_sheet(engine, tmp_path):
    workbook = workbook_with({
        "2023": [["DANH SÁCH OCOP 2023"], HEADER, product_row(1), product_row(2, stars="2")],
        "Ghi chú": [["Số liệu do Sở NN&MT cung cấp"], ["Cập nhật", "06/2026"]],
        "2024": [HEADER, product_row(3), product_row(4, stars="2"), product_row(5)],
    })
    summary = ingest_file(engine, tmp_path, save(workbook, tmp_path))
    assert balanced(summary, 5) and (summary.accepted, summary.rejected) == (3, 2)
    assert errors(summary) == [("2023", 4, "stars"), ("2024", 3, "stars")]
    assert "'2023' (header on row 2), '2024' (header on row 1)" in summary.detail
    assert "'Ghi chú'" in summary.detail and "sheet '2024' row 3" in str(summary.issues[1])
    with transaction(engine) as session:
        stored = session.execute(select(IngestReject.sheet, IngestReject.row_number)
                                 .order_by(IngestReject.sheet)).all()
    assert stored == [("2023", 4), ("2024", 3)]
    with summary.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        assert [(line["sheet"], line["row"]) for line in csv.DictReader(handle)] == [("2023", "4"), ("2024", "3")]


def test_the_same_row_number_on_two_sheets_is_two_rows(engine, tmp_path):
    duplicate = product_row(1)
    workbook = workbook_with({"Huyện A": [HEADER, product_row(1)], "Huyện B": [HEADER, duplicate, product_row(2)]})
    summary = ingest_file(engine, tmp_path, save(workbook, tmp_path))
    assert balanced(summary, 3) and (summary.accepted, summary.merged) == (2, 1)
    [merged] = [issue for issue in summary.issues if issue.severity == "duplicate"]
    assert (merged.sheet, merged.row) == ("Huyện B", 2) and "sheet 'Huyện A' row 2" in merged.rule


def test_a_data_sheet_without_the_required_columns_refuses_the_file_naming_the_sheet(engine, tmp_path):
    workbook = workbook_with({"2023": [HEADER, product_row(1)],
                              "2024": [["Mã sản phẩm", "Tên sản phẩm", "Hạng sao"], ["X-1", "Trà sen", 3]]})
    refused(engine, tmp_path, save(workbook, tmp_path), r"sheet '2024' row 1: missing required columns: group_code")


# --- real extent, streamed, bounded ----------------------------------------------------------------

@pytest.mark.parametrize("stray", ["A1048576", "XFD1048576"])
def test_a_stray_cell_at_the_bottom_of_the_sheet_costs_nothing(engine, tmp_path, stray):
    workbook = workbook_with({"DS OCOP": [HEADER, product_row(1), product_row(2)]})
    workbook["DS OCOP"][stray] = "x"
    path = save(workbook, tmp_path)
    started, memory = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summary = ingest_file(engine, tmp_path, path)
    assert time.perf_counter() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - memory < 200 * 1024   # KB: under 200 MB more
    assert balanced(summary, 2) and summary.accepted == 2


def test_a_workbook_beyond_the_row_bound_is_refused(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_file, "MAX_DATA_ROWS", 3)
    workbook = workbook_with({"A": [HEADER, product_row(1), product_row(2)], "B": [HEADER, product_row(3),
                                                                                  product_row(4)]})
    refused(engine, tmp_path, save(workbook, tmp_path), "more than 3 rows with data; split the workbook")


def test_merged_producer_cells_apply_on_every_sheet(engine, tmp_path):
    workbook = workbook_with({"A": [HEADER, product_row(1), product_row(2, producer_name="", tax_code="")],
                              "B": [HEADER, product_row(3), product_row(4, producer_name="", tax_code="")]})
    for title in ("A", "B"):
        workbook[title].merge_cells("G2:G3")
        workbook[title].merge_cells("H2:H3")
    summary = ingest_file(engine, tmp_path, save(workbook, tmp_path))
    assert balanced(summary, 4) and summary.accepted == 4


# --- damaged, encrypted, uncalculated ----------------------------------------------------------------

def test_a_damaged_part_inside_the_workbook_is_named_and_nothing_is_written(engine, tmp_path):
    good = save(workbook_with({"DS OCOP": [HEADER] + [product_row(n) for n in range(1, 200)]}), tmp_path, "good.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    shutil.copy(good, damaged)
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(damaged.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 20, start + 60):
        data[offset] ^= 0xFF
    damaged.write_bytes(bytes(data))
    error = refused(engine, tmp_path, damaged, "the workbook is damaged: its part xl/worksheets/sheet1.xml")
    assert "save it again" in str(error)


def test_a_password_protected_workbook_is_called_encrypted(engine, tmp_path):
    error = refused(engine, tmp_path, FIXTURES / "encrypted.xlsx", "encrypted")
    assert "legacy" not in str(error) and "password" in str(error)


def test_a_formula_never_calculated_is_named_as_such(engine, tmp_path):
    price = HEADER.index(ALIASES["price_vnd"][0]) + 1
    weight = HEADER.index(ALIASES["net_weight_g"][0]) + 1
    workbook = workbook_with({"DS OCOP": [HEADER, product_row(1), product_row(2), product_row(3)]})
    sheet = workbook["DS OCOP"]
    sheet.cell(3, price).value = "=100000+20000"        # openpyxl saves formulas without their values
    sheet.cell(4, weight).value = "=200+40"
    summary = ingest_file(engine, tmp_path, save(workbook, tmp_path))
    assert balanced(summary, 3) and (summary.accepted, summary.rejected) == (2, 1)
    [error] = [issue for issue in summary.issues if issue.severity == "error"]
    assert (error.row, error.field) == (3, "price_vnd") and "required field is missing" not in error.rule
    assert f"cell {openpyxl.utils.get_column_letter(price)}3 holds a formula that was never calculated" in error.rule
    assert "save it" in error.rule
    [warning] = [issue for issue in summary.issues if issue.severity == "warning"]
    assert (warning.row, warning.field) == (4, "net_weight_g")


def test_legacy_font_text_in_the_cells_of_a_unicode_workbook_rejects_those_rows(engine, tmp_path):
    legacy = product_row(2, product_name="B\xb8nh ph\xe5ng n\xd5p Cao L\xb7nh",
                         producer_name="H\xeep t\xb8c x\xb7 Sen Th\xb8p M\xad\xeai")
    workbook = workbook_with({"DS OCOP": [HEADER, product_row(1), legacy, product_row(3)]})
    summary = ingest_file(engine, tmp_path, save(workbook, tmp_path))
    assert balanced(summary, 3) and errors(summary) == [(None, 3, "producer_name")]
    assert "legacy TCVN3 font encoding" in summary.issues[0].rule


def _with_sheet_xml(path: Path, rewrite) -> Path:
    """The workbook with its first sheet's XML rewritten (other writers than openpyxl shape it differently)."""
    out = path.with_name("rewritten.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, rewrite(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def test_formulas_with_saved_values_are_read_whatever_namespace_prefix_the_writer_uses(engine, tmp_path):
    price = openpyxl.utils.get_column_letter(HEADER.index(ALIASES["price_vnd"][0]) + 1)
    workbook = workbook_with({"DS OCOP": [HEADER, product_row(1), product_row(2), product_row(3)]})
    sheet = workbook["DS OCOP"]
    sheet[f"{price}2"], sheet[f"{price}3"], sheet[f"{price}4"] = "=1", "=2", "=3"

    def like_excel_with_a_prefix(xml: bytes) -> bytes:
        xml = xml.replace(f'<c r="{price}2"><f>1</f><v /></c>'.encode(),
                          f'<c r="{price}2"><f>100000+20000</f><v>120000</v></c>'.encode())
        xml = xml.replace(f'<c r="{price}3"><f>2</f><v /></c>'.encode(),
                          f'<c r="{price}3" t="str"><f>TEXT(120000,"0")</f><v>120000</v></c>'.encode())
        xml = xml.replace(b"<worksheet", b"<x:worksheet").replace(b"</worksheet>", b"</x:worksheet>")
        xml = xml.replace(b'xmlns="', b'xmlns:x="')
        for tag in (b"sheetData", b"row", b"c", b"f", b"v", b"is", b"t", b"dimension", b"sheetViews", b"sheetView",
                    b"selection", b"sheetFormatPr", b"pageMargins", b"sheetPr", b"outlinePr", b"pageSetUpPr"):
            xml = xml.replace(b"<" + tag + b" ", b"<x:" + tag + b" ").replace(b"<" + tag + b">", b"<x:" + tag + b">")
            xml = xml.replace(b"</" + tag + b">", b"</x:" + tag + b">")
        return xml

    path = _with_sheet_xml(save(workbook, tmp_path), like_excel_with_a_prefix)
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 3) and (summary.accepted, summary.rejected) == (2, 1)
    assert errors(summary) == [(None, 4, "price_vnd")] and "never calculated" in summary.issues[0].rule
