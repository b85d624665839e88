"""Pulling certified products from the OCOP registry's paged JSON API.

A re-pull sends the stored ETag (If-None-Match, first page) and the stored cursor (updated_since),
so an unchanged registry answers 304 and a changed one sends only what changed since last time.
The caller stores the new ETag and cursor in the same transaction as the rows they brought.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from catalogue.sources.columns import item_values
from catalogue.sources.json_file import parse_json
from catalogue.sources.table import SourceError, SourceRow, SourceTable

PRODUCTS_PATH = "/api/v1/products"
PAGE_SIZE = 500
TIMEOUT_SECONDS = 30
MAX_PAGES = 10_000            # when the registry announces no total
RETRIES = 3
RETRIED_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class RegistryState:
    etag: str | None = None
    updated_since: str | None = None


@dataclass(frozen=True)
class RegistryPull:
    table: SourceTable            # empty when not modified
    state: RegistryState          # what to store for the next pull
    not_modified: bool


def is_registry_url(source: object) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def registry_base(url: str) -> str:
    """The registry's base URL, with any products path and query removed."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    if path.endswith(PRODUCTS_PATH):
        path = path[: -len(PRODUCTS_PATH)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def registry_key(url: str) -> str:
    """The base URL without credentials: what requests go to, and what sync state, messages and
    ingest runs name the registry by."""
    parts = urlsplit(registry_base(url))
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _credentials(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url.strip())
    if parts.username is None:
        return None
    return unquote(parts.username), unquote(parts.password or "")


def pull_registry(base_url: str, state: RegistryState, *, http: requests.Session | None = None,
                  page_size: int = PAGE_SIZE) -> RegistryPull:
    base = registry_key(base_url)
    fetch = _Fetch(http or _session(), base, _credentials(base_url), state.updated_since, page_size)
    first = fetch.page(1, {"If-None-Match": state.etag} if state.etag else {})
    if first.status_code == 304:
        if not state.etag:
            raise SourceError(f"registry {base}: answered 304 Not Modified to a first pull (no ETag was sent, "
                              "nothing is stored yet): a 304 can only answer an ETag; the products were not sent")
        return RegistryPull(SourceTable(source=base, rows=[], detail="not modified"), state, not_modified=True)
    etag = first.headers.get("ETag") or state.etag
    rows: list[SourceRow] = []
    cursor = state.updated_since
    body, paging = fetch.body(first, 1), _Paging(base, page_size)
    while True:
        paging.read(body)
        for item in body["items"]:
            rows.append(SourceRow(number=len(rows) + 1, values=item_values(item)))
        cursor = body.get("cursor") or cursor
        next_page = body.get("next_page")
        if not next_page:
            break
        paging.follow(next_page)
        body = fetch.body(fetch.page(next_page, {}), next_page)
    table = SourceTable(source=base, rows=rows,
                        detail=f"{len(rows)} items since {state.updated_since or 'the beginning'}")
    return RegistryPull(table, RegistryState(etag=etag, updated_since=cursor), not_modified=False)


class _Paging:
    """Follows next_page, stopping the pull at once (a looping registry once ran 10,000 pages) at a page asked
    for twice, a page repeating another's items, an empty page that points further, or more items than
    the total announced on the first page: so the pages are bounded by that total."""

    def __init__(self, base: str, page_size: int):
        self.base = base
        self.current: object = 1
        self.current_items = 0
        self.asked: set[str] = {"1"}
        self.contents: dict[str, object] = {}
        self.total = MAX_PAGES * page_size
        self.items = 0

    def read(self, body: dict) -> None:
        if self.current == 1 and isinstance(body.get("total"), int) and body["total"] >= 0:
            self.total = body["total"]
        self.current_items = len(body["items"])
        self.items += self.current_items
        if self.items > self.total:
            raise self._error(f"page {self.current} brings the item count to {self.items:,}, more than the "
                              f"{self.total:,} announced")
        fingerprint = hashlib.sha256(json.dumps(body["items"], sort_keys=True, default=str).encode()).hexdigest()
        if body["items"] and fingerprint in self.contents:
            raise self._error(f"page {self.current} repeats the items of page {self.contents[fingerprint]}")
        self.contents[fingerprint] = self.current

    def follow(self, next_page: object) -> None:
        if str(next_page) in self.asked:
            raise self._error(f"page {self.current} points back to page {next_page} (next_page loops)")
        if self.current_items == 0:
            raise self._error(f"page {self.current} holds no items but points to a further page {next_page} "
                              f"({self.items:,} of the {self.total:,} items announced were read)")
        if len(self.asked) >= MAX_PAGES:
            raise self._error(f"more than {MAX_PAGES:,} pages")
        self.asked.add(str(next_page))
        self.current = next_page

    def _error(self, what: str) -> SourceError:
        return SourceError(f"registry {self.base}: {what}; stopped after {len(self.asked):,} pages, nothing stored")


class _Fetch:
    """GETs of the products pages; failures name the status, page and URL, never the credentials."""

    def __init__(self, session: requests.Session, base: str, auth: tuple[str, str] | None,
                 updated_since: str | None, page_size: int):
        self.session = session
        self.base = base
        self.auth = auth
        self.params: dict[str, object] = {"page_size": page_size}
        if updated_since:
            self.params["updated_since"] = updated_since

    def url(self, page: object) -> str:
        return f"{self.base}{PRODUCTS_PATH}?{urlencode({'page': page, **self.params})}"

    def page(self, page: object, headers: dict[str, str]) -> requests.Response:
        try:
            response = self.session.get(self.base + PRODUCTS_PATH, params={"page": page, **self.params},
                                        headers=headers, auth=self.auth, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as error:   # its message may carry the URL with credentials
            raise SourceError(f"registry {self.base}: page {page} could not be fetched "
                              f"({_failure(error)}) from {self.url(page)}") from None
        if response.status_code not in (200, 304):
            raise SourceError(f"registry {self.base}: HTTP {response.status_code} {response.reason or ''}".rstrip()
                              + f" on page {page} from {self.url(page)}"
                              + (f" (after {RETRIES} retries)" if response.status_code in RETRIED_STATUSES else ""))
        return response

    def body(self, response: requests.Response, page: object) -> dict:
        body = parse_json(response.text, f"registry {self.base}: page {page}")
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise SourceError(f"registry {self.base}: page {page} has no 'items' list ({self.url(page)})")
        return body


def _failure(error: requests.RequestException) -> str:
    """The error's class, and its cause's: "ConnectionError: NewConnectionError" (messages may hold the URL)."""
    cause = getattr(error.args[0], "reason", None) if error.args else None
    return type(error).__name__ + (f": {type(cause).__name__}" if cause is not None else "")


def _session() -> requests.Session:
    session = requests.Session()
    # The last answer of a status that keeps failing is returned, so its status and page can be named.
    retry = Retry(total=RETRIES, backoff_factor=0.5, status_forcelist=RETRIED_STATUSES, allowed_methods=("GET",),
                  raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session
