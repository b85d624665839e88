"""Rendering in a worker process gives the listing rendering in the thread gives; a render process
lost or stuck costs speed, never a listing; it exits with the process it renders for."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from ocop.channels import Channel
from rendering import pool as render_pool
from rendering.listing import render_listing
from rendering.pool import RenderPool
from rendering.profiles import load_profile
from tests.processes import running
from tests.rendering.listing_products import TODAY, catalogue_product

REPO = Path(__file__).resolve().parents[2]


def test_a_worker_process_renders_exactly_what_the_thread_renders():
    products = [catalogue_product(seller_sku=f"OCOP-DT-POOL-{n}", stock=n) for n in range(3)]
    with RenderPool(processes=1) as pool:
        futures = [pool.submit(Channel.SHOPEE, product, TODAY) for product in products]
        in_process = [future.result() for future in futures]
    in_thread = [render_listing(product, load_profile("shopee"), today=TODAY) for product in products]
    assert [listing.content_hash for listing in in_process] == [listing.content_hash for listing in in_thread]
    assert in_process[0].images[0].content == in_thread[0].images[0].content


def test_a_worker_process_serving_every_channel_renders_each_exactly_as_the_thread_does():
    """The render process of a publish draws a product once for all its channels (Shopee's badge on
    the cover, Lazada's and TikTok's as an image of its own): every listing is what rendering it
    alone in the thread gives, byte for byte."""
    products = [catalogue_product(seller_sku=f"OCOP-DT-TOGETHER-{n}", stock=n) for n in range(2)]
    with RenderPool(processes=1, channels=list(Channel)) as pool:
        futures = {(channel, n): pool.submit(channel, product, TODAY)
                   for n, product in enumerate(products) for channel in Channel}
        in_process = {key: future.result() for key, future in futures.items()}
    for (channel, n), listing in in_process.items():
        alone = render_listing(products[n], load_profile(channel), today=TODAY)
        assert listing.content_hash == alone.content_hash
        assert [image.content for image in listing.images] == [image.content for image in alone.images]


class UnknownChannel:
    value = "sendo-someday"


@pytest.mark.parametrize("processes", [0, 1])
def test_a_render_that_fails_fails_its_future_with_the_error(processes):
    with RenderPool(processes=processes) as pool:
        future = pool.submit(UnknownChannel(), catalogue_product(), TODAY)   # type: ignore[arg-type]
        with pytest.raises(ValueError, match="sendo-someday"):
            future.result()


def test_a_lost_render_process_costs_speed_not_the_listing():
    product = catalogue_product(seller_sku="OCOP-DT-POOL-LOST")
    expected = render_listing(product, load_profile("lazada"), today=TODAY).content_hash
    with RenderPool(processes=1) as pool:
        assert pool.submit(Channel.LAZADA, product, TODAY).result().content_hash == expected
        for process in list(pool._executor._processes.values()):
            process.kill()
            process.join()
        again = pool.submit(Channel.LAZADA, product, TODAY)
        assert again.result().content_hash == expected     # drawn in this thread instead
        assert pool.broken
        assert pool.submit(Channel.LAZADA, product, TODAY).result().content_hash == expected


class HeldExecutor:
    """A render process that has not started anything yet: every call waits in its queue."""

    def __init__(self) -> None:
        self.calls: list[Future] = []

    def submit(self, fn, *args) -> Future:
        self.calls.append(Future())
        return self.calls[-1]


class InlineExecutor:
    """A render process that answers every call at once, here."""

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future


def test_a_group_of_renders_is_dropped_only_when_none_of_its_listings_is_wanted():
    pool = RenderPool(processes=0)
    pool._executor = HeldExecutor()
    pending = pool.submit_many(Channel.TIKTOK, [catalogue_product(seller_sku=f"SKU-{n}") for n in range(3)], TODAY)
    assert len(pool._executor.calls) == 1                 # one call to the process for the three
    pending[0].cancel()
    pending[2].cancel()
    assert not pool._executor.calls[0].cancelled()        # SKU-1 is still wanted
    pending[1].cancel()
    assert pool._executor.calls[0].cancelled()


def test_in_a_group_a_render_that_fails_fails_only_its_own_listing(monkeypatch):
    def failing_for_one(product, profile, *, today):
        if product.product.seller_sku == "SKU-BAD":
            raise ValueError("no template for this one")
        return render_listing(product, profile, today=today)

    monkeypatch.setattr(render_pool, "render_listing", failing_for_one)
    products = [catalogue_product(seller_sku=sku) for sku in ("SKU-A", "SKU-BAD", "SKU-B")]
    pool = RenderPool(processes=0)
    pool._executor = InlineExecutor()
    first, bad, last = pool.submit_many(Channel.LAZADA, products, TODAY)
    assert first.result().content_hash == render_listing(products[0], load_profile("lazada"), today=TODAY).content_hash
    with pytest.raises(ValueError, match="no template for this one"):
        bad.result()
    assert last.result().content_hash == render_listing(products[2], load_profile("lazada"), today=TODAY).content_hash


# Starts a pool, has one listing rendered, prints the pids of its render process and of the
# multiprocessing resource tracker, then waits to be killed.
PUBLISHER_WITH_A_RENDER_PROCESS = """
import json, time
from multiprocessing import resource_tracker
from ocop.channels import Channel
from rendering.pool import RenderPool
from tests.rendering.listing_products import TODAY, catalogue_product

pool = RenderPool(processes=1, channels=list(Channel))
pool.submit(Channel.SHOPEE, catalogue_product(), TODAY).result()
print(json.dumps([*pool._executor._processes, resource_tracker._resource_tracker._pid]), flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_the_render_process_and_its_helpers_exit_when_the_publishing_process_is_killed():
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISHER_WITH_A_RENDER_PROCESS], cwd=REPO,
                                 stdout=subprocess.PIPE, text=True)
    try:
        helpers = json.loads(publisher.stdout.readline())
    finally:
        publisher.kill()
        publisher.wait()
    assert len(helpers) == 2 and all(isinstance(pid, int) for pid in helpers)
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in helpers if running(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
