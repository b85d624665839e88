"""OCOP registry sandbox: pages, ETag/304, updated_since cursor, changes, bad queries."""

from __future__ import annotations

import json

import requests

from sandboxes.registry import load_registry_rows

from tests.sandboxes.conftest import REGISTRY_ROWS

URL = "/api/v1/products"


def pull(fleet, **params):
    return requests.get(fleet.registry_url + URL, params=params, timeout=10)


def test_pages_cover_every_row_in_updated_order(fleet):
    first = pull(fleet, page=1, page_size=3).json()
    assert first["total"] >= len(REGISTRY_ROWS) and first["next_page"] == 2 and first["page_size"] == 3
    items, page = [], 1
    while page:
        body = pull(fleet, page=page, page_size=3).json()
        items += body["items"]
        page = body["next_page"]
    assert {row["ocop_code"] for row in REGISTRY_ROWS} <= {item["ocop_code"] for item in items}
    keys = [(item["updated_at"], item["ocop_code"]) for item in items]
    assert keys == sorted(keys) and all(item["updated_at"].endswith("Z") for item in items)
    assert first["cursor"] == max(item["updated_at"] for item in items)


def test_etag_gives_304_until_something_changes(fleet):
    answer = pull(fleet)
    etag = answer.headers["ETag"]
    again = requests.get(fleet.registry_url + URL, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and again.headers["ETag"] == etag
    fleet.registry.upsert([{**REGISTRY_ROWS[0], "price_vnd": "99000"}])
    changed = requests.get(fleet.registry_url + URL, headers={"If-None-Match": etag}, timeout=10)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_updated_since_returns_only_later_changes(fleet):
    cursor = pull(fleet).json()["cursor"]
    assert pull(fleet, updated_since=cursor).json()["total"] == 0
    fleet.registry.upsert([{**REGISTRY_ROWS[1], "stars": "5"}])
    later = pull(fleet, updated_since=cursor).json()
    assert [item["ocop_code"] for item in later["items"]] == [REGISTRY_ROWS[1]["ocop_code"]]
    assert later["items"][0]["stars"] == "5" and later["cursor"] > cursor


def test_unchanged_rows_keep_their_update_time(fleet):
    before = {item["ocop_code"]: item["updated_at"] for item in pull(fleet, page_size=1000).json()["items"]}
    assert fleet.registry.upsert(REGISTRY_ROWS[2:4]) == 0
    after = {item["ocop_code"]: item["updated_at"] for item in pull(fleet, page_size=1000).json()["items"]}
    assert before == after


def test_bad_query_names_field_value_and_expectation(fleet):
    body = pull(fleet, page_size=5000).json()
    assert body["field"] == "page_size" and body["value"] == "5000" and "1000" in body["expected"]
    assert pull(fleet, updated_since="yesterday").status_code == 400


def test_rows_load_from_json_or_csv_files(tmp_path):
    (tmp_path / "rows.json").write_text(json.dumps({"items": REGISTRY_ROWS[:2]}), encoding="utf-8")
    (tmp_path / "rows.csv").write_text("ocop_code,product_name\n83-1-2022,Mắm cá\n", encoding="utf-8")
    assert load_registry_rows(tmp_path / "rows.json") == REGISTRY_ROWS[:2]
    assert load_registry_rows(tmp_path / "rows.csv") == [{"ocop_code": "83-1-2022", "product_name": "Mắm cá"}]
