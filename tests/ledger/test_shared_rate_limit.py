"""A shop's requests_per_second is what the shop receives in all, however many publishers call it:
limiters over one database (threads with engines of their own, and real processes) share the
shop's slots, a platform's ban announced by one pauses the others, and two connectors sharing a
shop's limit against a sandbox limited to that rate are never refused. On SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import replace

import pytest

from connectors.base import RetryPolicy
from connectors.by_channel import connector_for
from connectors.errors import RateLimited
from ledger.shop_rate_limit import SharedRateLimiter, shared_rate_limiter
from ocop.channels import Channel
from ocop.store import make_engine
from sandboxes.config import FaultConfig
from sandboxes.fleet import running_sandboxes

SHOP = "shopee-dong-thap"
RATE = 20.0
SECONDS = 2.0


def take_slots(database_url: str, start_at: float, seconds: float, rate: float = RATE) -> list[float]:
    """Take the shop's slots as fast as they come from `start_at` for `seconds`; the wall-clock
    times at which each was granted. Runs in a thread or in a process of its own."""
    engine = make_engine(database_url)
    try:
        limiter = SharedRateLimiter(engine, SHOP, rate)
        time.sleep(max(0.0, start_at - time.time()))
        granted = []
        while time.time() < start_at + seconds:
            limiter.acquire()
            granted.append(time.time())
        return granted
    finally:
        engine.dispose()


def _take_slots_in_child(database_url: str, seconds: float, ready, go, results) -> None:
    ready.put("imported")
    results.put(take_slots(database_url, go.get(timeout=60), seconds))


def granted_in_window(grants: list[list[float]], start_at: float, seconds: float) -> int:
    return sum(start_at <= at < start_at + seconds for granted in grants for at in granted)


def test_two_limiters_over_one_database_share_the_shops_rate(database_url):
    start_at = time.time() + 0.5
    grants: list[list[float]] = []
    threads = [threading.Thread(target=lambda: grants.append(take_slots(database_url, start_at, SECONDS)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    total = granted_in_window(grants, start_at, SECONDS)
    assert len(grants) == 2 and all(grants)                # both publishers were served
    assert 0.8 * RATE * SECONDS <= total <= RATE * SECONDS + 2, total   # R per second in all, not 2R


def test_at_hundreds_per_second_slots_are_taken_in_blocks_and_the_total_still_holds(database_url):
    rate, seconds = 400.0, 1.5             # 8 slots per statement (BLOCK_SECONDS = 0.02)
    start_at = time.time() + 0.5
    grants: list[list[float]] = []
    threads = [threading.Thread(target=lambda: grants.append(take_slots(database_url, start_at, seconds, rate)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    total = granted_in_window(grants, start_at, seconds)
    assert 0.5 * rate * seconds <= total <= rate * seconds + 2, total


def test_two_processes_share_the_shops_rate(database_url):
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Queue(), context.Queue(), context.Queue()
    children = [context.Process(target=_take_slots_in_child, args=(database_url, SECONDS, ready, go, results))
                for _ in range(2)]
    for child in children:
        child.start()
    try:
        for _ in children:
            ready.get(timeout=60)
        start_at = time.time() + 0.5
        for _ in children:
            go.put(start_at)
        grants = [results.get(timeout=60) for _ in children]
    finally:
        for child in children:
            child.join(timeout=10)
            if child.is_alive():
                child.kill()

    total = granted_in_window(grants, start_at, SECONDS)
    assert all(grants)
    assert 0.8 * RATE * SECONDS <= total <= RATE * SECONDS + 2, total


def test_a_ban_announced_by_one_publisher_pauses_the_other(engine):
    one, other = SharedRateLimiter(engine, SHOP, RATE), SharedRateLimiter(engine, SHOP, RATE)
    one.acquire()

    one.hold(0.6)
    started = time.monotonic()
    other.acquire()

    assert time.monotonic() - started >= 0.55


def test_a_caller_already_waiting_for_its_slot_waits_out_a_ban_its_process_hears_of(engine):
    limiter = SharedRateLimiter(engine, SHOP, 2.0)
    limiter.acquire()                                        # the next slot is half a second away
    granted = []

    def call_when_allowed() -> None:
        limiter.acquire()
        granted.append(time.monotonic())

    waiting = threading.Thread(target=call_when_allowed)
    waiting.start()
    time.sleep(0.1)

    ban_ends = time.monotonic() + 1.0
    limiter.hold(1.0)
    waiting.join(timeout=10)

    assert granted and granted[0] >= ban_ends


def test_a_rate_that_is_not_positive_is_refused_with_the_shop_named(engine):
    with pytest.raises(ValueError, match="shop 'shopee-dong-thap': requests_per_second must be positive"):
        SharedRateLimiter(engine, SHOP, 0)


@pytest.mark.slow
def test_two_connectors_sharing_a_shops_limit_are_never_refused_by_a_shop_limited_to_it(database_url, tmp_path):
    limit = 10.0
    with running_sandboxes(tmp_path / "sandboxes") as fleet:
        fleet.set_faults(Channel.SHOPEE, FaultConfig(rate_limit_per_second=limit))
        shop = replace(fleet.shop(SHOP), requests_per_second=limit)
        counts = {"answered": 0, "refused": 0}
        lock = threading.Lock()
        start_at = time.time() + 0.5

        def publisher() -> None:
            engine = make_engine(database_url)
            connector = connector_for(shop, rate_limiter=shared_rate_limiter(engine, shop),
                                      retry=RetryPolicy(attempts=1))
            try:
                time.sleep(max(0.0, start_at - time.time()))
                while time.time() < start_at + SECONDS:
                    try:
                        connector.find_by_seller_sku("NO-SUCH-SKU")
                        outcome = "answered"
                    except RateLimited:
                        outcome = "refused"
                    with lock:
                        counts[outcome] += 1
            finally:
                connector.close()
                engine.dispose()

        threads = [threading.Thread(target=publisher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert counts["refused"] == 0
    assert counts["answered"] >= 0.8 * limit * SECONDS
