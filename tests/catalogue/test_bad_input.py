"""Bad input never crashes a file, never loses a row: each bad row is named, the good ones beside it land.

Every case runs on SQLite and PostgreSQL, and checks that rows in = accepted + rejected + merged
counts the records the file really holds.
"""

import csv
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from catalogue.ingest import ingest
from catalogue.models import IngestReject, Product
from catalogue.store import transaction
from tests.catalogue.rows import csv_text, good_row, write_csv

TODAY = dt.date(2026, 6, 1)


def numbered(count: int, **overrides) -> list[dict[str, str]]:
    """`count` distinct good products (own code, name and barcode), then `overrides` applied to each."""
    return [good_row(ocop_code=f"87-872-{i:05d}-3-2024", product_name=f"Hạt sen sấy số {i}", gtin="",
                     **overrides) for i in range(1, count + 1)]


def ingest_file(engine, tmp_path, path):
    return ingest(engine, path, rejects_dir=tmp_path / "rejects", today=TODAY)


def ingest_csv(engine, tmp_path, rows, name="catalogue.csv"):
    return ingest_file(engine, tmp_path, write_csv(tmp_path / name, rows))


def stored_codes(engine) -> list[str]:
    with transaction(engine) as session:
        return sorted(session.scalars(select(Product.ocop_code)))


def stored_names(engine) -> list[str]:
    with transaction(engine) as session:
        return sorted(session.scalars(select(Product.name)))


def stored_rejects(engine) -> list[tuple[int, str, str]]:
    with transaction(engine) as session:
        return [(r.row_number, r.field, r.severity) for r in
                session.scalars(select(IngestReject).order_by(IngestReject.row_number, IngestReject.id))]


def errors(summary) -> list[tuple[int, str]]:
    return [(issue.row, issue.field) for issue in summary.issues if issue.severity == "error"]


def balanced(summary, records: int) -> bool:
    return summary.rows_in == records == summary.accepted + summary.rejected + summary.merged


# --- numbers the database columns cannot hold -----------------------------------------------------

@pytest.mark.parametrize("field, value, bits", [
    ("price_vnd", "12345678901234567890123", 64),
    ("stock", "3000000000", 32),
    ("net_weight_g", "3000000 kg", 32),
])
def test_a_number_beyond_its_column_rejects_the_row_naming_the_range(engine, tmp_path, field, value, bits):
    rows = numbered(3)
    rows[1][field] = value
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 3) and (summary.accepted, summary.rejected) == (2, 1)
    [issue] = [i for i in summary.issues if i.severity == "error"]
    assert (issue.row, issue.field, issue.value) == (3, field, value)
    assert f"{2 ** (bits - 1) - 1:,}" in issue.rule and f"{bits}-bit integer" in issue.rule
    assert len(stored_codes(engine)) == 2


# --- text the database cannot hold ---------------------------------------------------------------

def test_a_nul_past_the_first_4_kb_of_a_csv_rejects_its_row_naming_the_nul_and_the_line(engine, tmp_path):
    rows = numbered(40, description="Hạt sen sấy giòn, đóng gói hút chân không. " * 3)
    rows[30]["product_name"] = "Hạt sen\x00 sấy"
    path = write_csv(tmp_path / "nul.csv", rows)
    assert path.read_bytes().index(b"\x00") > 4096
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 40) and (summary.accepted, summary.rejected) == (39, 1)
    [issue] = [i for i in summary.issues if i.severity == "error"]
    assert (issue.row, issue.field, issue.value) == (32, "product_name", "Hạt sen\\x00 sấy")
    assert "NUL character (U+0000)" in issue.rule and "row 32" in str(issue)
    assert stored_rejects(engine) == [(32, "product_name", "error")]


def test_a_nul_near_the_top_of_a_text_file_is_named_with_its_line_not_called_binary(engine, tmp_path):
    rows = numbered(3)
    rows[1]["commune"] = "xã\x00Tháp Mười"
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 3) and errors(summary) == [(3, "commune")]
    assert "NUL" in summary.issues[0].rule


def test_a_nul_in_a_json_string_rejects_that_item(engine, tmp_path):
    items = numbered(3)
    items[2]["producer_name"] = "HTX Sen\u0000 Tháp Mười"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(items, ensure_ascii=True), encoding="utf-8")
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 3) and errors(summary) == [(3, "producer_name")]


def test_an_unpaired_surrogate_in_json_rejects_that_item(engine, tmp_path):
    items = numbered(2)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(items, ensure_ascii=False).replace("Hạt sen sấy số 2", "Hạt sen \\ud83d"),
                    encoding="utf-8")
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 2) and errors(summary) == [(2, "product_name")]
    assert "U+D83D" in summary.issues[0].rule


def test_a_name_whose_comparison_key_outgrows_its_column_is_rejected_not_crashing(engine, tmp_path):
    rows = numbered(2)
    rows[0]["product_name"] = "ß" * 200        # 200 characters; its case-folded key "ss" * 200 has 400
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 2) and errors(summary) == [(2, "product_name")]
    assert "400 characters; at most 255" in summary.issues[0].rule


# --- control characters and bidirectional overrides ----------------------------------------------

@pytest.mark.parametrize("field, value, named", [
    ("product_name", "Hạt sen \x1b[31msấy", "U+001B (ESC)"),
    ("producer_name", "HTX Sen\x07 Tháp Mười", "U+0007 (BEL)"),
    ("description", "Sen \x85 sấy", "U+0085"),
])
def test_a_control_character_rejects_the_row_naming_it(engine, tmp_path, field, value, named):
    rows = numbered(2)
    rows[1][field] = value
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 2) and errors(summary) == [(3, field)]
    assert named in summary.issues[0].rule and "\x1b" not in str(summary.issues[0])


def test_bidirectional_overrides_are_removed_with_a_warning_and_the_row_lands(engine, tmp_path):
    rows = numbered(2)
    rows[0]["product_name"] = "Hạt sen \u202egnos\u202c sấy"
    rows[1]["producer_name"] = "\u2066HTX Sen Tháp Mười\u2069"
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 2) and summary.accepted == 2 and summary.warnings == 2
    warnings = [(i.row, i.field) for i in summary.issues if i.severity == "warning"]
    assert warnings == [(2, "product_name"), (3, "producer_name")]
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in summary.issues[0].rule
    assert "Hạt sen gnos sấy" in stored_names(engine)


def test_tabs_and_line_breaks_in_a_description_are_text_not_control_characters(engine, tmp_path):
    summary = ingest_csv(engine, tmp_path, numbered(1, description="Dòng 1\r\n\tDòng 2"))
    assert summary.accepted == 1 and summary.issues == ()


def test_the_rejects_csv_shows_control_characters_as_escapes_and_keeps_long_values_whole(engine, tmp_path):
    rows = numbered(2)
    rows[0]["product_name"] = "Sen\x1b" + "x" * 3000
    summary = ingest_csv(engine, tmp_path, rows)
    with summary.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        [line] = list(csv.DictReader(handle))
    assert line["value"] == "Sen\\x1b" + "x" * 3000
    assert len(str(summary.issues[0])) < 400


def test_a_two_million_character_value_is_cut_in_the_summary_but_whole_in_the_rejects(engine, tmp_path):
    rows = numbered(2)
    rows[1]["ocop_code"] = "8" * 2_000_000
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 2) and errors(summary) == [(3, "ocop_code")]
    message = str(summary.issues[0])
    assert len(message) < 300 and "(2,000,000 characters)" in message
    with transaction(engine) as session:
        assert session.scalar(select(func.length(IngestReject.value))) == 2_000_000


def test_a_long_list_of_ignored_columns_is_summarised(engine, tmp_path):
    rows = numbered(1)
    text = csv_text(rows)
    header, line = text.split("\r\n", 1)
    extra = [f"cột thêm {i}" for i in range(20_000)]
    path = tmp_path / "wide.csv"
    path.write_text(header + "," + ",".join(extra) + "\r\n" + line, encoding="utf-8")
    summary = ingest_file(engine, tmp_path, path)
    assert summary.accepted == 1
    assert "… and 19,990 more" in summary.detail and len(summary.detail) < 1000
