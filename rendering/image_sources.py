"""Where a product's images come from: local files, or URLs as real catalogues give them.

`read_image` is rendering's default loader. A fetched image is kept under the cache directory (by
default `OCOP_HOME/image-cache`) keyed by its URL, with the server's ETag and Last-Modified; a copy checked within `fresh_for_s` is used as it is
(a render process and the planner asking for the same photo minutes apart ask the server once),
an older one is revalidated (304: the copy stands). What arrives is an image only if Pillow says so:
the URL's extension and the Content-Type are not trusted. Transient failures (timeouts, dropped
connections, 429 and 5xx) are retried; each host serves at most `per_host` of this process's
requests at once, so a producer's small web server is not flooded by a publish's threads.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import requests
from PIL import Image, UnidentifiedImageError

from ocop.settings import load_settings

# What a product photo may arrive as; Pillow opens more (icons, PDFs), which are not photos.
SOURCE_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF"})
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_CHUNK = 64 * 1024


class ImageUnavailable(ValueError):
    """A product image that cannot be read or decoded: names the reference and the reason."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(f"image {ref!r} unusable: {reason}")
        self.ref = ref
        self.reason = reason


def is_url(ref: str) -> bool:
    return "://" in ref


def read_image(ref: str) -> bytes:
    """The default loader: a URL through this process's fetcher (cached under `OCOP_HOME`), anything
    else a local file."""
    return default_fetcher()(ref) if is_url(ref) else read_local_image(ref)


def read_local_image(ref: str) -> bytes:
    try:
        return Path(ref).read_bytes()
    except OSError as error:
        raise ImageUnavailable(ref, error.strerror or type(error).__name__) from error


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 20.0
    max_bytes: int = 15 * 2**20          # a phone camera's JPEG fits; a mislinked video does not
    attempts: int = 3                    # for transient failures
    backoff_s: float = 0.5               # doubled after each failed attempt
    per_host: int = 4                    # requests at once to one host, from this process
    fresh_for_s: float = 600.0


@dataclass(frozen=True)
class FetchedImage:
    url: str
    content: bytes
    sha256: str
    format: str                          # as Pillow read it


class _Transient(Exception):
    """A failure worth another attempt; its text is the reason given if the attempts run out."""


_host_slots: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_host_slots_lock = threading.Lock()


def _host_slot(url: str, per_host: int) -> threading.BoundedSemaphore:
    key = (urllib.parse.urlsplit(url).netloc.lower(), per_host)
    with _host_slots_lock:
        return _host_slots.setdefault(key, threading.BoundedSemaphore(per_host))


class ImageFetcher:
    """An `ImageLoader` for URLs (call it with a URL, get the bytes), with `fetch` for the details."""

    def __init__(self, cache_dir: Path, policy: FetchPolicy = FetchPolicy(), session: requests.Session | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.policy = policy
        self.session = session or requests.Session()
        self._url_locks: dict[str, threading.Lock] = {}
        self._url_locks_lock = threading.Lock()

    def __call__(self, url: str) -> bytes:
        return self.fetch(url).content

    def fetch(self, url: str) -> FetchedImage:
        """The image at `url`, from the cache when it is fresh or the server says it is unchanged;
        ImageUnavailable naming the reason (HTTP status, not an image, too large, unreachable)."""
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ImageUnavailable(url, "only http and https URLs are fetched")
        with self._url_lock(url):
            cached = self._cached(url)
            if cached is not None and time.time() - cached.checked_at < self.policy.fresh_for_s:
                return cached.image
            try:
                response = self._get(url, cached.validators if cached else {})
            except _Transient as error:
                if cached is not None:
                    return cached.image      # the server is away; the copy it last gave stands
                raise ImageUnavailable(url, str(error)) from None
            with response:
                if response.status_code == 304 and cached is not None:
                    self._store(url, cached.image, cached.validators)
                    return cached.image
                if response.status_code != 200:
                    raise ImageUnavailable(url, f"HTTP {response.status_code} {response.reason or ''}".strip())
                image = self._sniffed(url, self._body(url, response), response.headers.get("Content-Type"))
                validators = {name: response.headers[name] for name in ("ETag", "Last-Modified") if name in response.headers}
            self._store(url, image, validators)
            return image

    def _url_lock(self, url: str) -> threading.Lock:
        with self._url_locks_lock:
            return self._url_locks.setdefault(url, threading.Lock())

    def _get(self, url: str, validators: dict[str, str]) -> requests.Response:
        headers = {}
        if "ETag" in validators:
            headers["If-None-Match"] = validators["ETag"]
        if "Last-Modified" in validators:
            headers["If-Modified-Since"] = validators["Last-Modified"]
        policy = self.policy
        for attempt in range(policy.attempts):
            if attempt:
                time.sleep(policy.backoff_s * 2 ** (attempt - 1))
            try:
                with _host_slot(url, policy.per_host):
                    return self._attempt(url, headers)
            except _Transient as error:
                last = error
        raise _Transient(f"{last} ({policy.attempts} attempts)")

    def _attempt(self, url: str, headers: dict[str, str]) -> requests.Response:
        timeout = (self.policy.connect_timeout_s, self.policy.read_timeout_s)
        try:
            response = self.session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=True)
        except requests.Timeout:
            raise _Transient(f"no answer within {self.policy.connect_timeout_s:g} s to connect or "
                             f"{self.policy.read_timeout_s:g} s to read") from None
        except requests.ConnectionError as error:
            raise _Transient(f"connection failed ({type(error).__name__})") from None
        if response.status_code in _TRANSIENT_STATUS:
            response.close()
            raise _Transient(f"HTTP {response.status_code} {response.reason or ''}".strip())
        return response

    def _body(self, url: str, response: requests.Response) -> bytes:
        cap = self.policy.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise ImageUnavailable(url, f"too large to fetch: {int(declared)} bytes, at most {cap}")
        body = bytearray()
        try:
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > cap:
                    raise ImageUnavailable(url, f"too large to fetch: more than {cap} bytes")
        except (requests.Timeout, requests.ConnectionError) as error:
            raise ImageUnavailable(url, f"the download broke off ({type(error).__name__})") from None
        return bytes(body)

    def _sniffed(self, url: str, content: bytes, content_type: str | None) -> FetchedImage:
        served_as = f"served as {content_type}" if content_type else "served without a Content-Type"
        try:
            with Image.open(io.BytesIO(content)) as opened:
                found = opened.format
                opened.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise ImageUnavailable(url, f"not an image ({served_as}, {len(content)} bytes)") from None
        if found not in SOURCE_FORMATS:
            raise ImageUnavailable(url, f"not a photo format: {found} ({served_as}); send JPEG, PNG or WEBP")
        return FetchedImage(url, content, hashlib.sha256(content).hexdigest(), found)

    # -- the disk cache: <key>.img holds the bytes, <key>.json what was learned about them --

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode()).hexdigest()
        folder = self.cache_dir / key[:2]
        return folder / f"{key}.img", folder / f"{key}.json"

    def _cached(self, url: str) -> _Cached | None:
        content_path, meta_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            content = content_path.read_bytes()
        except (OSError, ValueError):
            return None
        if meta.get("url") != url or hashlib.sha256(content).hexdigest() != meta.get("sha256"):
            return None      # torn or foreign: fetched again
        image = FetchedImage(url, content, meta["sha256"], meta["format"])
        return _Cached(image, meta.get("validators", {}), float(meta.get("checked_at", 0)))

    def _store(self, url: str, image: FetchedImage, validators: dict[str, str]) -> None:
        content_path, meta_path = self._paths(url)
        content_path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"url": url, "sha256": image.sha256, "format": image.format, "validators": validators,
                "checked_at": time.time()}
        _write_atomically(content_path, image.content)
        _write_atomically(meta_path, json.dumps(meta, ensure_ascii=False).encode("utf-8"))


@dataclass(frozen=True)
class _Cached:
    image: FetchedImage
    validators: dict[str, str]
    checked_at: float                    # seconds since the epoch: render processes share it


def _write_atomically(path: Path, content: bytes) -> None:
    """Readers in other processes see the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@cache
def default_fetcher() -> ImageFetcher:
    """This process's fetcher, caching under the settings' home."""
    return ImageFetcher(load_settings().home / "image-cache")
