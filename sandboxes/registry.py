"""The OCOP registry sandbox: the certified catalogue as paged JSON over HTTP, with an ETag and an
`updated_since` cursor, so catalogue ingest pulls over real HTTP (the contract is in
`shared/interfaces.md`).

```
GET /api/v1/products?page=1&page_size=500[&updated_since=2026-01-01T00:00:00Z]
200 {"items": [...], "page", "page_size", "total", "next_page", "cursor"} with an ETag header
304 when If-None-Match equals the current ETag (the ETag names the registry's whole content)
GET /images/<name>-<width>x<height>.jpg|png   the product photos a catalogue links (sandboxes.photos)
```
Rows are kept in SQLite; a row's `updated_at` moves only when its content changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from sandboxes.gateway import ClientGone, Reply, read_request, send_reply
from sandboxes.photos import IMAGES_PATH, photo_at

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 500
PATH = "/api/v1/products"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (ocop_code TEXT PRIMARY KEY, updated_us INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rows_by_time ON rows (updated_us, ocop_code);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class QueryError(ValueError):
    """A bad query parameter: answered 400 with the field, the value and what was expected."""

    def __init__(self, field: str, value: str, expected: str) -> None:
        super().__init__(f"{field}={value!r}: expected {expected}")
        self.payload = {"error": f"{field} is invalid", "field": field, "value": value, "expected": expected}


class RegistryState:
    """The registry's rows, their update times and a generation number that names the content."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('instance', ?)", (uuid.uuid4().hex[:12],))
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def upsert(self, rows: Iterable[dict[str, Any]]) -> int:
        """Add or change rows (keyed by ocop_code); unchanged rows keep their update time."""
        with self._lock:
            existing = dict(self._db.execute("SELECT ocop_code, data FROM rows").fetchall())
            changed = []
            for number, row in enumerate(rows, 1):
                code = str(row.get("ocop_code") or "").strip()
                if not code:
                    raise ValueError(f"registry row {number}: field ocop_code is empty; every row needs one")
                data = json.dumps({k: v for k, v in row.items() if k != "updated_at"}, ensure_ascii=False, sort_keys=True)
                if existing.get(code) != data:
                    changed.append((code, data))
            if changed:
                stamp = self._next_stamp()
                self._db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?)",
                                     [(code, stamp, data) for code, data in changed])
                self._db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'generation'")
        return len(changed)

    def rows(self) -> list[dict[str, Any]]:
        with self._lock:
            found = self._db.execute("SELECT updated_us, data FROM rows ORDER BY updated_us, ocop_code").fetchall()
        return [{**json.loads(data), "updated_at": format_time(stamp)} for stamp, data in found]

    def page(self, since_us: int | None, offset: int, limit: int) -> tuple[list[dict[str, Any]], int, int | None]:
        """One page of rows updated after `since_us`, how many match, and their latest update time."""
        where, args = ("WHERE updated_us > ?", [since_us]) if since_us is not None else ("", [])
        with self._lock:
            total, latest = self._db.execute(f"SELECT COUNT(*), MAX(updated_us) FROM rows {where}", args).fetchone()
            found = self._db.execute(f"SELECT updated_us, data FROM rows {where} ORDER BY updated_us, ocop_code "
                                     "LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
        items = [{**json.loads(data), "updated_at": format_time(stamp)} for stamp, data in found]
        return items, int(total), latest

    def etag(self) -> str:
        with self._lock:
            meta = dict(self._db.execute("SELECT name, value FROM meta").fetchall())
        return f'"{meta["instance"]}-{meta["generation"]}"'

    def _next_stamp(self) -> int:
        latest = self._db.execute("SELECT MAX(updated_us) FROM rows").fetchone()[0] or 0
        return max(int(self._clock() * 1_000_000), latest + 1)


class RegistrySandbox:
    """The registry's ASGI app."""

    def __init__(self, state: RegistryState) -> None:
        self.state = state
        self.log = logging.getLogger("ocop.sandbox.registry")

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        try:
            request = await read_request(scope, receive)
        except ClientGone:
            return
        if request.method == "GET" and request.path.startswith(IMAGES_PATH):
            status = await _send_photo(send, request.path, request.headers)
        else:
            reply = self._answer(request.method, request.path, request.headers, parse_qs(
                scope.get("query_string", b"").decode("utf-8")))
            await send_reply(send, reply)
            status = reply.status
        self.log.info("%-6s %s %s -> %s (%.1f ms)", "registry", request.method, request.path, status,
                      (time.perf_counter() - started) * 1000)

    def _answer(self, method: str, path: str, headers: dict[str, str], query: dict[str, list[str]]) -> Reply:
        if method != "GET" or path.rstrip("/") != PATH:
            return Reply(404, {"error": f"no such resource: {method} {path}", "expected": f"GET {PATH}"})
        try:
            page = _int(query, "page", 1, 1, None)
            page_size = _int(query, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
            since_text = (query.get("updated_since") or [None])[0]
            since = parse_time(since_text) if since_text else None
        except QueryError as error:
            return Reply(400, error.payload)
        etag = self.state.etag()
        if headers.get("if-none-match") == etag:
            return Reply(304, b"", (("ETag", etag),))
        items, total, latest = self.state.page(since, (page - 1) * page_size, page_size)
        cursor = format_time(latest) if latest is not None else since_text
        return Reply(200, {"items": items, "page": page, "page_size": page_size, "total": total,
                           "next_page": page + 1 if page * page_size < total else None, "cursor": cursor},
                     (("ETag", etag),))


async def _send_photo(send: Callable, path: str, headers: dict[str, str]) -> int:
    """A photo with its own media type and an ETag (304 when the client's copy is current), else 404."""
    photo = photo_at(path)
    if photo is None:
        await send_reply(send, Reply(404, {"error": f"no such photo: {path}",
                                           "expected": f"GET {IMAGES_PATH}<name>-<width>x<height>.jpg or .png"}))
        return 404
    status, body = (304, b"") if headers.get("if-none-match") == photo.etag else (200, photo.content)
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", photo.media_type.encode()), (b"content-length", str(len(body)).encode()),
        (b"etag", photo.etag.encode()), (b"cache-control", b"max-age=3600")]})
    await send({"type": "http.response.body", "body": body})
    return status


def format_time(stamp_us: int) -> str:
    moment = dt.datetime.fromtimestamp(stamp_us / 1_000_000, tz=dt.timezone.utc)
    pattern = "%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return moment.strftime(pattern)


def parse_time(text: str) -> int:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError("updated_since", text, "an ISO 8601 time, e.g. 2026-01-01T00:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return round(moment.timestamp() * 1_000_000)


def _int(query: dict[str, list[str]], name: str, default: int, low: int, high: int | None) -> int:
    raw = (query.get(name) or [None])[0]
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        expected = f"an integer from {low}" + (f" to {high}" if high else " up")
        raise QueryError(name, raw, expected)
    return int(raw)


def load_registry_rows(path: Path) -> list[dict[str, Any]]:
    """Catalogue rows from a JSON file (a list, or {"items": [...]}) or a CSV file with canonical headers."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return list(csv.DictReader(text.splitlines()))
    document = json.loads(text)
    rows = document.get("items") if isinstance(document, dict) else document
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a JSON list of rows or an object with an 'items' list")
    return rows
