"""The sample catalogue: shaped by the provincial figures, deterministic, complete enough to list, scalable."""

import collections
import datetime as dt
import unicodedata

import pytest
from stdnum import ean

from catalogue.ingest import ingest, ingest_rows
from catalogue.normalise import clean_product_name, clean_text
from catalogue.query import load_catalogue
from catalogue.records import expiry_of
from catalogue.sample import BAD_ROW_KINDS, sample_rows, write_sample
from catalogue.sources import read_file
from ocop.store import transaction

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def dong_thap():
    return sample_rows("Đồng Tháp", seed=1, today=TODAY)


def producers_of(rows):
    return {row["tax_code"]: row["producer_kind"] for row in rows}


def test_same_seed_gives_the_same_catalogue_and_another_seed_another(dong_thap):
    assert sample_rows("Đồng Tháp", seed=1, today=TODAY) == dong_thap
    assert sample_rows("Đồng Tháp", seed=2, today=TODAY) != dong_thap


def test_dong_thap_has_its_reported_products_stars_and_producers(dong_thap):
    assert len(dong_thap) == 1002
    assert collections.Counter(row["stars"] for row in dong_thap) == {"3": 799, "4": 199, "5": 4}
    kinds = collections.Counter(producers_of(dong_thap).values())
    assert kinds == {"household": 273, "enterprise": 120, "cooperative": 53, "cooperative_group": 2}
    assert {row["province"] for row in dong_thap} == {"Đồng Tháp"}
    assert {row["province_old"] for row in dong_thap} == {"Đồng Tháp", "Tiền Giang"}


@pytest.mark.parametrize("province, products, stars, producers", [
    ("Cà Mau", 354, {"3": 273, "4": 79, "5": 2}, 160), ("Cao Bằng", 144, {"3": 131, "4": 13}, 91)])
def test_other_provinces_follow_their_reports(province, products, stars, producers):
    rows = sample_rows(province, today=TODAY)
    assert len(rows) == products and collections.Counter(row["stars"] for row in rows) == stars
    assert len(producers_of(rows)) == producers


def test_ca_mau_five_stars_are_bac_lieu_salt():
    five = [row for row in sample_rows("Cà Mau", today=TODAY) if row["stars"] == "5"]
    assert {row["province_old"] for row in five} == {"Bạc Liêu"}
    assert all(row["product_name"].startswith("Muối") for row in five)


def test_unknown_province_is_refused():
    with pytest.raises(ValueError, match="known: Đồng Tháp, Cà Mau, Cao Bằng"):
        sample_rows("Hà Nội")


def test_a_few_tourism_services_some_expired_and_some_expiring_within_90_days(dong_thap):
    services = [row for row in dong_thap if row["group_code"] == "VI"]
    assert len(services) == 7 and all(not row["gtin"] for row in services)
    expiries = [expiry_of(dt.date.fromisoformat(row["decision_date"])) for row in dong_thap]
    expired = sum(1 for day in expiries if day <= TODAY)
    expiring = sum(1 for day in expiries if TODAY < day <= TODAY + dt.timedelta(days=90))
    assert 10 <= expired <= 60 and 25 <= expiring <= 80


def test_rows_look_like_real_exports_with_junk_and_decomposed_text(dong_thap):
    names = [row["product_name"] for row in dong_thap]
    assert any("OCOP" in name for name in names)
    assert any(not unicodedata.is_normalized("NFC", name) for name in names)


def test_codes_barcodes_and_names_are_unique(dong_thap):
    assert len({row["ocop_code"] for row in dong_thap}) == 1002
    barcodes = [row["gtin"] for row in dong_thap if row["gtin"]]
    assert len(set(barcodes)) == len(barcodes) == 995
    assert all(ean.is_valid(code) and code.startswith("893") for code in barcodes)
    products = {(row["tax_code"], clean_text(clean_product_name(row["product_name"])), row["pack_size"])
                for row in dong_thap}
    assert len(products) == 1002


def test_the_whole_sample_lands_and_every_listable_product_has_what_a_listing_needs(engine, tmp_path, dong_thap):
    summary = ingest_rows(engine, dong_thap, rejects_dir=tmp_path, today=TODAY)
    assert (summary.rows_in, summary.accepted, summary.rejected, summary.merged, summary.warnings) == (1002, 1002, 0, 0, 0)
    with transaction(engine) as session:
        catalogue = load_catalogue(session, province="Đồng Tháp")
    listable = [p for p in catalogue if p.is_listable(TODAY)]
    assert 900 < len(listable) < 1002
    for item in listable:
        product = item.product
        assert product.gtin.startswith("893") and product.net_weight_g > 0 and product.price_vnd > 0
        assert product.pack_size and product.description and product.stock > 0
        assert "OCOP" not in product.name


def test_bad_rows_are_rejected_or_merged_and_the_good_ones_still_land(engine, tmp_path):
    rows = sample_rows("Cao Bằng", bad_rows=len(BAD_ROW_KINDS), today=TODAY)
    summary = ingest_rows(engine, rows, rejects_dir=tmp_path, today=TODAY)
    assert (summary.rows_in, summary.accepted, summary.rejected, summary.merged) == (155, 144, 10, 1)


def test_scales_to_100000_products_with_unique_codes_and_barcodes():
    rows = sample_rows("Đồng Tháp", products=100_000, today=TODAY)
    assert len(rows) == 100_000
    assert len({row["ocop_code"] for row in rows}) == 100_000
    barcodes = [row["gtin"] for row in rows if row["gtin"]]
    assert len(set(barcodes)) == len(barcodes)
    assert 44_000 < len(producers_of(rows)) < 45_000


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_written_files_read_back_as_the_same_rows(tmp_path, fmt):
    rows = sample_rows("Cao Bằng", products=40, bad_rows=3, today=TODAY)
    path = write_sample(rows, tmp_path / f"cao-bang.{fmt}", fmt)
    read = [row.values for row in read_file(path).rows]
    assert len(read) == len(rows)
    for original, back in zip(rows, read):
        assert {k: clean_text(v) for k, v in original.items()} == {k: clean_text(back.get(k)) for k in original}


def test_the_sample_workbook_ingests_like_the_csv(engine, tmp_path):
    rows = sample_rows("Cà Mau", products=60, today=TODAY)
    summary = ingest(engine, write_sample(rows, tmp_path / "ca-mau.xlsx", "xlsx"), rejects_dir=tmp_path, today=TODAY)
    assert (summary.accepted, summary.rejected) == (60, 0)
