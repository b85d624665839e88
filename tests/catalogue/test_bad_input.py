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
from catalogue.normalise import ascii_fold
from catalogue.sources import SourceError
from ocop.store import transaction
from tests.catalogue.rows import cp1258_bytes, csv_text, good_row, write_csv

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


# --- CSV records the parser would swallow ---------------------------------------------------------

def csv_lines(rows) -> list[str]:
    return csv_text(rows).split("\r\n")[:-1]     # the header, then one line per row


def write_lines(path, lines, encoding="utf-8"):
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_a_stray_quote_does_not_swallow_the_next_record(engine, tmp_path):
    lines = csv_lines(numbered(5))
    lines[4] = lines[4] + ',"sen-4.jpg'          # an extra cell opening a quote it never closes
    lines[4] = lines[4].replace(',,"sen-4.jpg', ',"sen-4.jpg')   # keep the header's width
    summary = ingest_file(engine, tmp_path, write_lines(tmp_path / "quote.csv", lines))
    assert balanced(summary, 5) and (summary.accepted, summary.rejected) == (4, 1)
    [issue] = [i for i in summary.issues if i.severity == "error"]
    assert (issue.row, issue.field) == (5, "images") and "line 6 were read into it" in issue.rule
    assert stored_codes(engine) == [f"87-872-{i:05d}-3-2024" for i in (1, 2, 3, 5)]


def test_a_quote_opened_in_a_middle_cell_and_closed_lines_later_rejects_only_its_own_line(engine, tmp_path):
    rows = numbered(6)
    lines = csv_lines(rows)
    lines[2] = lines[2].replace("Hạt sen sấy số 2", '"Hạt sen sấy số 2')
    lines[4] = lines[4].replace("Hạt sen sấy số 4", 'Hạt sen sấy số 4"')   # a quote closes it two lines on
    summary = ingest_file(engine, tmp_path, write_lines(tmp_path / "quote.csv", lines))
    assert balanced(summary, 6) and errors(summary) == [(3, "product_name")]
    assert "lines 4–5 were read into it" in summary.issues[0].rule
    assert len(stored_codes(engine)) == 5


def test_a_quote_never_closed_in_a_long_file_loses_none_of_the_rows_below(engine, tmp_path):
    lines = csv_lines(numbered(700))
    lines[1] = lines[1].replace("Hạt sen sấy số 1", '"Hạt sen sấy số 1')
    summary = ingest_file(engine, tmp_path, write_lines(tmp_path / "quote.csv", lines))
    assert balanced(summary, 700) and (summary.accepted, summary.rejected) == (699, 1)
    assert errors(summary) == [(2, "product_name")]


def test_a_description_written_on_several_lines_is_one_record(engine, tmp_path):
    rows = numbered(3, description="Thành phần: sen, đường.\nHạn dùng: 12 tháng, nơi khô ráo.\n\nSản xuất tại Đồng Tháp")
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 3) and summary.accepted == 3 and summary.issues == ()


def test_old_mac_line_ends_are_lines(engine, tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(csv_text(numbered(3)).replace("\r\n", "\r").encode("utf-8"))
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 3) and summary.accepted == 3


# --- text in the wrong encoding ----------------------------------------------------------------

def legacy_row(**overrides) -> dict[str, str]:
    """A row of a legacy-font file: the Vietnamese text font-encoded, the rest plain ASCII."""
    return {key: ascii_fold(value) for key, value in good_row(gtin="", **overrides).items()} | TCVN3_ROW


TCVN3_ROW = {"product_name": "B\xb8nh ph\xe5ng n\xd5p Cao L\xb7nh", "producer_name": "H\xeep t\xb8c x\xb7 Sen Th\xb8p M\xad\xeai",
             "commune": "x\xb7 T\xa9n Thu\xa9n"}


def test_tcvn3_text_after_the_first_256_kb_of_a_utf8_csv_rejects_those_rows_naming_the_encoding(engine, tmp_path):
    rows = numbered(700, description="Hạt sen sấy giòn, đóng gói hút chân không, bảo quản nơi khô ráo. " * 5)
    rows[690].update(TCVN3_ROW)
    path = write_csv(tmp_path / "late-tcvn3.csv", rows)
    assert path.read_text(encoding="utf-8").index("B\xb8nh") > 256 * 1024
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 700) and errors(summary) == [(692, "producer_name")]
    assert "legacy TCVN3 font encoding" in summary.issues[0].rule


def test_tcvn3_bytes_after_the_first_256_kb_are_named_as_tcvn3_too(engine, tmp_path):
    lines = csv_lines(numbered(700, description="Hạt sen sấy giòn, đóng gói hút chân không, bảo quản nơi khô ráo. " * 5))
    legacy = csv_lines([legacy_row(ocop_code="87-872-09999-3-2024")])[1]
    path = tmp_path / "late-tcvn3-bytes.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8") + (legacy + "\r\n").encode("cp1252"))
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 701) and [row for row, _ in errors(summary)] == [702]
    assert "legacy TCVN3" in [i for i in summary.issues if i.severity == "error"][0].rule


def test_a_utf8_file_with_two_windows_1258_lines_names_that_encoding_and_the_lines(engine, tmp_path):
    lines = csv_lines(numbered(5))
    lines[2] = lines[2].replace("Hạt sen sấy số 2", "Trà tim sen")
    lines[4] = lines[4].replace("Hạt sen sấy số 4", "Mứt sen")
    body = [line.encode("cp1258" if number in (2, 4) else "utf-8", errors="strict") if number not in (2, 4)
            else cp1258_bytes(line) for number, line in enumerate(lines)]
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\r\n".join(body) + b"\r\n")
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 5) and summary.accepted == 5
    warnings = [issue for issue in summary.issues if issue.severity == "warning"]
    assert [issue.row for issue in warnings] == [3, 5]
    assert all("Windows-1258" in issue.rule and "TCVN3" not in issue.rule for issue in warnings)
    assert "line 3 is not UTF-8" in warnings[0].rule
    assert {"Trà tim sen", "Mứt sen"} <= set(stored_names(engine))


def test_a_legacy_font_file_is_refused_naming_the_encoding_and_its_lines(engine, tmp_path):
    rows = [legacy_row(ocop_code=f"X-{i}") for i in range(3)]
    path = tmp_path / "legacy.csv"
    path.write_bytes(csv_text(rows).encode("cp1252"))
    with pytest.raises(SourceError, match=r"legacy TCVN3 font encoding \(lines 2, 3, 4;"):
        ingest_file(engine, tmp_path, path)
    assert stored_codes(engine) == []


# --- JSON nesting ------------------------------------------------------------------------------------

def test_json_nested_200000_deep_is_refused_with_a_message_and_writes_nothing(engine, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(SourceError, match="nested deeper than 20 levels"):
        ingest_file(engine, tmp_path, path)
    assert stored_codes(engine) == [] and not (tmp_path / "rejects").exists()


def test_brackets_inside_json_strings_are_text(engine, tmp_path):
    items = numbered(2, description="[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{ \\\" ]]]]")
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"items": items}, ensure_ascii=False), encoding="utf-8")
    summary = ingest_file(engine, tmp_path, path)
    assert balanced(summary, 2) and summary.accepted == 2


# --- what merging would silently drop ------------------------------------------------------------

def test_one_tax_code_with_two_producer_names_is_reported_and_the_first_name_kept(engine, tmp_path):
    rows = numbered(3)
    rows[2].update(producer_name="HTX Nông nghiệp Tháp Mười", commune="xã Mỹ Hòa")
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 3) and summary.accepted == 3
    warnings = [(i.row, i.field, i.value) for i in summary.issues if i.severity == "warning"]
    assert warnings == [(4, "producer_name", "HTX Nông nghiệp Tháp Mười"), (4, "commune", "xã Mỹ Hòa")]
    rule = summary.issues[0].rule
    assert "tax code 1400112623 is producer 'HTX Sen Tháp Mười' on row 2" in rule and "not stored" in rule


def test_the_same_producer_name_spelled_with_other_marks_is_no_conflict(engine, tmp_path):
    rows = numbered(2)
    rows[1]["producer_name"] = "HTX SEN THÁP MƯỜI"
    assert ingest_csv(engine, tmp_path, rows).issues == ()


def test_a_duplicate_merged_with_another_price_says_which_values_were_kept(engine, tmp_path):
    rows = numbered(2)
    rows.append(dict(rows[0], price_vnd="135000", stock="60", decision_number="77/QĐ-UBND"))
    summary = ingest_csv(engine, tmp_path, rows)
    assert balanced(summary, 3) and (summary.accepted, summary.merged) == (2, 1)
    [merged] = [i for i in summary.issues if i.severity == "duplicate"]
    assert "price_vnd '135000' (kept '120000')" in merged.rule and "stock '60' (kept '50')" in merged.rule
    assert "values from row 2 kept" in merged.rule


def test_a_duplicate_of_a_stored_product_says_which_stored_values_were_kept(engine, tmp_path):
    ingest_csv(engine, tmp_path, [good_row()], name="first.csv")
    repeat = good_row(ocop_code="87-872-00099-3-2025", decision_number="77/QĐ-UBND", price_vnd="99000")
    summary = ingest_csv(engine, tmp_path, [repeat], name="second.csv")
    assert summary.merged == 1
    assert "values in the catalogue kept: price_vnd '99000' (kept '120000')" in summary.issues[0].rule


def test_an_exact_duplicate_mentions_no_values(engine, tmp_path):
    rows = numbered(1)
    summary = ingest_csv(engine, tmp_path, rows + [dict(rows[0], decision_number="77/QĐ-UBND")])
    assert summary.merged == 1 and "not stored" not in summary.issues[0].rule
