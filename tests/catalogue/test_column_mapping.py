"""A real export's own headers mapped onto the documented columns once, in a columns file beside the source,
then used on every ingest of that source: written by `--write-map`, by answering prompts, or by hand."""

import datetime as dt
import json

import openpyxl
import pytest
from typer.testing import CliRunner

from catalogue.cli import app
from catalogue.ingest import ingest
from catalogue.sources import SourceError
from tests.catalogue.rows import good_row, write_csv

TODAY = dt.date(2026, 6, 1)
# A marketplace's OCOP export: some headers documented, others its own.
EXPORT_HEADERS = {"ocop_code": "Mã sản phẩm", "product_name": "full_name", "group_code": "Nhóm sản phẩm",
                  "stars": "ocop_rating", "decision_number": "Số quyết định", "decision_date": "Ngày quyết định",
                  "producer_name": "Chủ thể", "tax_code": "Mã số thuế", "province": "origin", "price_vnd": "Giá bán",
                  "description": "Mô tả", "note": "Ghi chú nội bộ"}


def export_rows() -> list[dict[str, str]]:
    rows = [good_row(), good_row(ocop_code="87-872-00002-4-2024", product_name="Trà tim sen Tháp Mười",
                                 stars="4", score="78", gtin="", producer_name="Nguyễn Thị Mai",
                                 tax_code="087195004321", province="Đồng Thap")]
    return [{column: row.get(column, "chỉ dùng nội bộ") for column in EXPORT_HEADERS} for row in rows]


@pytest.fixture
def export(tmp_path):
    return write_csv(tmp_path / "san-ocop.csv", export_rows(), headers=list(EXPORT_HEADERS.values()))


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OCOP_DATABASE_URL", f"sqlite:///{tmp_path / 'home' / 'ocop.db'}")
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(app, [str(arg) for arg in args], input=input)


def test_unknown_headers_are_refused_naming_each_with_the_column_it_may_be(run, export):
    result = run("ingest", export, "--no-ask")
    assert result.exit_code == 1
    assert "missing required columns: product_name, stars" in result.output
    assert "'full_name' (→ product_name?)" in result.output and "'ocop_rating' (→ stars?)" in result.output
    assert "'origin' (→ province?)" in result.output and "'Ghi chú nội bộ'," not in result.output
    assert f"ocop ingest {export} --write-map" in result.output


def test_write_map_writes_the_template_beside_the_source_and_the_next_ingest_uses_it(run, export):
    result = run("ingest", export, "--write-map")
    assert result.exit_code == 0, result.output
    columns_file = export.parent / "san-ocop.csv.columns.toml"
    assert "3 headers with a suggested column to check, 1 without one" in result.output
    text = columns_file.read_text(encoding="utf-8")
    assert '"full_name" = "product_name"    # suggested: check it' in text
    assert '# "Ghi chú nội bộ" = ""    # no documented column looks like it' in text
    result = run("ingest", export)
    assert result.exit_code == 0, result.output
    assert "rows in          2  = accepted 2 + rejected 0 + merged 0" in result.output
    assert "columns mapped by san-ocop.csv.columns.toml" in result.output


def test_the_scheduled_pull_finds_the_columns_file_beside_its_source(engine, tmp_path, export):
    (tmp_path / "san-ocop.csv.columns.toml").write_text(
        '[columns]\n"full_name" = "product_name"\n"OCOP rating" = "stars"\n"Origin" = "province"\n'
        '"Ghi chú nội bộ" = ""\n', encoding="utf-8")
    summary = ingest(engine, str(export), rejects_dir=tmp_path, today=TODAY)   # as flows.pull calls it
    assert (summary.rows_in, summary.accepted, summary.rejected) == (2, 2, 0)
    assert [(issue.field, issue.rule) for issue in summary.issues] == [
        ("province", "province 'Đồng Thap' read as 'Đồng Tháp'")]
    assert "ignored columns: Ghi chú nội bộ" in summary.detail


def test_a_csv_columns_file_given_with_map_is_used(run, export, tmp_path):
    mapping = tmp_path / "cot.csv"
    mapping.write_text("source_header,column\nfull_name,product_name\nocop_rating,stars\norigin,province\n",
                       encoding="utf-8")
    result = run("ingest", export, "--map", mapping)
    assert result.exit_code == 0, result.output
    assert "accepted 2 + rejected 0" in result.output and "columns mapped by cot.csv" in result.output


def test_a_columns_file_naming_no_documented_column_is_refused_with_the_nearest(engine, export, tmp_path):
    mapping = tmp_path / "cot.toml"
    mapping.write_text('[columns]\n"full_name" = "product_name"\n"ocop_rating" = "star_rating"\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"'ocop_rating' is mapped to 'star_rating', which is not a documented "
                                          r"column \(did you mean 'stars'\?\)"):
        ingest(engine, export, columns_file=mapping, rejects_dir=tmp_path, today=TODAY)


def test_in_a_terminal_the_office_is_asked_once_and_the_answers_are_kept(run, export):
    # full_name: the suggestion accepted; ocop_rating: a wrong name, then stars; origin: province; note: left out
    result = run("ingest", export, "--ask", input="\nstar\nstars\nprovince\n-\n")
    assert result.exit_code == 0, result.output
    assert "not a documented column: 'star'" in result.output
    assert "accepted 2 + rejected 0" in result.output
    text = (export.parent / "san-ocop.csv.columns.toml").read_text(encoding="utf-8")
    assert '"ocop_rating" = "stars"' in text and '"Ghi chú nội bộ" = ""' in text
    again = run("ingest", export, "--no-ask")
    assert again.exit_code == 0 and "unchanged 2" in again.output


def test_a_workbook_with_its_own_headers_is_refused_by_them_then_mapped(run, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "OCOP 2024"
    sheet.append(["DANH MỤC SẢN PHẨM OCOP"])
    sheet.append(list(EXPORT_HEADERS.values()))
    for row in export_rows():
        sheet.append(list(row.values()))
    path = tmp_path / "danh-muc.xlsx"
    workbook.save(path)
    result = run("ingest", path, "--no-ask")
    assert result.exit_code == 1
    assert "sheet 'OCOP 2024' row 2: missing required columns: product_name, stars" in result.output
    assert run("ingest", path, "--write-map").exit_code == 0
    result = run("ingest", path)
    assert result.exit_code == 0 and "accepted 2 + rejected 0" in result.output


def test_a_json_file_s_own_keys_are_mapped_too(engine, tmp_path):
    items = [{EXPORT_HEADERS[column]: value for column, value in row.items()} for row in export_rows()]
    path = tmp_path / "san.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "san.json.columns.toml").write_text(
        '[columns]\n"full_name" = "product_name"\n"ocop_rating" = "stars"\n"origin" = "province"\n', encoding="utf-8")
    summary = ingest(engine, path, rejects_dir=tmp_path, today=TODAY)
    assert (summary.rows_in, summary.accepted) == (2, 2)
