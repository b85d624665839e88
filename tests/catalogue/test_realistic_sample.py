"""The realistic sample: the tidy catalogue written as real provincial lists write it, every kind of
mess present, and still every row accepted."""

from __future__ import annotations

import collections
import datetime as dt
import re
import unicodedata

import pytest

from catalogue.ingest import ingest_rows
from catalogue.normalise import clean_product_name
from catalogue.producer_kinds import kind_from_name
from catalogue.query import load_catalogue
from catalogue.records import ProducerKind
from catalogue.sample import sample_rows
from catalogue.sample_data import NAME_CLAIMS
from ocop.store import transaction
from rendering.contacts import ContactKind, without_contact_details

TODAY = dt.date(2026, 6, 1)
BASE = "http://127.0.0.1:9999/images"
PHOTO = re.compile(re.escape(BASE) + r"/[\w.-]+-(\d+)x(\d+)\.(?:jpg|png)")


@pytest.fixture(scope="module")
def full():
    """The whole of Đồng Tháp, tidy and realistic."""
    return (sample_rows("Đồng Tháp", seed=1, today=TODAY),
            sample_rows("Đồng Tháp", seed=1, today=TODAY, realistic=True, image_base=BASE))


@pytest.fixture(scope="module")
def small():
    return (sample_rows("Đồng Tháp", seed=3, products=30, today=TODAY),
            sample_rows("Đồng Tháp", seed=3, products=30, today=TODAY, realistic=True, image_base=BASE))


def goods(rows):
    return [row for row in rows if row["group_code"] != "VI"]


def test_it_is_the_tidy_catalogue_written_differently_and_the_tidy_one_is_unchanged(full):
    tidy, real = full
    same = ("ocop_code", "group_code", "stars", "decision_number", "decision_date", "revoked", "province_old")
    assert [{c: row[c] for c in same} for row in real] == [{c: row[c] for c in same} for row in tidy]
    assert sample_rows("Đồng Tháp", seed=1, today=TODAY) == tidy
    assert sample_rows("Đồng Tháp", seed=1, today=TODAY, realistic=True, image_base=BASE) == real
    assert all(row["images"] == "" for row in tidy)


def test_every_product_has_one_to_three_photo_urls_large_enough_for_every_channel(small):
    _, real = small
    for row in goods(real):
        urls = [url.strip() for url in row["images"].split("|")]
        assert 1 <= len(urls) <= 3 and all(PHOTO.fullmatch(url) for url in urls), row["images"]
        assert all(max(map(int, PHOTO.fullmatch(url).groups())) >= 500 for url in urls)


def test_shipping_weights_are_mostly_missing_and_packs_are_written_as_producers_write_them(full):
    _, real = full
    by_amount = [row for row in goods(real) if not re.search(r"\b(?:cái|chậu|con|tấm|bó|m x)\b", row["pack_size"])]
    without_weight = [row for row in by_amount if not row["net_weight_g"]]
    assert 0.75 < len(without_weight) / len(by_amount) < 0.95
    assert any(not row["pack_size"] for row in without_weight)          # nothing but the group to go by
    packs = {row["pack_size"] for row in without_weight}
    assert {"hộp 10 gói x 20 g", "hộp 5 gói x 20 g", "thùng 24 lon x 330ml"} <= packs
    assert {"500gr", "Túi 500g", "chai 500ml", "Bao 2kg"} <= packs
    assert all(row["net_weight_g"] for row in goods(real) if row["pack_size"] in ("1 chậu", "1 cái"))


def test_a_carton_of_cans_is_priced_as_the_carton(full):
    tidy, real = full
    for before, after in zip(tidy, real):
        if after["pack_size"] == "thùng 24 lon x 330ml":
            assert int(after["price_vnd"]) == 24 * int(before["price_vnd"])


def test_producers_come_without_a_kind_as_people_branches_and_trade_names(full):
    tidy, real = full
    kinds_given = [row["producer_kind"] for row in real]
    assert 0.1 < sum(1 for kind in kinds_given if kind) / len(real) < 0.35
    names = {row["tax_code"]: row["producer_name"] for row in real}
    assert len(names) == len({row["tax_code"] for row in tidy})                  # one name per producer
    people = [name for name in names.values() if kind_from_name(name, None) == ProducerKind.HOUSEHOLD
              and not re.match(r"(?i)(hộ|cơ sở)", name)]
    assert people and any(name.isupper() for name in people)
    branches = {key: name for key, name in names.items() if name.startswith("Chi nhánh ")}
    assert branches and all(re.fullmatch(r"\d{10}-001", key) for key in branches)
    trade_names = [name for name in names.values() if kind_from_name(name, None) == ProducerKind.UNSPECIFIED]
    assert trade_names


def test_names_carry_every_shape_of_claim_and_clean_back_to_the_product_name(full):
    tidy, real = full
    claimed = [row for row, before in zip(real, tidy) if row["product_name"] != before["product_name"]]
    assert 0.3 < len(claimed) / len(real) < 0.4
    for shape in NAME_CLAIMS:
        pattern = re.escape(shape).replace(r"\{name\}", ".+").replace(r"\{stars\}", "[345]").replace(
            r"\{province\}", "(?:Đồng Tháp|Tiền Giang)")
        assert any(re.fullmatch(pattern, unicodedata.normalize("NFC", row["product_name"])) for row in claimed), shape
    for row, before in zip(real, tidy):
        assert clean_product_name(row["product_name"]) == clean_product_name(before["product_name"])


def test_a_third_of_descriptions_give_contact_details_which_a_listing_can_leave_out(full):
    tidy, real = full
    found: collections.Counter = collections.Counter()
    for row, before in zip(real, tidy):
        kept, kinds = without_contact_details([row["description"]])
        found.update(kinds)
        [kept_text] = kept
        assert row["description"].startswith(kept_text) and (kept_text != row["description"]) == bool(kinds)
        assert kept_text.endswith(before["description"].split("sản xuất. ", 1)[1])     # the producer's own words
    with_contacts = sum(1 for row in real if without_contact_details([row["description"]])[1])
    assert 0.25 < with_contacts / len(goods(real)) < 0.4
    assert {ContactKind.PHONE, ContactKind.ZALO, ContactKind.FACEBOOK, ContactKind.MAP_LINK} <= set(found)


def test_provinces_are_typed_loosely_and_optional_columns_left_empty(full):
    _, real = full
    provinces = collections.Counter(row["province"] for row in real)
    assert {"Dong Thap", "ĐỒNG THÁP", "Tỉnh Đồng Tháp", "Đồng Thap", unicodedata.normalize("NFD", "Đồng Tháp")} \
        <= set(provinces)
    assert 0.65 < provinces["Đồng Tháp"] / len(real) < 0.85
    empty = [row for row in real if not any(row[c] for c in ("score", "authority", "address", "stock"))]
    assert 0.2 < len(empty) / len(real) < 0.4
    assert sum(1 for row in goods(real) if not row["gtin"]) > len(goods(real)) / 2


def test_even_a_small_sample_has_every_kind_of_mess(small):
    tidy, real = small
    changed = [(before, row) for before, row in zip(tidy, real)]
    assert any(not row["net_weight_g"] and row["pack_size"] for row in goods(real))
    assert any(not row["net_weight_g"] and not row["pack_size"] for row in goods(real))
    assert any(row["net_weight_g"] for row in goods(real))
    assert any(before["product_name"] != row["product_name"] for before, row in changed)
    assert any(without_contact_details([row["description"]])[1] for row in real)
    assert any(row["province"] != "Đồng Tháp" for row in real)
    assert any(row["producer_name"].startswith("Chi nhánh ") for row in real)
    assert any(not row["producer_kind"] for row in real)
    assert any(not row["score"] and not row["authority"] for row in real)


def test_every_row_of_the_realistic_sample_is_accepted_with_warnings_not_rejections(engine, small):
    _, real = small
    summary = ingest_rows(engine, real, today=TODAY)
    assert (summary.rows_in, summary.accepted, summary.rejected) == (len(real), len(real), 0), summary.issues
    assert "province" in {issue.field for issue in summary.issues}
    assert {issue.severity for issue in summary.issues} == {"warning"}
    with transaction(engine) as session:
        stored = load_catalogue(session)
    assert {item.producer.address.province for item in stored} == {"Đồng Tháp"}
    kinds = {item.producer.name: item.producer.kind for item in stored}
    assert {kind for name, kind in kinds.items() if name.startswith("Chi nhánh ")} == {ProducerKind.ENTERPRISE}
    assert ProducerKind.UNSPECIFIED not in {kind for name, kind in kinds.items() if not name.startswith("Chi nhánh ")
                                            and kind_from_name(name, None) == ProducerKind.HOUSEHOLD}
    assert all("OCOP" not in item.product.name for item in stored)
    assert all(item.product.images for item in stored if item.product.group_code != "VI")
