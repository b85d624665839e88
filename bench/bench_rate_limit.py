"""Two publishers, each a process of its own with its own connector, calling one sandbox shop whose
platform limit is L requests per second while the shop's `requests_per_second` is L too: what the
shop receives in all and how often it answers 429, with each limiter in the same run.

- *per process*: each publisher's own `TokenBucket` (`connectors.base.limiter_for`, what a connector
  uses when nothing is handed in): the baseline;
- *shared, SQLite* and *shared, PostgreSQL*: `ledger.shop_rate_limit.shared_rate_limiter`;
- *Prefect global concurrency limit* (`--prefect`): `prefect.concurrency.sync.rate_limit` before each
  call, against a real `prefect server` (limit L, slot decay L per second), the alternative.

Then the baseline and the shared limiter once more with the sandbox's limit off, to show what each
limiter lets through by itself, with no 429 to slow it down.

Each publisher runs `--threads` threads calling `find_by_seller_sku` for a seller SKU the shop does
not hold (one `search_item` call on Shopee), with one attempt per call, so every 429 is counted
(the connector still applies the platform's wait through the limiter's `hold`). Only the calls
answered within the measured window count. The sandboxes run in this process, faults off apart from
the rate limit (a token bucket per shop: L per second, bursts of one second's worth).

It also measures what one limiter call costs by itself, in a process of its own: wall and CPU time
per `acquire` when no call waits and each takes its own slot from the database (as at the 10 to 50
requests per second platforms grant), and CPU time per call when paced at 1,000 per second, where a
statement takes a block of slots; with `--prefect`, the cost of Prefect's `rate_limit`.

    .venv/bin/python bench/bench_rate_limit.py [--rate 20] [--seconds 15] [--threads 4]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--prefect]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from connectors.base import RetryPolicy, TokenBucket  # noqa: E402
from connectors.by_channel import connector_for  # noqa: E402
from connectors.errors import RateLimited  # noqa: E402
from connectors.types import Channel  # noqa: E402
from ledger.shop_rate_limit import BLOCK_SECONDS, MAX_BLOCK, SharedRateLimiter, shared_rate_limiter  # noqa: E402
from ocop.store import make_engine, migrate  # noqa: E402
from sandboxes.config import FaultConfig, default_config  # noqa: E402
from sandboxes.fleet import running_sandboxes  # noqa: E402

SHOP = "shopee-dong-thap"
PUBLISHERS = 2
COST_CALLS = {"sqlite": 3000, "postgresql": 3000, "prefect": 300}
BLOCK_PROBE_RATE = 1000.0       # as bench_publish.py sets every shop, to lift the limit
BLOCK_PROBE_BLOCK = max(1, min(MAX_BLOCK, int(BLOCK_PROBE_RATE * BLOCK_SECONDS)))


@dataclass(frozen=True)
class Limiter:
    """Which limiter a publisher uses: "per-process", "database" (target: its URL) or "prefect"
    (target: the limit's name; environment: the Prefect server's client settings)."""

    kind: str
    target: str = ""
    environment: dict[str, str] = field(default_factory=dict)


class PrefectRateLimit:
    """A Prefect global concurrency limit with a slot decay, used as a shop's rate limiter."""

    def __init__(self, name: str) -> None:
        from prefect.concurrency.sync import rate_limit

        self._rate_limit = rate_limit
        self.name = name

    def acquire(self) -> float:
        started = time.monotonic()
        self._rate_limit(self.name, strict=True)
        return time.monotonic() - started

    def hold(self, seconds: float) -> None:
        """A global concurrency limit cannot be paused for a while: only the caller that was refused waits."""


def make_limiter(limiter: Limiter, rate: float, shop):
    if limiter.kind == "per-process":
        return TokenBucket(rate)
    if limiter.kind == "prefect":
        os.environ.update(limiter.environment)
        return PrefectRateLimit(limiter.target)
    return shared_rate_limiter(make_engine(limiter.target), shop)


# ---- a publisher, in a process of its own ----------------------------------------------------------

def publisher(base_url: str, rate: float, limiter: Limiter, threads: int, seconds: float, ready, go, results) -> None:
    shop = replace(default_config().shop(SHOP).to_shop_config(base_url), requests_per_second=rate)
    connector = connector_for(shop, rate_limiter=make_limiter(limiter, rate, shop), retry=RetryPolicy(attempts=1))
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    ready.put("ready")
    start_at = go.get(timeout=120)

    def call_until_the_end() -> None:
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < start_at + seconds:
            try:
                connector.find_by_seller_sku("NO-SUCH-SKU")
                outcome = "answered"
            except RateLimited:
                outcome = "refused"
            except Exception as error:  # noqa: BLE001 (counted and shown, the run goes on)
                outcome = f"failed: {type(error).__name__}"
            if start_at <= time.time() < start_at + seconds:
                with lock:
                    counts[outcome] += 1

    workers = [threading.Thread(target=call_until_the_end) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    connector.close()
    results.put(dict(counts))


@dataclass
class Pacing:
    name: str
    per_publisher: list[Counter]
    seconds: float
    platform_limit: bool

    def total(self, outcome: str | None = None) -> int:
        return sum(sum(c.values()) if outcome is None else c[outcome] for c in self.per_publisher)

    def line(self, rate: float) -> str:
        sent, answered, refused = self.total() / self.seconds, self.total("answered") / self.seconds, self.total("refused")
        share = refused / self.total() if self.total() else 0.0
        split = " + ".join(f"{sum(c.values()) / self.seconds:.1f}" for c in self.per_publisher)
        others = {k: v for c in self.per_publisher for k, v in c.items() if k not in ("answered", "refused")}
        if not self.platform_limit:
            verdict = f"(no limit to meet: sends {sent / rate:.2f} L)"
        else:
            verdict = "meets" if answered >= 0.9 * rate and share < 0.01 else "misses"
        return (f"| {self.name} | {sent:.1f} ({split}) | {answered:.1f} ({answered / rate:.2f} L) | "
                f"{refused} ({share:.1%}) | {verdict}{f' {others}' if others else ''} |")


def run_pacing(context, name: str, base_url: str, rate: float, limiter: Limiter, args, fleet, *,
               platform_limit: bool = True) -> Pacing:
    # a fresh, full bucket; or none, to see what the limiter alone lets through
    fleet.set_faults(Channel.SHOPEE, FaultConfig(rate_limit_per_second=rate if platform_limit else None))
    ready, go, results = context.Queue(), context.Queue(), context.Queue()
    children = [context.Process(target=publisher, args=(base_url, rate, limiter, args.threads, args.seconds,
                                                        ready, go, results)) for _ in range(PUBLISHERS)]
    for child in children:
        child.start()
    try:
        for _ in children:
            ready.get(timeout=120)
        start_at = time.time() + 1.0
        for _ in children:
            go.put(start_at)
        counts = [Counter(results.get(timeout=args.seconds + 120)) for _ in children]
    finally:
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
    pacing = Pacing(name, counts, args.seconds, platform_limit)
    print(pacing.line(rate), flush=True)
    return pacing


# ---- what one limiter call costs ---------------------------------------------------------------------

def limiter_cost(limiter: Limiter, calls: int, rate: float | None, results) -> None:
    """Child process: wall and CPU seconds per `acquire`. Without `rate`, no call waits and each
    takes its own slot from the database (as at the rates platforms grant); with it, calls are paced
    at `rate` and share the statements of blocks of slots."""
    if limiter.kind == "prefect":
        bucket = make_limiter(limiter, 0, None)
    else:
        engine = make_engine(limiter.target)
        probe = f"cost-probe-{uuid.uuid4().hex[:8]}"
        bucket = (SharedRateLimiter(engine, probe, 1e9, block_seconds=0) if rate is None
                  else SharedRateLimiter(engine, probe, rate))
    bucket.acquire()       # the connection, the statement
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        bucket.acquire()
    results.put(((time.perf_counter() - wall) / calls, (time.process_time() - cpu) / calls))


def measure_cost(context, name: str, limiter: Limiter, calls: int, rate: float | None = None) -> None:
    results = context.Queue()
    child = context.Process(target=limiter_cost, args=(limiter, calls, rate, results))
    child.start()
    wall, cpu = results.get(timeout=600)
    child.join()
    print(f"| {name} | {calls} | {wall * 1000:.2f} | {cpu * 1000:.2f} |", flush=True)


# ---- the databases and the Prefect server ------------------------------------------------------------

@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    schema = f"bench_rate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{base_url}?options=-csearch_path%3D{schema}"
        migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def prefect_limits(home: Path, rate: float) -> Iterator[tuple[dict[str, str], str, str]]:
    """A real Prefect server with two global concurrency limits: one at the shop's rate, one that
    never makes anybody wait (for the cost per call)."""
    from tests.flows.prefect_server import running_prefect_server

    with running_prefect_server(home) as server:
        paced, unbounded = "bench-shop-rate", "bench-cost-probe"
        server.cli("gcl", "create", paced, "--limit", str(max(1, round(rate))), "--slot-decay-per-second", str(rate))
        server.cli("gcl", "create", unbounded, "--limit", "1000000", "--slot-decay-per-second", "1000000")
        yield server.environment(), paced, unbounded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=20.0, help="L: the sandbox's limit and the shop's requests_per_second")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured window per limiter")
    parser.add_argument("--threads", type=int, default=4, help="threads per publisher")
    parser.add_argument("--postgres", help="a PostgreSQL URL; a schema is made in it for the run, then dropped")
    parser.add_argument("--prefect", action="store_true", help="also measure a Prefect global concurrency limit")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="bench-rate-limit-") as directory, ExitStack() as stack:
        sqlite_url = f"sqlite:///{directory}/ocop.db"
        migrate(sqlite_url)
        limiters = {"per process (TokenBucket, the baseline)": Limiter("per-process"),
                    "shared, SQLite": Limiter("database", sqlite_url)}
        costs = {"shared, SQLite": Limiter("database", sqlite_url)}
        if args.postgres:
            postgres_url = stack.enter_context(postgres_schema(args.postgres))
            limiters["shared, PostgreSQL"] = costs["shared, PostgreSQL"] = Limiter("database", postgres_url)
        if args.prefect:
            environment, paced, unbounded = stack.enter_context(prefect_limits(Path(directory) / "prefect", args.rate))
            limiters["Prefect global concurrency limit"] = Limiter("prefect", paced, environment)
            costs["Prefect global concurrency limit"] = Limiter("prefect", unbounded, environment)

        print(f"\nCost of one limiter call, in a process of its own ({os.cpu_count()} cores):\n")
        print("| limiter | calls | wall ms per call | CPU ms per call |\n|---|---|---|---|")
        for name, limiter in costs.items():
            kind = "prefect" if limiter.kind == "prefect" else ("sqlite" if "sqlite" in limiter.target else "postgresql")
            each = "one API call per acquire" if limiter.kind == "prefect" else "one statement per call"
            measure_cost(context, f"{name}: no wait, {each}", limiter, COST_CALLS[kind])
            if limiter.kind == "database":
                measure_cost(context, f"{name}: paced at {BLOCK_PROBE_RATE:g}/s, {BLOCK_PROBE_BLOCK} slots per statement",
                             limiter, COST_CALLS[kind], BLOCK_PROBE_RATE)

        fleet = stack.enter_context(running_sandboxes(Path(directory) / "sandboxes"))
        base_url = fleet.base_url(Channel.SHOPEE)
        print(f"\n{PUBLISHERS} publishers x {args.threads} threads, {args.seconds:g} s each, against {SHOP} "
              f"limited to L = {args.rate:g} requests/s, requests_per_second = {args.rate:g}:\n")
        print("| limiter | sent/s (per publisher) | answered/s | 429 answers (share) | ≥ 0.9 L and < 1% 429 |")
        print("|---|---|---|---|---|")
        for name, limiter in limiters.items():
            run_pacing(context, name, base_url, args.rate, limiter, args, fleet)
        for name in ("per process (TokenBucket, the baseline)", "shared, SQLite"):
            run_pacing(context, f"{name}, sandbox not limiting", base_url, args.rate, limiters[name], args, fleet,
                       platform_limit=False)


if __name__ == "__main__":
    main()
