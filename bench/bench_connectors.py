"""Listings created per second through each connector against its sandbox, next to the sandbox's raw
ceiling measured in the same run.

The ceiling is a bare signed requests loop: the same create request (the connector's own payload and
signature, built before the clock starts), sent from one keep-alive `requests.Session` and checked
for the platform's success code, with no rate limiter, no retry loop, no envelope classification and
no logging. The connector run is `connector.create(content)`, everything included, with the client
rate limit lifted so the figure is the connector's cost and not the configured requests per second.
Sandboxes run in-process (uvicorn threads), faults off; each run creates fresh seller SKUs.

    .venv/bin/python bench/bench_connectors.py [--listings 300] [--threads 1] [--channels sendo tiki]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Callable

import requests
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.base import HttpConnector, PreparedCall, TokenBucket  # noqa: E402
from connectors.by_channel import connector_for  # noqa: E402
from connectors.types import ListingContent  # noqa: E402
from ocop.channels import Channel
from sandboxes.fleet import running_sandboxes  # noqa: E402

SUCCESS = {Channel.SHOPEE: ("error", ""), Channel.LAZADA: ("code", "0"), Channel.TIKTOK: ("code", 0),
           Channel.TIKI: ("state", "queuing"), Channel.SENDO: ("success", True)}


def listing(seller_sku: str, image_refs: tuple[str, ...]) -> ListingContent:
    return ListingContent(
        seller_sku=seller_sku, title="Mật ong hoa nhãn Đồng Tháp 500 g - OCOP 4 sao",
        description="<p>Mật ong nguyên chất thu hoạch từ vườn nhãn Châu Thành, Đồng Tháp; sản phẩm OCOP 4 sao, "
                    "đóng chai thủy tinh 500 g, bảo quản nơi khô ráo.</p>",
        category_id="100629", price_vnd=185000, stock=40, weight_kg=0.65, package_cm=(12, 8, 8),
        image_refs=image_refs, brand="HTX Ong mật Châu Thành", gtin="8938505974194", gtin_type="EAN",
    )


def timed(numbers: range, threads: int, create_one: Callable[[int], None]) -> tuple[float, float]:
    """Wall seconds taken by the creates `numbers` spread over `threads` threads, and the CPU seconds
    the client thread itself spent (one thread only: it is what the client costs, whatever the load)."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    if threads == 1:
        for number in numbers:
            create_one(number)
    else:
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            list(pool.map(create_one, numbers))
    return time.perf_counter() - started, time.thread_time() - cpu_started


def raw_sender(connector: HttpConnector, image_refs: tuple[str, ...], count: int, threads: int,
               run: str) -> Callable[[int], None]:
    """The bare loop's body. Requests are signed up front (well inside every timestamp window)."""
    prepared = [connector.prepare(connector.create_call(listing(f"RAW-{run}-{n}", image_refs)), time.time())
                for n in range(count)]
    field, success = SUCCESS[connector.channel]
    sessions = [requests.Session() for _ in range(threads)]

    def send(number: int) -> None:
        call: PreparedCall = prepared[number]
        response = sessions[number % threads].request(call.method, call.url, params=call.params, data=call.data,
                                                      headers=call.headers, timeout=(3.05, 30))
        if response.json().get(field) != success:
            raise RuntimeError(f"raw create {number} refused: {response.text[:200]}")

    return send


def compare(connector: HttpConnector, image_refs: tuple[str, ...], count: int, threads: int, rounds: int,
            run: str) -> dict[str, tuple[float, float]]:
    """For raw and connector: listings per second, and client CPU microseconds per listing. The two
    alternate in rounds, so both see the same machine (other processes on the two cores move
    single figures by tens of percent)."""
    raw = raw_sender(connector, image_refs, count, threads, run)
    ours = lambda n: connector.create(listing(f"CON-{run}-{n}", image_refs))  # noqa: E731
    wall = {"raw": 0.0, "ours": 0.0}
    cpu = {"raw": 0.0, "ours": 0.0}
    step = count // rounds
    for number, start in enumerate(range(0, step * rounds, step)):
        order = [("raw", raw), ("ours", ours)] if number % 2 == 0 else [("ours", ours), ("raw", raw)]
        for name, create_one in order:
            seconds, cpu_seconds = timed(range(start, start + step), threads, create_one)
            wall[name] += seconds
            cpu[name] += cpu_seconds
    done = step * rounds
    return {name: (done / wall[name], cpu[name] / done * 1e6) for name in wall}


def upload_cover(connector: HttpConnector) -> tuple[str, ...]:
    picture = io.BytesIO()
    Image.new("RGB", (800, 800), (200, 160, 40)).save(picture, "JPEG", quality=85)
    return (connector.upload_image(picture.getvalue(), "cover.jpg"),)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=300, help="creates per channel and mode")
    parser.add_argument("--threads", type=int, default=1, help="client threads")
    parser.add_argument("--rounds", type=int, default=10, help="alternations of raw and connector")
    parser.add_argument("--channels", nargs="+", type=Channel, help="only these channels (default: every sandbox's)")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:6].upper()
    rows = []
    with tempfile.TemporaryDirectory() as state_dir, running_sandboxes(Path(state_dir)) as fleet:
        for channel in args.channels or list(fleet.sandboxes):
            shop = replace(fleet.shop(f"{channel.value}-dong-thap"), requests_per_second=1e6)
            connector = connector_for(shop, rate_limiter=TokenBucket(1e6, burst=1e6))
            image_refs = upload_cover(connector)
            connector.create(listing(f"WARM-{run}", image_refs))     # connection up, lazy lookups done
            rows.append((channel.value, compare(connector, image_refs, args.listings, args.threads, args.rounds, run)))
            connector.close()
    print(f"{args.listings} creates per channel and mode in {args.rounds} alternating rounds, "
          f"{args.threads} client thread(s)")
    print(f"{'channel':<8} {'raw ceiling/s':>14} {'connector/s':>12} {'connector/raw':>14}"
          + ("" if args.threads > 1 else f" {'raw client CPU µs':>18} {'connector CPU µs':>17}"))
    for channel, figures in rows:
        (raw, raw_cpu), (ours, ours_cpu) = figures["raw"], figures["ours"]
        line = f"{channel:<8} {raw:>14.0f} {ours:>12.0f} {ours / raw:>13.0%}"
        print(line + ("" if args.threads > 1 else f" {raw_cpu:>18.0f} {ours_cpu:>17.0f}"))


if __name__ == "__main__":
    main()
