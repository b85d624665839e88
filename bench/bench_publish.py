"""A full publish of a sample catalogue to the three official shops, next to a bare signed requests loop
making the same HTTP calls with the same concurrency, against the same sandboxes in the same run.

The publish is the real flow, `flows.publish.publish_listings`, in Prefect's ephemeral mode, in a fresh
interpreter of its own (as a scheduled run would be), so its peak RSS is its own. It is run twice: the
full publish of an empty ledger, then a no-op re-run with nothing changed, which must make zero write
calls (checked against the sandboxes' own counters).

The ceiling is what the publish's HTTP traffic costs by itself: per listing one image upload (the
cover) and one create, plus the shared badge cards uploaded once per shop (Lazada, TikTok), each call
signed (the connectors' own `prepare` and `create_call` build and sign it), sent from keep-alive
`requests` sessions by the same number of threads, in batches of the same size, shop after shop as
the flow submits them; the answer is checked for the platform's success code. No ledger, no rendering
(covers and texts are rendered before the clock from a small pool of the catalogue's products), no
Prefect. Half of it runs before the publish and half after, so both see the same machine.

The sandboxes run in one child process (as `ocop sandbox serve` does), faults off, on 127.0.0.1.
Every shop's client-side rate limit is set to 1,000 requests per second, for the publish and the
ceiling alike, so the figure is the pipeline's cost and not the configured limit (10/s by default).
Peak memory is the publish process's maximum resident set size (`getrusage` `ru_maxrss`); its render
process and Prefect's ephemeral API server, children of it, are reported apart (`RUSAGE_CHILDREN`,
`VmHWM`). The client CPU of the publish counts the publish process and its render process. Prefect's
database is created once before anything is measured (a machine that has run Prefect has it). The
exit status is 1 when the no-op re-run wrote anything.

    .venv/bin/python bench/bench_publish.py [--products 20000] [--threads 12] [--batch-size 300]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import multiprocessing
import os
import resource
import socket
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogue.ingest import ingest_rows  # noqa: E402
from catalogue.sample import sample_rows  # noqa: E402
from connectors.base import ApiCall, HttpConnector, TokenBucket  # noqa: E402
from connectors.by_channel import connector_for  # noqa: E402
from connectors.types import ShopConfig  # noqa: E402
from ocop.channels import OFFICIAL_SHOPS, Channel  # noqa: E402
from ocop.store import make_engine, migrate  # noqa: E402
from publishing.candidates import load_products  # noqa: E402
from rendering.listing import RenderedListing, render_listing  # noqa: E402
from rendering.profiles import load_profile  # noqa: E402
from sandboxes.config import default_config  # noqa: E402
from shops.file import credentials_environment, write_shops_file  # noqa: E402

PROVINCE = "Đồng Tháp"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")   # the flows' "today"
CLIENT_REQUESTS_PER_SECOND = 1000.0
PUBLISH_THREADS = 12        # flows.publish: ThreadPoolTaskRunner(max_workers=12)
POOL_PER_CHANNEL = 60       # distinct rendered listings the ceiling cycles through
SUCCESS = {Channel.SHOPEE: ("error", ""), Channel.LAZADA: ("code", "0"), Channel.TIKTOK: ("code", 0)}


# ---- the sandboxes, in a child process ------------------------------------------------------------

def serve_sandboxes(directory: str, ports: dict[str, int], commands) -> None:
    """Child process: the sandboxes (default config: faults off); answers 'count' with the write
    calls received so far and the CPU seconds the process has used, until 'stop'."""
    from sandboxes.fleet import start_sandboxes

    fleet = start_sandboxes(Path(directory), registry_rows=[], ports=ports)
    commands.send("ready")
    while commands.recv() == "count":
        times = os.times()
        commands.send((fleet.write_calls(), times.user + times.system))
    fleet.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def official_shops(ports: dict[str, int]) -> list[ShopConfig]:
    config = default_config()
    shops = []
    for key in OFFICIAL_SHOPS:
        shop = config.shop(key)
        url = f"http://127.0.0.1:{ports[shop.channel.value]}"
        base_url = f"{url}/rest" if shop.channel == Channel.LAZADA else url
        shops.append(replace(shop.to_shop_config(base_url), requests_per_second=CLIENT_REQUESTS_PER_SECOND))
    return shops


# ---- the catalogue ----------------------------------------------------------------------------------

def prepare_catalogue(database_url: str, products: int, seed: int) -> tuple[int, float]:
    """Migrate and ingest the sample catalogue; returns the accepted products and the seconds taken."""
    started = time.perf_counter()
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        summary = ingest_rows(engine, sample_rows(PROVINCE, products=products, seed=seed), source="bench")
    finally:
        engine.dispose()
    return summary.accepted, time.perf_counter() - started


def rendered_pool(database_url: str, size: int) -> dict[Channel, list[RenderedListing]]:
    """A few fully rendered listings per channel (images included) for the ceiling to send."""
    engine = make_engine(database_url)
    try:
        products = load_products(engine, province=PROVINCE)
    finally:
        engine.dispose()
    today = dt.datetime.now(VIETNAM).date()
    pool: dict[Channel, list[RenderedListing]] = {}
    for channel in Channel:
        profile, chosen = load_profile(channel), []
        for product in products.values():
            if product.is_listable(today):
                rendering = render_listing(product, profile, today=today)
                if isinstance(rendering, RenderedListing):
                    chosen.append(rendering)
                    if len(chosen) == size:
                        break
        pool[channel] = chosen
    return pool


# ---- the ceiling: a bare signed requests loop ------------------------------------------------------

def upload_call(channel: Channel, filename: str, content: bytes) -> ApiCall:
    """The image upload each connector makes (see `upload_image` in connectors/<channel>.py)."""
    if channel == Channel.SHOPEE:
        return ApiCall("POST", "/api/v2/media_space/upload_image", files={"image": (filename, content)})
    if channel == Channel.LAZADA:
        return ApiCall("POST", "/image/upload", files={"image": (filename, content)})
    return ApiCall("POST", "/product/202309/images/upload", body={"use_case": "MAIN_IMAGE"},
                   files={"data": (filename, content)})


def image_ref(channel: Channel, data: dict) -> str:
    if channel == Channel.SHOPEE:
        return str((data.get("image_info") or data)["image_id"])
    if channel == Channel.LAZADA:
        return str((data.get("image") or data)["url"])
    return str(data["uri"])


class Ceiling:
    """The publish's HTTP calls with nothing else: sign, send on a keep-alive session, check success."""

    def __init__(self, shops: list[ShopConfig], pool: dict[Channel, list[RenderedListing]]) -> None:
        unlimited = TokenBucket(1e9, burst=1e9)
        self.connectors: dict[str, HttpConnector] = {shop.key: connector_for(shop, rate_limiter=unlimited) for shop in shops}
        self.pool = pool
        self.badges: dict[str, dict[str, str]] = {shop.key: {} for shop in shops}
        self._sessions = threading.local()
        self.calls = 0
        self._count_lock = threading.Lock()
        shopee = next(c for c in self.connectors.values() if c.channel == Channel.SHOPEE)
        shopee.logistic_ids()   # the publish reads these once per shop too; done here before the clock

    def send(self, connector: HttpConnector, call: ApiCall) -> dict:
        sessions = getattr(self._sessions, "by_shop", None)
        if sessions is None:
            sessions = self._sessions.by_shop = {}
        session = sessions.get(connector.shop.key)
        if session is None:
            session = sessions[connector.shop.key] = requests.Session()
        prepared = connector.prepare(call, time.time())
        response = session.request(prepared.method, prepared.url, params=prepared.params, data=prepared.data,
                                   files=prepared.files, headers=prepared.headers, timeout=(3.05, 30))
        body = response.json()
        field, success = SUCCESS[connector.channel]
        if response.status_code != 200 or body.get(field) != success:
            raise RuntimeError(f"ceiling {call.path} refused: {response.status_code} {response.text[:200]}")
        with self._count_lock:
            self.calls += 1
        return body.get("response") or body.get("data") or {}

    def upload_badges(self, shop_key: str) -> None:
        """Each distinct shared image (the badge cards) once per shop, as the publish does."""
        connector = self.connectors[shop_key]
        for rendering in self.pool[connector.channel]:
            for image in rendering.images[1:]:
                if image.sha256 not in self.badges[shop_key]:
                    data = self.send(connector, upload_call(connector.channel, image.filename, image.content))
                    self.badges[shop_key][image.sha256] = image_ref(connector.channel, data)

    def publish_batch(self, shop_key: str, numbers: range, tag: str) -> None:
        connector = self.connectors[shop_key]
        channel = connector.channel
        renderings = self.pool[channel]
        for number in numbers:
            rendering = renderings[number % len(renderings)]
            cover = rendering.images[0]
            refs = [image_ref(channel, self.send(connector, upload_call(channel, cover.filename, cover.content)))]
            refs += [self.badges[shop_key][image.sha256] for image in rendering.images[1:]]
            content = replace(rendering.to_content(refs), seller_sku=f"CEIL-{tag}-{number:06d}")
            self.send(connector, connector.create_call(content))

    def run(self, per_shop: int, threads: int, batch_size: int, tag: str) -> float:
        """Wall seconds for `per_shop` listings in every shop, batches shop after shop over `threads` threads."""
        jobs = [(key, range(start, min(start + batch_size, per_shop)))
                for key in self.connectors for start in range(0, per_shop, batch_size)]
        started = time.perf_counter()
        for key in self.connectors:
            self.upload_badges(key)
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            for future in [pool.submit(self.publish_batch, key, numbers, tag) for key, numbers in jobs]:
                future.result()
        return time.perf_counter() - started

    def close(self) -> None:
        for connector in self.connectors.values():
            connector.close()


# ---- the publish, in a fresh interpreter ------------------------------------------------------------

def run_publish(shop_keys: list[str], batch_size: int, answer) -> None:
    """Child process: one `publish_listings` call; sends back the result, timings and peak RSS."""
    started = time.perf_counter()
    from prefect import get_client

    from flows.publish import publish_listings

    imported = time.perf_counter()
    state = publish_listings(shops=shop_keys, batch_size=batch_size, return_state=True)
    called = time.perf_counter()
    result = state.result()
    renders = resource.getrusage(resource.RUSAGE_CHILDREN)   # reaped children: the render process
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    flow_seconds = (run.end_time - run.start_time).total_seconds() if run.start_time and run.end_time else None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    server_rss, server_cpu = children_usage()
    answer.send({
        "result": result,
        "import_seconds": imported - started,
        "call_seconds": called - imported,
        "flow_seconds": flow_seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime + renders.ru_utime + renders.ru_stime,
        "render_cpu_seconds": renders.ru_utime + renders.ru_stime,
        "render_peak_rss_mib": renders.ru_maxrss / 1024,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "server_peak_rss_mib": server_rss,
        "server_cpu_seconds": server_cpu,
    })


def children_usage() -> tuple[float, float]:
    """Peak RSS in MiB (VmHWM) and CPU seconds of this process's live children: Prefect's ephemeral
    API server, which still runs until the interpreter exits."""
    rss = cpu = 0.0
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            rss += sum(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:"))
    return rss, cpu


def warm_prefect() -> None:
    """Child process: start Prefect's ephemeral server once, so that its database exists (created and
    migrated) before anything is measured, as on any machine where Prefect has run before."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        client.hello()


def publish_in_child(context, shop_keys: list[str], batch_size: int) -> dict:
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=run_publish, args=(shop_keys, batch_size, send))
    started = time.perf_counter()
    child.start()
    answer = receive.recv()
    child.join()
    answer["process_seconds"] = time.perf_counter() - started
    if child.exitcode != 0:
        raise RuntimeError(f"the publish process exited with {child.exitcode}")
    return answer


def point_pipeline_at(home: Path, database_url: str, shops: list[ShopConfig]) -> None:
    """What `flows.demo._point_pipeline_at` sets, plus a quiet, private Prefect (inherited by children)."""
    os.environ.update({
        "OCOP_HOME": str(home),
        "OCOP_DATABASE_URL": database_url,
        "OCOP_SHOPS_FILE": str(write_shops_file(shops, home / "shops.toml")),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_LOGGING_LEVEL": "WARNING",
    })
    os.environ.update(credentials_environment(shops))


# ---- the run -----------------------------------------------------------------------------------------

@dataclass
class Phase:
    """One measured phase: listings created, wall seconds, and CPU seconds of the client and the sandboxes."""

    listings: int
    seconds: float
    client_cpu: float
    sandbox_cpu: float
    writes: int

    @property
    def rate(self) -> float:
        return self.listings / self.seconds if self.seconds else 0.0

    def per_listing_ms(self, cpu: float) -> str:
        return f"{1000 * cpu / self.listings:.1f}" if self.listings else "-"


class SandboxProcess:
    """The sandboxes' child process, asked for its write calls and CPU seconds between phases."""

    def __init__(self, context, directory: Path, ports: dict[str, int]) -> None:
        self._commands, child_end = context.Pipe()
        self._process = context.Process(target=serve_sandboxes, args=(str(directory), ports, child_end))
        self._process.start()
        if not self._commands.poll(60) or self._commands.recv() != "ready":
            raise RuntimeError("the sandboxes did not start")

    def count(self) -> tuple[int, float]:
        self._commands.send("count")
        return self._commands.recv()

    def stop(self) -> None:
        self._commands.send("stop")
        self._process.join()


def calls_of(result: dict, name: str) -> int:
    return sum(counts.get(name, 0) for counts in result.values())


def measure_ceiling(ceiling: Ceiling, sandboxes: SandboxProcess, per_shop: int, args, tag: str) -> Phase:
    writes, sandbox_cpu = sandboxes.count()
    cpu = time.process_time()
    seconds = ceiling.run(per_shop, args.threads, args.batch_size, tag)
    client_cpu = time.process_time() - cpu
    writes_after, sandbox_cpu_after = sandboxes.count()
    return Phase(per_shop * len(ceiling.connectors), seconds, client_cpu, sandbox_cpu_after - sandbox_cpu,
                 writes_after - writes)


def measure_publish(context, sandboxes: SandboxProcess, keys: list[str], batch_size: int) -> tuple[Phase, dict]:
    writes, sandbox_cpu = sandboxes.count()
    run = publish_in_child(context, keys, batch_size)
    writes_after, sandbox_cpu_after = sandboxes.count()
    phase = Phase(calls_of(run["result"], "create"), run["call_seconds"], run["cpu_seconds"],
                  sandbox_cpu_after - sandbox_cpu, writes_after - writes)
    return phase, run


def run_all(args, context, shops: list[ShopConfig], pool, sandboxes: SandboxProcess) -> dict:
    tag = uuid.uuid4().hex[:6].upper()
    started = time.perf_counter()
    warming = context.Process(target=warm_prefect)
    warming.start()
    warming.join()
    print(f"Prefect's database created (once, not measured): {time.perf_counter() - started:.1f} s", flush=True)
    ceiling = Ceiling(shops, pool)
    halves = (args.products // 2, args.products - args.products // 2)
    print(f"ceiling, first half: {halves[0]:,} listings per shop ...", flush=True)
    first = measure_ceiling(ceiling, sandboxes, halves[0], args, tag + "A")
    print("publish (full, empty ledger) ...", flush=True)
    full, full_run = measure_publish(context, sandboxes, [shop.key for shop in shops], args.batch_size)
    print("publish again (no-op: nothing changed) ...", flush=True)
    noop, noop_run = measure_publish(context, sandboxes, [shop.key for shop in shops], args.batch_size)
    print(f"ceiling, second half: {halves[1]:,} listings per shop ...", flush=True)
    second = measure_ceiling(ceiling, sandboxes, halves[1], args, tag + "B")
    ceiling.close()
    both = Phase(first.listings + second.listings, first.seconds + second.seconds,
                 first.client_cpu + second.client_cpu, first.sandbox_cpu + second.sandbox_cpu,
                 first.writes + second.writes)
    return {"ceiling": both, "halves": (first, second), "full": full, "noop": noop,
            "full_run": full_run, "noop_run": noop_run}


# The aim is a ratio of 0.8; a machine whose speed moves more than this during a run can move the ratio as much.
STEADY_WITHIN = 0.05


def steadiness(first: Phase, second: Phase) -> str:
    """Whether the machine kept its speed: the ceiling's two halves send the same calls, so their
    rates and the sandboxes' CPU per listing differ only if the machine (a shared VM) changed speed."""
    rates = sorted((first.rate, second.rate))
    costs = sorted((first.sandbox_cpu / first.listings, second.sandbox_cpu / second.listings))
    drift = max(rates[1] / rates[0], costs[1] / costs[0]) - 1
    if drift <= STEADY_WITHIN:
        return f"the machine held its speed: the ceiling's halves are within {100 * drift:.0f}% of each other"
    return (f"NOT STEADY: the ceiling's halves differ by {100 * drift:.0f}% (rate or sandbox CPU per listing), so the "
            f"machine changed speed during the run and the ratio above does not measure the pipeline; run it again")


def report(args, figures: dict) -> None:
    ceiling, full, noop = figures["ceiling"], figures["full"], figures["noop"]
    full_run, noop_run = figures["full_run"], figures["noop_run"]
    first, second = figures["halves"]
    print(f"\n{args.products:,} products x {len(OFFICIAL_SHOPS)} shops; {args.threads} ceiling threads (the flow: "
          f"{PUBLISH_THREADS}), batches of {args.batch_size}; client rate limit {CLIENT_REQUESTS_PER_SECOND:,.0f}/s "
          f"per shop; sandboxes in a child process, faults off")
    print(f"{'run':<34} {'listings':>9} {'writes':>8} {'seconds':>8} {'listings/s':>10} "
          f"{'client CPU ms/listing':>22} {'sandbox CPU ms/listing':>23}")
    rows = [("ceiling: bare signed requests", ceiling), ("  first half (before publish)", first),
            ("  second half (after publish)", second), ("publish_listings: full", full),
            ("publish_listings: no-op re-run", noop)]
    for name, phase in rows:
        print(f"{name:<34} {phase.listings:>9,} {phase.writes:>8,} {phase.seconds:>8.1f} {phase.rate:>10.1f} "
              f"{phase.per_listing_ms(phase.client_cpu):>22} {phase.per_listing_ms(phase.sandbox_cpu):>23}")
    print(f"\npublish / ceiling, listings per second: {full.rate / ceiling.rate:.2f}   (aim: at least 0.80)")
    print(f"  {steadiness(first, second)}")
    if full_run["flow_seconds"]:
        in_flow = full.listings / full_run["flow_seconds"]
        print(f"  the same, the flow run alone (without starting Prefect's ephemeral server): {in_flow / ceiling.rate:.2f}")
    print(f"no-op re-run / full run, wall seconds:  {noop.seconds / full.seconds:.3f}  (aim: under 0.050)")
    verdict = "OK" if noop.writes == 0 else "FAILED: a no-op re-run must write nothing"
    print(f"no-op re-run write calls:               {noop.writes}  ({verdict})")
    print(f"full publish calls per shop: {full_run['result']}")
    for name, run in (("full", full_run), ("no-op", noop_run)):
        flow = f"{run['flow_seconds']:.1f} s" if run["flow_seconds"] is not None else "n/a"
        print(f"{name:<5} publish process: {run['process_seconds']:.1f} s in all; imports {run['import_seconds']:.1f} s; "
              f"flow call {run['call_seconds']:.1f} s, of which the flow run itself {flow}; "
              f"CPU {run['cpu_seconds']:.1f} s (render process {run['render_cpu_seconds']:.1f} s); peak RSS {run['peak_rss_mib']:.0f} MiB "
              f"(render process {run['render_peak_rss_mib']:.0f} MiB); "
              f"Prefect ephemeral server: CPU {run['server_cpu_seconds']:.1f} s, peak RSS {run['server_peak_rss_mib']:.0f} MiB")
    print("peak RSS: getrusage(RUSAGE_SELF).ru_maxrss of the publish process; server: VmHWM from /proc. "
          "Client CPU of the publish: the whole publish process (imports and Prefect's client included) "
          "and its render process.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20000, help="sample products (2000 for a quick run)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=PUBLISH_THREADS, help="ceiling threads (the flow uses 12)")
    parser.add_argument("--batch-size", type=int, default=300)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ports = {name: free_port() for name in ("shopee", "lazada", "tiktok", "registry")}
    shops = official_shops(ports)
    with tempfile.TemporaryDirectory(prefix="ocop-bench-publish-") as directory:
        home = Path(directory) / "home"
        database_url = f"sqlite:///{home / 'ocop.db'}"
        accepted, ingest_seconds = prepare_catalogue(database_url, args.products, args.seed)
        print(f"catalogue: {accepted:,} of {args.products:,} sample products of {PROVINCE} accepted "
              f"(seed {args.seed}), ingested into SQLite in {ingest_seconds:.1f} s", flush=True)
        pool = rendered_pool(database_url, POOL_PER_CHANNEL)
        point_pipeline_at(home, database_url, shops)
        sandboxes = SandboxProcess(context, Path(directory) / "sandboxes", ports)
        try:
            figures = run_all(args, context, shops, pool, sandboxes)
        finally:
            sandboxes.stop()
    report(args, figures)
    if figures["noop"].writes:
        sys.exit(1)


if __name__ == "__main__":
    main()
