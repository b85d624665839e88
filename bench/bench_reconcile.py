"""Benchmark: reconcile 60,000 listings (20,000 products x 3 shops) and build the reports.

    .venv/bin/python bench/bench_reconcile.py [--products 20000] [--shops 3] [--reports]

The shops are read through an in-memory connector (the HTTP cost of reading is the connectors'
benchmark, not this one): what is measured is everything after the bytes arrive. Each stage is
timed on its own; peak memory is the process's maximum resident set size.

The shops hold what a nearly complete sync leaves: every product live, with 1% price drift,
0.5% renamed titles, 0.5% missing, 0.3% rejected, 0.2% duplicates and 100 orphans per shop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogue.normalise import seller_sku  # noqa: E402
from catalogue.records import (  # noqa: E402
    Address,
    CatalogueProduct,
    CertificationRecord,
    ProducerKind,
    ProducerRecord,
    ProductRecord,
)
from connectors.types import ListingStatus, RemoteListing  # noqa: E402
from ledger import Binding  # noqa: E402
from ocop.channels import Channel
from ocop.store import make_engine, migrate, transaction  # noqa: E402
from reconcile.classify import State, classify  # noqa: E402
from reconcile.coverage import compute_coverage  # noqa: E402
from reconcile.run import ReconcileResult  # noqa: E402
from reconcile.snapshot import load_snapshot, pull_snapshot, save_snapshot  # noqa: E402

TODAY = dt.date(2026, 6, 1)
NAMES = ["Hạt sen sấy", "Trà tim sen", "Gạo ST25", "Xoài sấy dẻo", "Nước mắm cá linh", "Bánh phồng tôm",
         "Mật ong rừng", "Khô cá lóc", "Bột ngó sen", "Kẹo dừa", "Rượu sen", "Chả cá thát lát"]
KINDS = [ProducerKind.COOPERATIVE, ProducerKind.ENTERPRISE, ProducerKind.HOUSEHOLD, ProducerKind.HOUSEHOLD]


class MemoryConnector:
    """Serves a shop's items from memory, as a connector's `iter_listings` would after paging."""

    def __init__(self, key: str, channel: Channel, items: list[RemoteListing]) -> None:
        self.shop = type("Shop", (), {"key": key})()
        self.channel = channel
        self.items = items

    def iter_listings(self):
        return iter(self.items)

    def get(self, remote_id: str) -> RemoteListing:
        raise AssertionError("the benchmark's listings are never thin")


def catalogue(count: int, rng: random.Random) -> list[CatalogueProduct]:
    producers = [
        ProducerRecord(key=f"14{n:08d}", name=f"Chủ thể OCOP số {n}", kind=KINDS[n % len(KINDS)], tax_code=f"14{n:08d}",
                       address=Address("Đồng Tháp", f"Xã {n % 120}", district_old=f"Huyện {n % 12}"))
        for n in range(max(1, count // 45))
    ]
    items = []
    for n in range(count):
        code = f"83-829-{n:05d}-3-2024"
        product = ProductRecord(ocop_code=code, seller_sku=seller_sku(code), name=f"{rng.choice(NAMES)} loại {n}",
                                group_code=rng.choice(["I.3.c", "I.2.a", "I.5.b", "I.4.a", "II.1.a"]),
                                producer_key=producers[n % len(producers)].key, price_vnd=rng.randrange(50, 500) * 1000,
                                net_weight_g=500, pack_size="500 g", gtin=None)
        cert = CertificationRecord("3981/QĐ-UBND", TODAY - dt.timedelta(days=rng.randrange(30, 1090)),
                                   "UBND tỉnh Đồng Tháp", stars=rng.choice([3, 3, 3, 4, 5]))
        items.append(CatalogueProduct(product, producers[n % len(producers)], cert, (cert,)))
    return items


def shop_items(products: list[CatalogueProduct], shop: int, rng: random.Random) -> tuple[list[RemoteListing], list[Binding]]:
    items, bindings = [], []
    shop_key = f"shop-{shop}"
    for n, item in enumerate(products):
        p, roll = item.product, rng.random()
        remote_id = f"{shop}{n:07d}"
        bindings.append(Binding(shop_key, p.seller_sku, remote_id=remote_id, remote_status="live"))
        if roll < 0.005:
            continue                                    # missing
        listing = RemoteListing(remote_id, p.seller_sku, ListingStatus.LIVE, "NORMAL",
                                title=f"{p.name} {p.pack_size} - OCOP {item.certification.stars} sao",
                                price_vnd=p.price_vnd, stock=100, gtin=None)
        if roll < 0.008:
            listing = replace(listing, status=ListingStatus.REJECTED, platform_status="REJECTED",
                              reject_reason="The listing contains a prohibited word: “hàng giả”")
        elif roll < 0.018:
            listing = replace(listing, price_vnd=p.price_vnd + 1000)
        elif roll < 0.023:
            listing = replace(listing, title="Đặc sản miền Tây giá rẻ")
        items.append(listing)
        if 0.023 <= roll < 0.025:
            items.append(replace(listing, remote_id=f"9{remote_id}"))
    items += [RemoteListing(f"8{shop}{k:05d}", f"OTHER-{k}", ListingStatus.LIVE, "NORMAL", title=f"Hàng khác OCOP 4 sao {k}",
                            price_vnd=10_000) for k in range(100)]
    return items, bindings


def timed(label: str, results: dict, function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    results[label] = time.perf_counter() - start
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--shops", type=int, default=3)
    parser.add_argument("--reports", action="store_true", help="also write the province and producer reports")
    args = parser.parse_args()
    rng = random.Random(7)
    products = catalogue(args.products, rng)
    channels = list(Channel)
    connectors, bindings = [], []
    for shop in range(args.shops):
        items, entries = shop_items(products, shop, rng)
        connectors.append(MemoryConnector(f"shop-{shop}", channels[shop % len(channels)], items))
        bindings += entries
    listings = sum(len(c.items) for c in connectors)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    seconds: dict[str, float] = {}
    snapshot = timed("read shops (claims parsed)", seconds, pull_snapshot, connectors)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate(url)
        engine = make_engine(url)
        with transaction(engine) as session:
            run_id = timed("store snapshot (SQLite)", seconds, save_snapshot, session, snapshot, province="Đồng Tháp",
                           as_of=TODAY)
        with transaction(engine) as session:
            info, stored = timed("load snapshot (SQLite)", seconds, load_snapshot, session, run_id)
        rec = timed("classify", seconds, classify, products, stored, bindings, as_of=TODAY)
        coverage = timed("coverage", seconds, compute_coverage, rec, target_pct=100)
        if args.reports:
            from reports.build import write_reports

            result = ReconcileResult(info, rec, coverage)
            timed("write reports (province + producers)", seconds, write_reports, result, [], Path(folder) / "reports")
        engine.dispose()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts: dict[str, int] = {}
    for finding in rec.findings:
        counts[finding.state.value] = counts.get(finding.state.value, 0) + 1
    print(f"products {args.products:,} x shops {args.shops} = {args.products * args.shops:,} product-shop pairs; "
          f"{listings:,} remote items")
    for label, value in seconds.items():
        print(f"  {label:<40} {value:7.2f} s")
    print(f"  {'total':<40} {sum(seconds.values()):7.2f} s")
    print(f"peak RSS {peak_mib:,.0f} MiB (after building the inputs: {rss_before / 1024:,.0f} MiB)")
    print("findings: " + ", ".join(f"{state} {counts.get(state.value, 0):,}" for state in State if counts.get(state.value)))
    print(f"coverage: all channels {coverage.all_channels.live:,}/{coverage.all_channels.listable:,}")


if __name__ == "__main__":
    main()
