"""Ingest into the store, on SQLite and PostgreSQL: landing, rejects, duplicates, idempotence, change tracking."""

import csv
import datetime as dt
import unicodedata

import openpyxl
import pytest
from sqlalchemy import func, select

import catalogue.ingest as ingest_module
from catalogue.ingest import ingest, ingest_rows
from catalogue.models import Certification, IngestReject, IngestRun, Producer, Product
from catalogue.query import load_catalogue
from catalogue.records import NotListable
from catalogue.sources import SourceError
from catalogue.sources.columns import ALIASES
from ocop.store import transaction
from tests.catalogue.rows import CO_SA_GIANG, cp1258_bytes, csv_text, good_row, write_csv

TODAY = dt.date(2026, 6, 1)
SECOND = dict(ocop_code="87-872-00002-3-2024", product_name="Trà tim sen", group_code="I.5.b", gtin="8936000123468",
              pack_size="60 g", net_weight_g="90")


def count(engine, model) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def run(engine, tmp_path, rows, name="catalogue.csv", **options):
    path = write_csv(tmp_path / name, rows, **options)
    return ingest(engine, path, rejects_dir=tmp_path / "rejects", today=TODAY)


def stored(engine, ocop_code: str) -> Product:
    with transaction(engine) as session:
        return session.scalars(select(Product).where(Product.ocop_code == ocop_code)).one()


def catalogue_of(engine, province=None):
    with transaction(engine) as session:
        return load_catalogue(session, province=province)


def test_valid_rows_land_and_rejected_rows_go_to_the_rejects_table_and_csv(engine, tmp_path):
    rows = [good_row(), good_row(**SECOND), good_row(ocop_code="87-872-00003-3-2024", stars="2", product_name="Mứt sen"),
            good_row(ocop_code="87-872-00004-3-2024", product_name="Bột sen", gtin="8936000123452")]
    summary = run(engine, tmp_path, rows)
    assert (summary.rows_in, summary.accepted, summary.rejected, summary.merged) == (4, 2, 2, 0)
    assert count(engine, Product) == 2 and count(engine, Certification) == 2 and count(engine, Producer) == 1
    with transaction(engine) as session:
        stored_run = session.get(IngestRun, summary.run_id)
        assert (stored_run.rows_in, stored_run.accepted, stored_run.rejected) == (4, 2, 2)
        rejects = session.scalars(select(IngestReject).order_by(IngestReject.row_number)).all()
        assert [(r.row_number, r.field, r.value, r.severity) for r in rejects] == [
            (4, "stars", "2", "error"), (5, "gtin", "8936000123452", "error")]
    with summary.rejects_path.open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    assert [(line["row"], line["field"], line["ocop_code"]) for line in lines] == [
        ("4", "stars", "87-872-00003-3-2024"), ("5", "gtin", "87-872-00004-3-2024")]
    assert "3, 4 or 5" in lines[0]["rule"]


def test_every_validation_rule_rejects_its_row_and_keeps_the_good_ones(engine, tmp_path):
    broken = {"gtin": "8936000123452", "stars": "2", "decision_number": "", "decision_date": "2027-01-01",
              "group_code": "I.9.z", "tax_code": "1400112624", "price_vnd": "0", "net_weight_g": "0",
              "product_name": "", "province": "Xứ Đoài", "score": "140"}
    rows = [good_row()] + [good_row(ocop_code=f"87-872-1{i:04d}-3-2024", **{field: value})
                           for i, (field, value) in enumerate(broken.items())]
    rows.append(good_row(ocop_code="87-872-09999-3-2024", product_name="Trà sen nhập", gtin="6901234567892"))
    summary = run(engine, tmp_path, rows)
    assert (summary.accepted, summary.rejected, summary.warnings) == (2, len(broken), 1)
    with transaction(engine) as session:
        issues = {(r.row_number, r.field, r.severity) for r in session.scalars(select(IngestReject))}
    expected = {(i + 3, field, "error") for i, field in enumerate(broken)} | {(len(rows) + 1, "gtin", "warning")}
    assert issues == expected


@pytest.mark.parametrize("shape", ["utf-8", "utf-8-sig", "utf-16 unicode text", "cp1258", "xlsx"])
def test_every_file_shape_lands_the_same_catalogue(engine, tmp_path, shape):
    rows = [good_row(producer_name="Hợp tác xã Sen Tháp Mười"), good_row(**SECOND)]
    if shape == "xlsx":
        path = _xlsx(tmp_path / "dt.xlsx", rows)
    elif shape == "cp1258":
        path = tmp_path / "dt.csv"
        path.write_bytes(cp1258_bytes(csv_text(rows)))
    elif shape.startswith("utf-16"):
        path = tmp_path / "dt.txt"
        path.write_bytes(csv_text(rows, delimiter="\t").encode("utf-16"))
    else:
        path = write_csv(tmp_path / "dt.csv", rows, encoding=shape)
    summary = ingest(engine, path, rejects_dir=tmp_path, today=TODAY)
    assert (summary.accepted, summary.rejected) == (2, 0), summary.issues
    products = catalogue_of(engine)
    assert [p.product.name for p in products] == ["Hạt sen sấy Tháp Mười", "Trà tim sen"]
    assert products[0].producer.name == "Hợp tác xã Sen Tháp Mười"
    assert products[0].certification.signed_on == dt.date(2024, 5, 10)


def _xlsx(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH SẢN PHẨM OCOP"])
    sheet.append([ALIASES[column][0] for column in rows[0]])
    for row in rows:
        sheet.append([dt.date.fromisoformat(v) if k == "decision_date" else v for k, v in row.items()])
    workbook.save(path)
    return path


@pytest.mark.parametrize("content", [
    csv_text([good_row(product_name="H\xb9t sen s\xcay", producer_name="H\xeep t\xb8c x\xb7")] * 3),
    "Tên sản phẩm,Giá bán\nHạt sen,120000\n",
])
def test_a_file_that_cannot_be_read_writes_nothing(engine, tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError):
        ingest(engine, path, rejects_dir=tmp_path / "rejects", today=TODAY)
    assert count(engine, IngestRun) == 0 and count(engine, Product) == 0
    assert not (tmp_path / "rejects").exists()


def test_a_failure_while_writing_rolls_back_the_whole_ingest(engine, tmp_path, monkeypatch):
    def fail(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "_record_run", fail)
    with pytest.raises(RuntimeError):
        run(engine, tmp_path, [good_row(), good_row(**SECOND)])
    assert count(engine, Product) == 0 and count(engine, Producer) == 0 and count(engine, IngestRun) == 0


def test_reingesting_the_same_input_changes_nothing(engine, tmp_path):
    rows = [good_row(), good_row(**SECOND), good_row(ocop_code="X-1", stars="1")]
    first = run(engine, tmp_path, rows)
    before = stored(engine, "87-872-00001-3-2024")
    second = run(engine, tmp_path, rows)
    after = stored(engine, "87-872-00001-3-2024")
    assert (first.inserted, second.inserted, second.updated, second.unchanged, second.rejected) == (2, 0, 0, 2, 1)
    assert (after.updated_at, after.content_hash) == (before.updated_at, before.content_hash)
    assert count(engine, Product) == 2 and count(engine, Certification) == 2


def test_a_changed_row_updates_the_product_and_shows_when_and_what(engine, tmp_path):
    run(engine, tmp_path, [good_row(), good_row(**SECOND)])
    before = stored(engine, "87-872-00001-3-2024")
    summary = run(engine, tmp_path, [good_row(price_vnd="135000"), good_row(**SECOND)])
    after = stored(engine, "87-872-00001-3-2024")
    assert (summary.updated, summary.unchanged) == (1, 1)
    assert after.price_vnd == 135_000
    assert after.content_hash != before.content_hash
    assert after.updated_at > before.updated_at and after.created_at == before.created_at
    assert after.seller_sku == before.seller_sku


def test_a_new_decision_for_a_product_adds_to_its_certification_history(engine, tmp_path):
    run(engine, tmp_path, [good_row()])
    rerated = good_row(stars="4", score="78", decision_number="120/QĐ-UBND", decision_date="2026-03-05")
    summary = run(engine, tmp_path, [rerated])
    assert summary.updated == 1
    [product] = catalogue_of(engine)
    assert [c.stars for c in product.history] == [3, 4]
    assert product.certification.decision_number == "120/QĐ-UBND"
    assert product.certification.expires_on == dt.date(2029, 3, 5)


def test_both_recognitions_of_a_product_listed_twice_in_one_file_are_kept(engine, tmp_path):
    rerated = good_row(stars="4", score="78", decision_number="120/QĐ-UBND", decision_date="2026-03-05")
    summary = run(engine, tmp_path, [rerated, good_row()])
    assert (summary.accepted, summary.merged) == (1, 1)
    [product] = catalogue_of(engine)
    assert [c.decision_number for c in product.history] == ["3981/QĐ-UBND", "120/QĐ-UBND"]


def test_revoking_a_certificate_updates_it_and_makes_the_product_not_listable(engine, tmp_path):
    run(engine, tmp_path, [good_row()])
    summary = run(engine, tmp_path, [good_row(revoked="1")])
    assert summary.updated == 1 and count(engine, Certification) == 1
    [product] = catalogue_of(engine)
    assert product.not_listable_reason(TODAY) == NotListable.REVOKED


def test_same_gtin_under_a_second_code_is_merged_not_doubled(engine, tmp_path):
    repeat = good_row(ocop_code="87-872-00099-3-2025", decision_number="77/QĐ-UBND", decision_date="2025-01-20")
    summary = run(engine, tmp_path, [good_row(), repeat])
    assert (summary.rows_in, summary.accepted, summary.merged) == (2, 1, 1)
    assert count(engine, Product) == 1
    [product] = catalogue_of(engine)
    assert [c.decision_number for c in product.history] == ["3981/QĐ-UBND", "77/QĐ-UBND"]
    duplicate = [i for i in summary.issues if i.severity == "duplicate"]
    assert [(i.row, i.field) for i in duplicate] == [(3, "gtin")]
    assert "same GTIN as product 87-872-00001-3-2024 (row 2)" in duplicate[0].rule


def test_same_producer_and_name_spelled_differently_is_merged(engine, tmp_path):
    variant = good_row(ocop_code="87-872-00100-3-2024", gtin="",
                       product_name=unicodedata.normalize("NFD", "✓OCOP– HẠT SEN SẤY  tháp mười (Đạt chuẩn OCOP)"))
    summary = run(engine, tmp_path, [good_row(), variant])
    assert (summary.accepted, summary.merged) == (1, 1) and count(engine, Product) == 1


def test_tone_mark_placement_does_not_hide_a_duplicate(engine, tmp_path):
    first = good_row(product_name="Xoài cát Hòa Lộc", gtin="")
    second = good_row(ocop_code="87-872-00101-3-2024", product_name="Xoài cát Hoà Lộc", gtin="")
    assert run(engine, tmp_path, [first, second]).merged == 1


def test_same_name_in_another_pack_is_another_product(engine, tmp_path):
    big = good_row(ocop_code="87-872-00102-3-2024", pack_size="500 g", gtin="8936000123475", net_weight_g="560")
    summary = run(engine, tmp_path, [good_row(), big])
    assert (summary.accepted, summary.merged) == (2, 0)


def test_a_gtin_claimed_by_another_producer_is_rejected_not_merged(engine, tmp_path):
    other = good_row(ocop_code="87-872-00200-4-2024", product_name="Bánh phồng tôm", **CO_SA_GIANG)
    summary = run(engine, tmp_path, [good_row(), other])
    assert (summary.accepted, summary.rejected, summary.merged) == (1, 1, 0)
    [issue] = [i for i in summary.issues if i.severity == "error"]
    assert (issue.row, issue.field) == (3, "gtin") and "of producer 1400112623" in issue.rule


def test_a_duplicate_of_an_already_stored_product_is_merged_in_a_later_ingest(engine, tmp_path):
    run(engine, tmp_path, [good_row()])
    repeat = good_row(ocop_code="87-872-00099-3-2025", decision_number="77/QĐ-UBND", decision_date="2025-01-20")
    summary = run(engine, tmp_path, [repeat])
    assert (summary.accepted, summary.merged) == (0, 1)
    assert "(the catalogue)" in summary.issues[0].rule
    assert count(engine, Product) == 1 and count(engine, Certification) == 2
    assert run(engine, tmp_path, [repeat]).merged == 1 and count(engine, Certification) == 2


def test_rows_given_in_memory_are_ingested_like_a_file(engine, tmp_path):
    summary = ingest_rows(engine, [good_row(), good_row(**SECOND)], source="test", rejects_dir=tmp_path, today=TODAY)
    assert (summary.rows_in, summary.inserted) == (2, 2) and summary.rejects_path is None


def test_catalogue_is_read_per_province_with_the_current_recognition_and_the_reason_not_listable(engine, tmp_path):
    rows = [good_row(), good_row(ocop_code="87-872-00005-3-2021", product_name="Nem Lai Vung", gtin="",
                                 decision_date="2021-01-05"),
            good_row(ocop_code="87-872-00006-3-2024", product_name="Làng hoa Sa Đéc", group_code="VI", gtin=""),
            good_row(ocop_code="96-964-00001-4-2024", product_name="Tôm khô Rạch Gốc", gtin="8936000123482",
                     province="Cà Mau", tax_code="2000100110")]
    run(engine, tmp_path, rows)
    dong_thap = catalogue_of(engine, "tỉnh Đồng Tháp")
    assert [p.product.ocop_code for p in dong_thap] == ["87-872-00001-3-2024", "87-872-00005-3-2021", "87-872-00006-3-2024"]
    assert [p.not_listable_reason(TODAY) for p in dong_thap] == [None, NotListable.EXPIRED, NotListable.SERVICE]
    assert [p.product.name for p in catalogue_of(engine, "Cà Mau")] == ["Tôm khô Rạch Gốc"]
    assert len(catalogue_of(engine)) == 4
