"""How many requests per second each marketplace sandbox sustains on this machine, faults off.

The sandboxes are the ceiling the publishing pipeline is measured against. For each sandbox: a
signed read of one item, a signed page of the shop's items, and a signed price update (a write),
first from one keep-alive client, then from several client threads at once. The sandboxes run in
a child process (as `ocop sandbox serve` does), so the clients do not share their interpreter
lock. The same server harness serving a bare "ok" (no signing, no SQLite), also in a child
process, is the HTTP stack's own ceiling, measured in the same run. Everything stays on
127.0.0.1, in a bounded loop.

    .venv/bin/python bench/bench_sandboxes.py [--requests 600] [--threads 4] [--items 200]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.types import Channel  # noqa: E402
from sandboxes.fleet import ServerThread, start_sandboxes  # noqa: E402
from tests.sandboxes.clients import LazadaClient, ShopeeClient, TikTokClient  # noqa: E402

Operation = Callable[[requests.Session], requests.Response]


def operations(fleet, channel: Channel, item_id: int, sku_id: int) -> dict[str, Callable[[requests.Session], Operation]]:
    """For each operation, a factory that binds a fresh client to a session."""
    shop = fleet.shop(f"{channel.value}-dong-thap")
    if channel == Channel.SHOPEE:
        def shopee(kind):
            def bind(session):
                c = ShopeeClient(shop, session)
                return {
                    "read one": lambda: c.get("/api/v2/product/get_item_base_info", item_id_list=str(item_id)),
                    "list page": lambda: c.get("/api/v2/product/get_item_list", offset=0, page_size=50),
                    "price update": lambda: c.post("/api/v2/product/update_price", {
                        "item_id": item_id, "price_list": [{"model_id": 0, "original_price": 86000}]}),
                }[kind]
            return bind
        return {kind: shopee(kind) for kind in ("read one", "list page", "price update")}
    if channel == Channel.LAZADA:
        def lazada(kind):
            def bind(session):
                c = LazadaClient(shop, session)
                change = {"Skus": {"Sku": [{"SkuId": sku_id, "Price": "86000"}]}}
                return {
                    "read one": lambda: c.get("/product/item/get", item_id=item_id),
                    "list page": lambda: c.get("/products/get", filter="all", offset=0, limit=50),
                    "price update": lambda: c.post_payload("/product/price_quantity/update", change),
                }[kind]
            return bind
        return {kind: lazada(kind) for kind in ("read one", "list page", "price update")}

    def tiktok(kind):
        def bind(session):
            c = TikTokClient(shop, session)
            path = f"/product/202309/products/{item_id}"
            return {
                "read one": lambda: c.call("GET", path),
                "list page": lambda: c.call("POST", "/product/202309/products/search", {}, page_size=50),
                "price update": lambda: c.call("POST", f"{path}/prices/update", {
                    "skus": [{"id": str(sku_id), "price": {"amount": "86000", "currency": "VND"}}]}),
            }[kind]
        return bind
    return {kind: tiktok(kind) for kind in ("read one", "list page", "price update")}


def measure(bind: Callable[[requests.Session], Callable[[], requests.Response]], count: int, threads: int) -> float:
    """Requests per second for `count` requests spread over `threads` keep-alive clients."""
    def worker(share: int) -> None:
        with requests.Session() as session:
            call = bind(session)
            for _ in range(share):
                answer = call()
                if answer.status_code != 200:
                    raise RuntimeError(f"unexpected answer {answer.status_code}: {answer.text[:200]}")

    shares = [count // threads + (1 if n < count % threads else 0) for n in range(threads)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker, share) for share in shares]:
            future.result()
    return count / (time.perf_counter() - started)


async def bare_ok(scope, receive, send):
    if scope["type"] == "http":
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})


def serve_bare_ok(port: int, ready, stop) -> None:
    server = ServerThread(bare_ok, port).start()
    ready.set()
    stop.wait()
    server.stop()


def serve_sandboxes(directory: str, ports: dict[str, int], items: int, ready, stop, targets) -> None:
    """Child process: the sandboxes with `items` items per official shop; reports one item per channel."""
    fleet = start_sandboxes(Path(directory), registry_rows=[], ports=ports)
    for channel in fleet.sandboxes:
        admin = fleet.admin(channel)
        made = [admin.insert(f"{channel.value}-dong-thap", seller_sku=f"BENCH-{n}",
                             title=f"Sản phẩm OCOP số {n} của hợp tác xã Đồng Tháp") for n in range(items)]
        targets[channel.value] = (made[len(made) // 2].item_id, made[len(made) // 2].sku_id)
    ready.set()
    stop.wait()
    fleet.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ViewOfFleet:
    """What the parent needs from the child's fleet: shops and base URLs (same config, known ports)."""

    def __init__(self, ports: dict[str, int]) -> None:
        from sandboxes.config import default_config
        self.config, self.ports = default_config(), ports

    def shop(self, key: str):
        shop = self.config.shop(key)
        url = f"http://127.0.0.1:{self.ports[shop.channel.value]}"
        return shop.to_shop_config(f"{url}/rest" if shop.channel == Channel.LAZADA else url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="requests per measurement")
    parser.add_argument("--threads", type=int, default=4, help="client threads in the concurrent measurement")
    parser.add_argument("--items", type=int, default=200, help="items each shop holds during the run")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")

    print(f"{args.requests} requests per measurement; concurrent = {args.threads} client threads; "
          f"{args.items} items per shop; faults off; servers in a child process")
    print(f"{'sandbox':<8} {'operation':<13} {'1 client req/s':>15} {f'{args.threads} clients req/s':>17}")
    port, ready, stop = free_port(), context.Event(), context.Event()
    child = context.Process(target=serve_bare_ok, args=(port, ready, stop))
    child.start()
    ready.wait(30)

    def bare(session):
        return lambda: session.get(f"http://127.0.0.1:{port}/")
    print(f"{'(floor)':<8} {'bare ok':<13} {measure(bare, args.requests, 1):>15,.0f} "
          f"{measure(bare, args.requests, args.threads):>17,.0f}")
    stop.set()
    child.join()

    ports = {name: free_port() for name in ("shopee", "lazada", "tiktok", "registry")}
    with tempfile.TemporaryDirectory() as directory, context.Manager() as manager:
        ready, stop, targets = context.Event(), context.Event(), manager.dict()
        child = context.Process(target=serve_sandboxes, args=(directory, ports, args.items, ready, stop, targets))
        child.start()
        try:
            if not ready.wait(60):
                raise RuntimeError("the sandboxes did not start")
            view = ViewOfFleet(ports)
            for channel in map(Channel, targets):
                item_id, sku_id = targets[channel.value]
                for kind, bind in operations(view, channel, item_id, sku_id).items():
                    single = measure(bind, args.requests, 1)
                    concurrent_rate = measure(bind, args.requests, args.threads)
                    print(f"{channel.value:<8} {kind:<13} {single:>15,.0f} {concurrent_rate:>17,.0f}")
        finally:
            stop.set()
            child.join()


if __name__ == "__main__":
    main()
