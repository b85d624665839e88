"""Pulling certified products from the OCOP registry's paged JSON API.

A re-pull sends the stored ETag (If-None-Match, first page) and the stored cursor (updated_since),
so an unchanged registry answers 304 and a changed one sends only what changed since last time.
The caller stores the new ETag and cursor in the same transaction as the rows they brought.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from catalogue.sources.columns import item_values
from catalogue.sources.table import SourceError, SourceRow, SourceTable

PRODUCTS_PATH = "/api/v1/products"
PAGE_SIZE = 500
TIMEOUT_SECONDS = 30
MAX_PAGES = 10_000


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
    session = http or _session()
    auth = _credentials(base_url)
    params: dict[str, object] = {"page": 1, "page_size": page_size}
    if state.updated_since:
        params["updated_since"] = state.updated_since
    headers = {"If-None-Match": state.etag} if state.etag else {}
    first = _get(session, base, params, headers, auth)
    if first.status_code == 304:
        return RegistryPull(SourceTable(source=base, rows=[], detail="not modified"), state, not_modified=True)
    etag = first.headers.get("ETag") or state.etag
    rows: list[SourceRow] = []
    cursor = state.updated_since
    body = _json(first, base)
    for _ in range(MAX_PAGES):
        for item in body["items"]:
            rows.append(SourceRow(number=len(rows) + 1, values=item_values(item)))
        cursor = body.get("cursor") or cursor
        if not body.get("next_page"):
            break
        params["page"] = body["next_page"]
        body = _json(_get(session, base, params, {}, auth), base)
    else:
        raise SourceError(f"registry {base}: more than {MAX_PAGES} pages; is next_page ever null?")
    table = SourceTable(source=base, rows=rows,
                        detail=f"{len(rows)} items since {state.updated_since or 'the beginning'}")
    return RegistryPull(table, RegistryState(etag=etag, updated_since=cursor), not_modified=False)


def _session() -> requests.Session:
    session = requests.Session()
    retry = Retry(total=3, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def _get(session: requests.Session, base: str, params: dict, headers: dict,
         auth: tuple[str, str] | None) -> requests.Response:
    try:
        response = session.get(base + PRODUCTS_PATH, params=params, headers=headers, auth=auth, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:   # its message may carry the URL: name the class only
        raise SourceError(f"registry {base}: request failed ({type(error).__name__})") from None
    if response.status_code not in (200, 304):
        raise SourceError(f"registry {base}: HTTP {response.status_code} on page {params.get('page')}")
    return response


def _json(response: requests.Response, base: str) -> dict:
    try:
        body = response.json()
    except ValueError:
        raise SourceError(f"registry {base}: the answer is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise SourceError(f"registry {base}: the answer has no 'items' list")
    return body
