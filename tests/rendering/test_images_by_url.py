"""Images by URL, against a local HTTP server: fetched once and revalidated by ETag, sniffed by
Pillow, retried when the failure is passing, bounded per host, brought to each channel's limits;
a URL that fails blocks only its listing, with the reason named."""

from __future__ import annotations

import io
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from listing_products import TODAY, catalogue_product
from PIL import Image

from ocop.channels import declaration
from rendering import image_sources
from rendering.image_sources import FetchPolicy, ImageFetcher
from rendering.listing import (
    Blocked,
    RenderedListing,
    input_fingerprint,
    render_listing,
)
from rendering.profiles import load_profile


def jpeg(size: tuple[int, int], colour=(200, 160, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def noisy_jpeg(side: int) -> bytes:
    """A photo that compresses badly: random pixels."""
    picture = Image.frombytes("RGB", (side, side), random.Random(16).randbytes(side * side * 3))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


class ProducerSite:
    """A producer's web server: photos by path, with an ETag per version, and a few bad habits."""

    def __init__(self) -> None:
        self.photos: dict[str, bytes] = {
            "/uploads/2024/05/hat-sen-say-gion.jpg": jpeg((1200, 900)),
            "/uploads/2024/05/tra-sen-hop-giay.png": jpeg((900, 900), (30, 120, 60)),
            "/uploads/thumbs/hat-sen-120x90.jpg": jpeg((120, 90)),
            "/uploads/2024/05/nuoc-mam-320.jpg": jpeg((320, 320)),
            "/uploads/2024/05/anh-nhieu.jpg": noisy_jpeg(1000),
        }
        self.versions: dict[str, int] = {}
        self.requests: list[tuple[str, str | None]] = []     # (path, If-None-Match)
        self.failures_left: dict[str, int] = {"/uploads/2024/05/ca-phe-503.jpg": 1}
        self.in_flight = 0
        self.most_in_flight = 0
        self.two_at_once = threading.Event()   # a busy answer waits (a while) for a second request to overlap it
        self.lock = threading.Lock()

    def replace(self, path: str, content: bytes) -> None:
        self.photos[path] = content
        self.versions[path] = self.versions.get(path, 1) + 1

    def handler(site):  # noqa: N805 - the handler class closes over the site
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with site.lock:
                    site.requests.append((self.path, self.headers.get("If-None-Match")))
                    site.in_flight += 1
                    site.most_in_flight = max(site.most_in_flight, site.in_flight)
                    if site.in_flight >= 2:
                        site.two_at_once.set()
                self.counted = True
                try:
                    self.answer()
                finally:
                    self.done()

            def done(self) -> None:
                """Out of flight once the answer is about to go: the client may ask again as soon as it has it."""
                with site.lock:
                    if self.counted:
                        site.in_flight -= 1
                        self.counted = False

            def answer(self) -> None:
                path = self.path
                if path.startswith("/slow/"):
                    time.sleep(1.5)
                if path.startswith("/busy/"):
                    site.two_at_once.wait(5)          # on a loaded machine the fetcher's threads start late
                    time.sleep(0.2)
                    return self.send(200, jpeg((600, 600)), "image/jpeg")
                if site.failures_left.get(path):
                    site.failures_left[path] -= 1
                    return self.send(503, b"busy", "text/plain")
                if path == "/uploads/2024/05/ca-phe-503.jpg":
                    return self.send(200, jpeg((800, 800)), "image/jpeg")
                if path == "/uploads/banner-quang-cao.jpg":       # a web page behind an image name
                    return self.send(200, b"<html><body>Trang kh\xc3\xb4ng t\xe1\xbb\x93n t\xe1\xba\xa1i</body></html>", "image/jpeg")
                if path == "/uploads/video-gioi-thieu.jpg":
                    return self.send(200, b"\0" * (3 * 2**20), "image/jpeg")
                content = site.photos.get(path.removeprefix("/slow"))
                if content is None:
                    return self.send(404, b"not found", "text/plain")
                etag = f'"{path}-v{site.versions.get(path, 1)}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return None
                return self.send(200, content, "image/jpeg", etag)

            def send(self, status: int, body: bytes, content_type: str, etag: str | None = None) -> None:
                self.done()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass      # the fetcher stopped reading past its byte cap

        return Handler


@pytest.fixture
def site():
    producer_site = ProducerSite()
    server = ThreadingHTTPServer(("127.0.0.1", 0), producer_site.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    producer_site.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield producer_site
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetcher(tmp_path):
    policy = FetchPolicy(connect_timeout_s=1, read_timeout_s=0.5, max_bytes=2 * 2**20, backoff_s=0.01, fresh_for_s=0)
    return ImageFetcher(tmp_path / "image-cache", policy)


def product_with(site, *paths: str, sku: str = "OCOP-DT-HATSEN-URL"):
    return catalogue_product(images=tuple(site.base + path for path in paths), seller_sku=sku)


def test_a_url_image_is_fetched_once_then_revalidated_by_its_etag(site, fetcher):
    product = product_with(site, "/uploads/2024/05/hat-sen-say-gion.jpg")
    first = render_listing(product, load_profile("shopee"), today=TODAY, load_image=fetcher)
    again = render_listing(product, load_profile("shopee"), today=TODAY, load_image=fetcher)
    assert isinstance(first, RenderedListing) and first.images == again.images
    assert Image.open(io.BytesIO(first.images[0].content)).size == (800, 800)
    path = "/uploads/2024/05/hat-sen-say-gion.jpg"
    assert site.requests == [(path, None), (path, f'"{path}-v1"')]     # the second answered 304
    assert len(list((fetcher.cache_dir).rglob("*.img"))) == 1


def test_a_picture_replaced_at_the_same_url_changes_the_fingerprint_and_the_listing(site, fetcher):
    path = "/uploads/2024/05/hat-sen-say-gion.jpg"
    product, profile = product_with(site, path), load_profile("lazada")
    before = input_fingerprint(product, profile, load_image=fetcher)
    listing = render_listing(product, profile, today=TODAY, load_image=fetcher)
    assert input_fingerprint(product, profile, load_image=fetcher) == before

    site.replace(path, jpeg((1200, 900), (20, 60, 180)))
    assert input_fingerprint(product, profile, load_image=fetcher) != before
    assert render_listing(product, profile, today=TODAY, load_image=fetcher).content_hash != listing.content_hash


def test_a_copy_checked_recently_is_used_without_asking_the_server(site, tmp_path):
    fetcher = ImageFetcher(tmp_path / "cache", FetchPolicy(fresh_for_s=600))
    url = site.base + "/uploads/2024/05/tra-sen-hop-giay.png"
    assert fetcher(url) == fetcher(url) == ImageFetcher(tmp_path / "cache", FetchPolicy(fresh_for_s=600))(url)
    assert len(site.requests) == 1      # another process (a second fetcher) reads the same disk cache


@pytest.mark.parametrize(("path", "reason"), [
    ("/uploads/2023/hat-sen-cu.jpg", "HTTP 404 Not Found"),
    ("/uploads/banner-quang-cao.jpg", "not an image (served as image/jpeg, 50 bytes)"),
    ("/uploads/thumbs/hat-sen-120x90.jpg", "too small: 120×90 px, at least 300 px wide or high"),
    ("/uploads/video-gioi-thieu.jpg", "too large to fetch: 3145728 bytes, at most 2097152"),
])
def test_a_failing_url_blocks_only_its_listing_naming_the_reason(site, fetcher, path, reason):
    good = product_with(site, "/uploads/2024/05/tra-sen-hop-giay.png", sku="OCOP-DT-TRASEN")
    bad = product_with(site, "/uploads/2024/05/hat-sen-say-gion.jpg", path)
    profile = load_profile("shopee")
    blocked = render_listing(bad, profile, today=TODAY, load_image=fetcher)
    assert isinstance(blocked, Blocked)
    assert blocked.reasons == (f"images invalid: image '{site.base}{path}' unusable: {reason} (shopee)",)
    assert isinstance(render_listing(good, profile, today=TODAY, load_image=fetcher), RenderedListing)


def test_a_photo_under_lazadas_minimum_blocks_lazada_only(site, fetcher):
    product = product_with(site, "/uploads/2024/05/nuoc-mam-320.jpg")
    lazada = render_listing(product, load_profile("lazada"), today=TODAY, load_image=fetcher)
    assert lazada.reasons == (f"images invalid: image '{site.base}/uploads/2024/05/nuoc-mam-320.jpg' unusable: "
                              "too small: 320×320 px, at least 330 px wide or high (lazada)",)
    assert isinstance(render_listing(product, load_profile("tiktok"), today=TODAY, load_image=fetcher), RenderedListing)


def test_a_slow_server_times_out_and_a_passing_failure_is_retried(site, fetcher):
    slow = render_listing(product_with(site, "/slow/uploads/2024/05/tra-sen-hop-giay.png"), load_profile("tiktok"),
                          today=TODAY, load_image=fetcher)
    assert slow.reasons[0].endswith("unusable: no answer within 1 s to connect or 0.5 s to read (3 attempts) (tiktok)")

    path = "/uploads/2024/05/ca-phe-503.jpg"
    listing = render_listing(product_with(site, path), load_profile("tiktok"), today=TODAY, load_image=fetcher)
    assert isinstance(listing, RenderedListing)
    assert [request for request, _ in site.requests].count(path) == 2     # a 503, then the photo


def test_a_jpeg_over_the_channels_byte_limit_is_encoded_smaller_or_refused(site, fetcher):
    product = product_with(site, "/uploads/2024/05/anh-nhieu.jpg")
    profile = load_profile("lazada")
    full = render_listing(product, profile, today=TODAY, load_image=fetcher)
    photo = len(full.images[0].content)
    limits = declaration(profile.channel).images

    fitted = render_listing(product, profile, today=TODAY, load_image=fetcher,
                            image_limits=type(limits)(limits.min_px, limits.max_px, photo - 1, limits.formats))
    assert len(fitted.images[0].content) < photo
    refused = render_listing(product, profile, today=TODAY, load_image=fetcher,
                             image_limits=type(limits)(limits.min_px, limits.max_px, 20_000, limits.formats))
    assert refused.reasons[0].startswith(f"images invalid: image '{site.base}/uploads/2024/05/anh-nhieu.jpg' "
                                         "unusable: too large after fitting: ")
    assert refused.reasons[0].endswith("bytes at JPEG quality 45, at most 20000 (lazada)")


def test_one_host_serves_at_most_per_host_requests_at_once(site, tmp_path):
    fetcher = ImageFetcher(tmp_path / "cache", FetchPolicy(per_host=2))
    urls = [f"{site.base}/busy/anh-{number}.jpg" for number in range(8)]
    threads = [threading.Thread(target=fetcher, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(site.requests) == 8 and site.most_in_flight == 2


def test_the_default_loader_keeps_images_under_the_settings_home(site, tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_HOME", str(tmp_path / "home"))
    image_sources.default_fetcher.cache_clear()
    try:
        listing = render_listing(product_with(site, "/uploads/2024/05/tra-sen-hop-giay.png"), load_profile("shopee"),
                                 today=TODAY)
        assert isinstance(listing, RenderedListing)
        assert len(list((tmp_path / "home" / "image-cache").rglob("*.img"))) == 1
    finally:
        image_sources.default_fetcher.cache_clear()
