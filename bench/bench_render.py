"""Benchmark: listings rendered per second, images excluded and included.

Renders a synthetic catalogue (Đồng Tháp-like mix: 80% 3★, 20% 4★, a few 5★, some expired, some
without GTIN, no photos so every listing draws its placeholder cover) on every channel, in three
modes measured in the same run:

- text only (`include_images=False`): templates, title fitting, gate, hash;
- with images: the above plus the cover (and badge) drawn and JPEG-encoded, badges cached;
- with images, badge cache cleared before every listing: the baseline the cache is measured against.

Run: .venv/bin/python bench/bench_render.py [--products 2000] [--uncached 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from stdnum import ean

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogue.records import (  # noqa: E402
    Address,
    CatalogueProduct,
    CertificationRecord,
    ProducerKind,
    ProducerRecord,
    ProductRecord,
)
from connectors.types import Channel  # noqa: E402
from rendering import badge, images  # noqa: E402
from rendering.listing import RenderedListing, render_listing  # noqa: E402
from rendering.profiles import load_profile  # noqa: E402

TODAY = dt.date(2026, 1, 10)
NAMES = [
    ("Gạo ST25 Ruộng Rươi", "I.2.a", "5 kg", 5100), ("Hạt sen sấy giòn Tháp Mười", "I.3.c", "100 g", 120),
    ("Trà tim sen Đồng Tháp", "I.5.b", "60 g", 90), ("Nước mắm cá linh", "I.4.a", "500 ml", 700),
    ("Xoài cát Hòa Lộc sấy dẻo", "I.3.c", "200 g", 250), ("Mật ong hoa tràm U Minh", "I.2.b", "500 ml", 750),
    ("Lạp xưởng tươi Sa Đéc", "I.3.d", "500 g", 560), ("Bánh phồng tôm Sa Giang", "I.3.b", "200 g", 240),
    ("Khô cá lóc đồng", "I.3.d", "500 g", 550), ("Rượu đế Xuân Thạnh", "II.1.a", "500 ml", 900),
    ("Đèn mây tre đan", "IV.1", "1 cái", 800), ("Cao cà gai leo", "III.1", "100 g", 150),
]


def synthetic_catalogue(count: int, seed: int) -> list[CatalogueProduct]:
    rng = random.Random(seed)
    products = []
    for number in range(count):
        name, group, pack, grams = NAMES[number % len(NAMES)]
        stars = rng.choices([3, 4, 5], weights=[799, 199, 4])[0]
        signed = TODAY - dt.timedelta(days=rng.randrange(30, 1300))   # about one in six has expired
        body = f"893{rng.randrange(10**9):09d}"
        producer = ProducerRecord(
            key=f"14{number:08d}", name=f"Hợp tác xã Nông nghiệp số {number % 448}", kind=ProducerKind.COOPERATIVE,
            tax_code=None, address=Address("Đồng Tháp", f"Xã {rng.choice(['Tháp Mười', 'Mỹ Hiệp', 'Tân Thuận'])}"),
        )
        product = ProductRecord(
            ocop_code=f"83-829-{number:05d}-{stars}-{signed.year}", seller_sku=f"OCOP-DT-{number:06d}",
            name=f"{name} loại {number % 7 + 1}", group_code=group, producer_key=producer.key,
            price_vnd=rng.randrange(60, 500) * 1000, net_weight_g=grams, pack_size=pack,
            gtin=None if rng.random() < 0.3 else body + ean.calc_check_digit(body),
            description="Sản phẩm OCOP của tỉnh Đồng Tháp.\nBảo quản nơi khô ráo, thoáng mát.",
        )
        certification = CertificationRecord(f"{rng.randrange(100, 9999)}/QĐ-UBND", signed, "UBND tỉnh Đồng Tháp", stars)
        products.append(CatalogueProduct(product, producer, certification, (certification,)))
    return products


def clear_image_caches() -> None:
    badge.badge_image.cache_clear()
    images.badge_card.cache_clear()
    images._placeholder_background.cache_clear()


def measure(products: list[CatalogueProduct], *, include_images: bool, before_each: Callable[[], None] | None = None) -> tuple[int, float, int]:
    """(listings rendered, seconds, image bytes produced) over every product on every channel.

    Blocked listings (none in this catalogue) would count as rendered: the gate ran for them too."""
    profiles = [load_profile(channel) for channel in Channel]
    rendered = image_bytes = 0
    start = time.perf_counter()
    for profile in profiles:
        for product in products:
            if before_each:
                before_each()
            listing = render_listing(product, profile, today=TODAY, include_images=include_images)
            rendered += 1
            if isinstance(listing, RenderedListing):
                image_bytes += sum(len(image.content) for image in listing.images)
    return rendered, time.perf_counter() - start, image_bytes


def report(label: str, listings: int, seconds: float, image_bytes: int) -> float:
    rate = listings / seconds
    per_image = f", {image_bytes / listings / 1024:.1f} KiB of images per listing" if image_bytes else ""
    print(f"{label:<44} {listings:>6} listings in {seconds:6.2f} s = {rate:8.1f} listings/s; "
          f"60,000 listings ≈ {60_000 / rate / 60:5.1f} min{per_image}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2000, help="catalogue size (rendered on each of 3 channels)")
    parser.add_argument("--uncached", type=int, default=100, help="products for the uncached-badge baseline")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    products = synthetic_catalogue(args.products, args.seed)
    render_listing(products[0], load_profile(Channel.SHOPEE), today=TODAY)  # load templates and fonts once
    blocked = sum(not isinstance(render_listing(product, load_profile(channel), today=TODAY, include_images=False), RenderedListing)
                  for product in products for channel in Channel)
    print(f"catalogue: {len(products)} products x {len(Channel)} channels, today={TODAY}, {blocked} blocked")
    text_rate = report("text only (include_images=False)", *measure(products, include_images=False))
    image_rate = report("with images (badges cached)", *measure(products, include_images=True))
    uncached = report("with images, badge cache cleared per listing",
                      *measure(products[: args.uncached], include_images=True, before_each=clear_image_caches))
    print(f"images cost {1000 / image_rate - 1000 / text_rate:.2f} ms per listing; "
          f"the badge cache makes image rendering {image_rate / uncached:.1f}x faster")


if __name__ == "__main__":
    main()
