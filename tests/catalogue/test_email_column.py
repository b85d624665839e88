"""The optional `email` column (Thư điện tử): stored on the producer, a bad address warned about, never a rejection."""

import csv
import datetime as dt

from catalogue.ingest import ingest
from catalogue.query import load_catalogue
from ocop.store import transaction
from tests.catalogue.rows import CO_SA_GIANG, TODAY_ISO, good_row, write_csv

TODAY = dt.date.fromisoformat(TODAY_ISO)


def _ingest(engine, tmp_path, rows, email_header="Thư điện tử", name="catalogue.csv"):
    headers = [email_header if column == "email" else column for column in rows[0]]
    path = write_csv(tmp_path / name, rows, headers=headers)
    return ingest(engine, path, rejects_dir=tmp_path / "rejects", today=TODAY)


def _emails(engine) -> dict[str, str | None]:
    with transaction(engine) as session:
        return {item.producer.name: item.producer.email for item in load_catalogue(session)}


def test_the_producers_address_under_its_vietnamese_header_is_stored_with_the_producer(engine, tmp_path):
    rows = [good_row(email="HTX.SenThapMuoi@Gmail.COM"),
            good_row(ocop_code="87-872-00002-4-2024", product_name="Trà sen", gtin="", stars="4", score="75",
                     email="", **CO_SA_GIANG)]
    summary = _ingest(engine, tmp_path, rows)
    assert (summary.accepted, summary.rejected, summary.warnings) == (2, 0, 0), summary.issues
    assert _emails(engine) == {"HTX Sen Tháp Mười": "HTX.SenThapMuoi@gmail.com", "Công ty Cổ phần Sa Giang": None}


def test_a_bad_address_is_a_warning_naming_row_column_value_and_what_is_expected_and_the_row_lands(engine, tmp_path):
    summary = _ingest(engine, tmp_path, [good_row(email="htx sen (gọi 0912 345 678)")], email_header="Email")
    assert (summary.accepted, summary.rejected) == (1, 0)
    [issue] = summary.issues
    assert (issue.row, issue.field, issue.value, issue.severity) == (2, "email", "htx sen (gọi 0912 345 678)", "warning")
    assert "expected an e-mail address like" in issue.rule
    assert _emails(engine) == {"HTX Sen Tháp Mười": None}
    rejects = list(csv.DictReader(summary.rejects_path.open(encoding="utf-8-sig")))
    assert [(r["row"], r["severity"], r["field"], r["value"]) for r in rejects] == [
        ("2", "warning", "email", "htx sen (gọi 0912 345 678)")]


def test_a_cell_with_two_addresses_keeps_the_first_and_says_so(engine, tmp_path):
    summary = _ingest(engine, tmp_path, [good_row(email="mailto:a@htxsen.vn; b@htxsen.vn")], email_header="E-mail")
    assert [(i.field, i.severity, i.rule) for i in summary.issues] == [
        ("email", "warning", "one address per producer: a@htxsen.vn is kept, b@htxsen.vn not")]
    assert _emails(engine) == {"HTX Sen Tháp Mười": "a@htxsen.vn"}


def test_an_address_added_later_updates_the_stored_producer_and_a_conflicting_one_is_named(engine, tmp_path):
    _ingest(engine, tmp_path, [good_row(email="")], name="first.csv")
    again = _ingest(engine, tmp_path, [good_row(email="htxsen@gmail.com"),
                                       good_row(ocop_code="87-872-00003-3-2024", product_name="Mứt sen", gtin="",
                                                email="other@gmail.com")], name="second.csv")
    assert _emails(engine) == {"HTX Sen Tháp Mười": "htxsen@gmail.com"}
    [conflict] = [issue for issue in again.issues if issue.field == "email"]
    assert (conflict.row, conflict.value, conflict.severity) == (3, "other@gmail.com", "warning")
    assert "htxsen@gmail.com" in conflict.rule and "not stored" in conflict.rule
