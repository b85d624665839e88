"""Pulling the OCOP registry over HTTP: paging, ETag / If-None-Match, the updated_since cursor, failures."""

import datetime as dt

import pytest
import responses
from responses import matchers
from sqlalchemy import func, select

from catalogue.ingest import ingest
from catalogue.models import IngestRun, Product, RegistrySyncState
from catalogue.sources import SourceError
from ocop.store import transaction
from tests.catalogue.rows import good_row

BASE = "http://registry.test"
PRODUCTS = BASE + "/api/v1/products"
TODAY = dt.date(2026, 6, 1)
CURSOR_1 = "2026-05-02T08:00:00Z"
CURSOR_2 = "2026-05-20T09:30:00Z"


def item(**overrides):
    """A registry item: canonical keys with JSON types (numbers, booleans, lists), plus updated_at."""
    row = {key: value or None for key, value in good_row(**overrides).items()}
    row.update(stars=int(row["stars"]), score=int(row["score"]), price_vnd=int(row["price_vnd"]),
               net_weight_g=int(row["net_weight_g"]), revoked=row["revoked"] == "1", images=["sen-1.jpg", "sen-2.jpg"],
               updated_at=CURSOR_1)
    return row


FIRST = item()
SECOND = item(ocop_code="87-872-00002-3-2024", product_name="Trà tim sen", group_code="I.5.b", gtin="8936000123468")


def page(items, number, next_page, cursor, total=2):
    return {"items": items, "page": number, "page_size": 500, "total": total, "next_page": next_page, "cursor": cursor}


def query(number, since=None):
    params = {"page": str(number), "page_size": "500"}
    if since:
        params["updated_since"] = since
    return matchers.query_param_matcher(params)


def pull(engine, tmp_path):
    return ingest(engine, BASE, rejects_dir=tmp_path / "rejects", today=TODAY)


def sync_state(engine):
    with transaction(engine) as session:
        state = session.get(RegistrySyncState, BASE)
        return (state.etag, state.updated_since) if state else None


def count(engine, model):
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def first_pull(engine, tmp_path):
    responses.get(PRODUCTS, json=page([FIRST], 1, 2, CURSOR_1), headers={"ETag": '"v1"'}, match=[query(1)])
    responses.get(PRODUCTS, json=page([SECOND], 2, None, CURSOR_1), headers={"ETag": '"v1"'}, match=[query(2)])
    return pull(engine, tmp_path)


@responses.activate
def test_first_pull_reads_every_page_and_stores_the_etag_and_cursor(engine, tmp_path):
    summary = first_pull(engine, tmp_path)
    assert (summary.rows_in, summary.inserted, summary.rejected) == (2, 2, 0)
    assert sync_state(engine) == ('"v1"', CURSOR_1)
    assert "If-None-Match" not in responses.calls[0].request.headers
    with transaction(engine) as session:
        stored = session.scalars(select(Product).where(Product.ocop_code == FIRST["ocop_code"])).one()
        assert stored.images == ["sen-1.jpg", "sen-2.jpg"] and stored.price_vnd == 120_000


@responses.activate
def test_repull_sends_the_etag_and_cursor_and_a_304_changes_nothing(engine, tmp_path):
    first_pull(engine, tmp_path)
    responses.get(PRODUCTS, status=304, match=[query(1, since=CURSOR_1),
                                               matchers.header_matcher({"If-None-Match": '"v1"'})])
    summary = pull(engine, tmp_path)
    assert summary.not_modified and summary.rows_in == 0
    assert "not modified" in str(summary)
    assert sync_state(engine) == ('"v1"', CURSOR_1)
    assert count(engine, Product) == 2 and count(engine, IngestRun) == 2


@responses.activate
def test_repull_moves_only_what_changed_since_the_cursor(engine, tmp_path):
    first_pull(engine, tmp_path)
    changed = dict(FIRST, price_vnd=135_000, updated_at=CURSOR_2)
    responses.get(PRODUCTS, json=page([changed], 1, None, CURSOR_2, total=1), headers={"ETag": '"v2"'},
                  match=[query(1, since=CURSOR_1), matchers.header_matcher({"If-None-Match": '"v1"'})])
    summary = pull(engine, tmp_path)
    assert (summary.rows_in, summary.updated, summary.unchanged) == (1, 1, 0)
    assert sync_state(engine) == ('"v2"', CURSOR_2)
    with transaction(engine) as session:
        prices = dict(session.execute(select(Product.ocop_code, Product.price_vnd)).all())
    assert prices == {FIRST["ocop_code"]: 135_000, SECOND["ocop_code"]: 120_000}


@responses.activate
def test_an_empty_change_set_keeps_the_cursor(engine, tmp_path):
    first_pull(engine, tmp_path)
    responses.get(PRODUCTS, json=page([], 1, None, None, total=0), headers={"ETag": '"v1b"'},
                  match=[query(1, since=CURSOR_1)])
    assert pull(engine, tmp_path).rows_in == 0
    assert sync_state(engine) == ('"v1b"', CURSOR_1)


@responses.activate
@pytest.mark.parametrize("failure", [{"status": 500}, {"body": "<html>maintenance</html>"}])
def test_a_failed_pull_writes_nothing_and_keeps_the_cursor(engine, tmp_path, failure):
    first_pull(engine, tmp_path)
    changed = dict(FIRST, price_vnd=135_000, updated_at=CURSOR_2)
    responses.get(PRODUCTS, json=page([changed], 1, 2, CURSOR_2), headers={"ETag": '"v2"'}, match=[query(1, CURSOR_1)])
    responses.get(PRODUCTS, match=[query(2, CURSOR_1)], **failure)
    with pytest.raises(SourceError, match="registry http://registry.test"):
        pull(engine, tmp_path)
    assert sync_state(engine) == ('"v1"', CURSOR_1)
    assert count(engine, IngestRun) == 1
    with transaction(engine) as session:
        assert session.scalar(select(Product.price_vnd).where(Product.ocop_code == FIRST["ocop_code"])) == 120_000


@responses.activate
def test_registry_items_are_validated_like_file_rows(engine, tmp_path):
    bad = item(ocop_code="87-872-00003-3-2024", product_name="Mứt sen", stars="2", score="41", gtin="")
    responses.get(PRODUCTS, json=page([FIRST, bad], 1, None, CURSOR_1), headers={"ETag": '"v1"'}, match=[query(1)])
    summary = pull(engine, tmp_path)
    assert (summary.accepted, summary.rejected) == (1, 1)
    assert [(i.row, i.field, i.value) for i in summary.issues] == [(2, "stars", "2")]


@responses.activate
def test_the_products_path_in_the_url_is_the_same_registry(engine, tmp_path):
    responses.get(PRODUCTS, json=page([FIRST], 1, None, CURSOR_1), headers={"ETag": '"v1"'}, match=[query(1)])
    ingest(engine, PRODUCTS + "/", rejects_dir=tmp_path, today=TODAY)
    assert sync_state(engine) == ('"v1"', CURSOR_1)


@responses.activate
def test_credentials_in_the_registry_url_are_used_but_never_stored_or_shown(engine, tmp_path):
    responses.get(PRODUCTS, json=page([FIRST], 1, None, CURSOR_1), headers={"ETag": '"v1"'}, match=[query(1)])
    summary = ingest(engine, "http://ocop:s3cret@registry.test", rejects_dir=tmp_path, today=TODAY)
    assert responses.calls[0].request.headers["Authorization"].startswith("Basic ")
    assert sync_state(engine) == ('"v1"', CURSOR_1)
    with transaction(engine) as session:
        sources = session.scalars(select(IngestRun.source)).all()
    assert "s3cret" not in str(summary) and sources == [BASE]
    responses.get(PRODUCTS, status=503, match=[query(1, CURSOR_1)])
    with pytest.raises(SourceError) as failure:
        ingest(engine, "http://ocop:s3cret@registry.test", rejects_dir=tmp_path, today=TODAY)
    assert "s3cret" not in str(failure.value)


@pytest.mark.slow
def test_pulling_the_registry_sandbox_over_real_http(engine, tmp_path):
    from catalogue.sample import sample_rows
    from sandboxes.fleet import running_sandboxes

    rows = sample_rows("Cao Bằng", bad_rows=2, today=TODAY)
    with running_sandboxes(tmp_path / "sandboxes", registry_rows=rows) as fleet:
        first = ingest(engine, fleet.registry_url, rejects_dir=tmp_path, today=TODAY)
        again = ingest(engine, fleet.registry_url, rejects_dir=tmp_path, today=TODAY)
    assert (first.rows_in, first.accepted, first.rejected) == (146, 144, 2)
    assert again.not_modified and count(engine, Product) == 144
