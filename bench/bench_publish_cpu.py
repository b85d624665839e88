"""Client CPU per listing of a publish without Prefect: for comparing two versions of the code.

`bench_publish.py` measures the whole flow against a ceiling, which takes 12 minutes at full size
and moves with the machine. To see what one change does to the client's CPU, this script runs only
`publishing.publisher.publish_batch`: every shop's batches, interleaved as the flow submits them, on the
flow's 12 threads, with the render process the flow starts, against the sandboxes in a child
process. It prints the listings created, the wall time, and the CPU per listing of the publishing
process and of its render process (and the sandboxes'). Run it from two checkouts, alternately:

    cd /tmp/a && /path/to/.venv/bin/python bench/bench_publish_cpu.py --products 1000
    cd /tmp/b && /path/to/.venv/bin/python bench/bench_publish_cpu.py --products 1000

The code measured is the checkout the script is run from (its folder goes first on `sys.path`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_publish import (  # noqa: E402
    PROVINCE,
    PUBLISH_THREADS,
    VIETNAM,
    SandboxProcess,
    free_port,
    official_shops,
    point_pipeline_at,
    prepare_catalogue,
)

from connectors.by_channel import connector_for  # noqa: E402
from ocop.store import make_engine  # noqa: E402
from publishing import candidates  # noqa: E402
from publishing.publisher import ImageCache, publish_batch  # noqa: E402
from publishing.run import Batch, interleaved_batches  # noqa: E402
from rendering.pool import RenderPool  # noqa: E402
from rendering.profiles import load_profile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=300)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="ocop-bench-cpu-"))
    ports = {channel: free_port() for channel in ("shopee", "lazada", "tiktok")}
    shops = official_shops(ports)
    database_url = f"sqlite:///{home / 'ocop.db'}"
    point_pipeline_at(home, database_url, shops)
    prepare_catalogue(database_url, args.products, seed=1)
    sandboxes = SandboxProcess(multiprocessing.get_context("spawn"), home / "sandboxes", ports)
    engine = make_engine(database_url)
    today = dt.datetime.now(VIETNAM).date()
    try:
        products = candidates.load_products(engine, province=PROVINCE)
        fingerprints = {shop.channel: candidates.fingerprints(products, load_profile(shop.channel), today=today) for shop in shops}
        plans = [candidates.plan_for_shop(engine, shop, products, fingerprints[shop.channel], today=today) for shop in shops]
        clients = {shop.key: (connector_for(shop), ImageCache()) for shop in shops}
        batches = interleaved_batches(plans, args.batch_size)
        run_id = str(uuid.uuid4())
        _, sandbox_cpu = sandboxes.count()
        cpu, started = time.process_time(), time.perf_counter()
        renders = RenderPool(1, channels={shop.channel for shop in shops})

        def publish(batch: Batch):
            connector, images = clients[batch.shop_key]
            return publish_batch(engine, connector, batch.items, run_id=run_id, today=today, images=images,
                                      renders=renders)

        with ThreadPoolExecutor(PUBLISH_THREADS) as pool:
            results = list(pool.map(publish, batches))
        renders.close()       # reaps the render process, so that its CPU time is counted below
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        render_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, sandbox_cpu_after = sandboxes.count()
    finally:
        sandboxes.stop()
        engine.dispose()
    created = sum(result.calls["create"] for result in results)

    def per_listing(seconds: float) -> str:
        return f"{1000 * seconds / created:.2f} ms"

    print(f"{created:,} listings created in {seconds:.1f} s ({created / seconds:.1f}/s); CPU per listing: "
          f"publishing process {per_listing(cpu)}, render process "
          f"{per_listing(render_usage.ru_utime + render_usage.ru_stime)} (its start included), "
          f"sandboxes {per_listing(sandbox_cpu_after - sandbox_cpu)}")


if __name__ == "__main__":
    main()
