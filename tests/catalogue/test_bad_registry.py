"""A registry that misbehaves: a 304 to a first pull, paging that loops or overruns, a page that keeps failing.

Each refusal stores nothing (no products, no ingest run, no sync state) and names what went wrong.
"""

import datetime as dt
import http.server
import json
import threading
from contextlib import contextmanager

import pytest
import responses
from responses import matchers
from sqlalchemy import func, select

import catalogue.sources.registry as registry
from catalogue.ingest import ingest
from catalogue.models import IngestRun, Product, RegistrySyncState
from catalogue.sources import SourceError
from ocop.store import transaction
from tests.catalogue.test_catalogue_registry import BASE, CURSOR_1, FIRST, PRODUCTS, SECOND, item, page, query

TODAY = dt.date(2026, 6, 1)


def pull(engine, tmp_path, url=BASE):
    return ingest(engine, url, rejects_dir=tmp_path / "rejects", today=TODAY)


def count(engine, model) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def refused(engine, tmp_path, message: str, url=BASE) -> str:
    with pytest.raises(SourceError, match=message) as refusal:
        pull(engine, tmp_path, url)
    assert count(engine, Product) == count(engine, IngestRun) == count(engine, RegistrySyncState) == 0
    return str(refusal.value)


@responses.activate
def test_a_304_to_a_first_pull_is_an_error_not_nothing_to_do(engine, tmp_path):
    responses.get(PRODUCTS, status=304, match=[query(1)])
    refused(engine, tmp_path, "answered 304 Not Modified to a first pull")


@responses.activate
def test_a_next_page_that_loops_is_stopped_at_once(engine, tmp_path):
    responses.get(PRODUCTS, json=page([FIRST], 1, 2, CURSOR_1, total=10_000), match=[query(1)])
    responses.get(PRODUCTS, json=page([SECOND], 2, 1, CURSOR_1, total=10_000), match=[query(2)])
    refused(engine, tmp_path, r"page 2 points back to page 1 \(next_page loops\); stopped after 2 pages")
    assert len(responses.calls) == 2


@responses.activate
def test_pages_that_repeat_the_same_items_are_stopped_at_once(engine, tmp_path):
    for number in range(1, 6):
        responses.get(PRODUCTS, json=page([FIRST, SECOND], number, number + 1, CURSOR_1, total=10_000),
                      match=[query(number)])
    refused(engine, tmp_path, "page 2 repeats the items of page 1")
    assert len(responses.calls) == 2


@responses.activate
def test_pages_are_bounded_by_the_total_the_registry_announced(engine, tmp_path):
    for number in range(1, 6):
        items = [item(ocop_code=f"87-872-{number:05d}-3-2024", gtin="")]
        responses.get(PRODUCTS, json=page(items, number, number + 1, CURSOR_1, total=3), match=[query(number)])
    refused(engine, tmp_path, "page 4 brings the item count to 4, more than the 3 announced")
    assert len(responses.calls) == 4


@responses.activate
def test_an_empty_page_that_points_further_is_stopped(engine, tmp_path):
    responses.get(PRODUCTS, json=page([FIRST], 1, 2, CURSOR_1, total=5), match=[query(1)])
    responses.get(PRODUCTS, json=page([], 2, 3, CURSOR_1, total=5), match=[query(2)])
    refused(engine, tmp_path, "page 2 holds no items but points to a further page 3")


@responses.activate
def test_a_registry_page_nested_too_deep_is_refused_with_a_message(engine, tmp_path):
    responses.get(PRODUCTS, body='{"items": ' + "[" * 100_000 + "]" * 100_000 + "}", match=[query(1)])
    refused(engine, tmp_path, "registry http://registry.test: page 1: the JSON is nested deeper than 20 levels")


@responses.activate
def test_a_nul_in_a_registry_item_rejects_that_item(engine, tmp_path):
    broken = dict(SECOND, product_name="Trà tim\u0000 sen")
    responses.get(PRODUCTS, json=page([FIRST, broken], 1, None, CURSOR_1), match=[query(1)])
    summary = pull(engine, tmp_path)
    assert (summary.rows_in, summary.accepted, summary.rejected) == (2, 1, 1)
    assert [(i.row, i.field) for i in summary.issues] == [(2, "product_name")] and "NUL" in summary.issues[0].rule


# --- a registry over real HTTP, so the retries are the client's own ----------------------------------

class _Registry(http.server.BaseHTTPRequestHandler):
    failing_page = "2"
    requests_seen: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.requests_seen.append(self.path)
        if f"page={self.failing_page}&" in self.path:
            self.send_response(500)
            self.end_headers()
            return
        body = json.dumps(page([FIRST], 1, 2, CURSOR_1)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@contextmanager
def local_registry():
    _Registry.requests_seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_that_keeps_failing_names_the_status_the_page_and_the_url_without_credentials(engine, tmp_path,
                                                                                             monkeypatch):
    monkeypatch.setattr(registry, "RETRIES", 2)
    with local_registry() as port:
        message = refused(engine, tmp_path, "HTTP 500", url=f"http://ocop:s3cret@127.0.0.1:{port}")
    assert f"on page 2 from http://127.0.0.1:{port}/api/v1/products?page=2&page_size=500" in message
    assert "after 2 retries" in message and "s3cret" not in message and "RetryError" not in message
    assert sum("page=2&" in path for path in _Registry.requests_seen) == 3


def test_a_registry_that_cannot_be_reached_names_the_page_and_url_without_credentials(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "RETRIES", 0)
    with local_registry() as port:
        pass          # the port is free again: nothing listens there
    message = refused(engine, tmp_path, "page 1 could not be fetched", url=f"http://ocop:s3cret@127.0.0.1:{port}")
    assert f"from http://127.0.0.1:{port}/api/v1/products?page=1&page_size=500" in message
    assert "ConnectionError" in message and "s3cret" not in message


@responses.activate
def test_a_repull_answered_304_is_still_nothing_to_do(engine, tmp_path):
    responses.get(PRODUCTS, json=page([FIRST], 1, None, CURSOR_1), headers={"ETag": '"v1"'}, match=[query(1)])
    pull(engine, tmp_path)
    responses.get(PRODUCTS, status=304, match=[query(1, CURSOR_1), matchers.header_matcher({"If-None-Match": '"v1"'})])
    assert pull(engine, tmp_path).not_modified
