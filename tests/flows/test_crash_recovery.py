"""A killed publish is finished by the next run at once, and a run never reports work it did not do.

The kill is real: a child process publishes to the sandboxes and is SIGKILLed mid-batch, leaving its
claims, a create marked "sending" and the half of the work it did; the next run must take those
claims at once (not after a lease), finish every listing, and create nothing twice.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

import ledger
from flows.publish import publish_listings
from ledger import claims
from ocop.channels import Channel
from ocop.store import make_engine, transaction
from publishing.candidates import load_products
from publishing.publisher import PublishIncomplete
from sandboxes.config import FaultConfig
from tests.flows.conftest import BOTH_BACKENDS, OFFICIAL_SHOPS, TODAY

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CHANNELS = dict(zip(OFFICIAL_SHOPS, (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK)))

# Publishes every shop's listings without Prefect, the way a flow run's batches do, then waits.
PUBLISH_UNTIL_KILLED = """\
import datetime as dt, os, sys
from pathlib import Path
from ocop.store import make_engine
from connectors.by_channel import connector_for
from shops.file import load_shops
from publishing import candidates
from publishing.publisher import publish_batch
from rendering.profiles import load_profile
today = dt.date.fromisoformat(sys.argv[1])
engine = make_engine(os.environ["OCOP_DATABASE_URL"])
products = candidates.load_products(engine)
for shop in load_shops(Path(os.environ["OCOP_SHOPS_FILE"])):
    plan = candidates.plan_for_shop(engine, shop, products, candidates.fingerprints(products, load_profile(shop.channel), today=today), today=today)
    with connector_for(shop) as connector:
        publish_batch(engine, connector, plan.candidates, run_id="killed-run", today=today)
"""


def _listable(pipeline) -> set[str]:
    engine = pipeline.engine()
    try:
        return {p.product.seller_sku for p in load_products(engine).values() if p.is_listable(TODAY)}
    finally:
        engine.dispose()


def _assert_each_shop_holds_each_listing_once(pipeline, listable: set[str]) -> None:
    for key, channel in CHANNELS.items():
        held = Counter(item.seller_sku for item in pipeline.fleet.admin(channel).items(key, include_deleted=False))
        assert set(held) == listable, f"{key}: missing {sorted(listable - set(held))}"
        assert max(held.values()) == 1, f"{key}: created twice: {[sku for sku, n in held.items() if n > 1]}"


@pytest.mark.parametrize("database_url", BOTH_BACKENDS, indirect=True)
def test_a_publish_killed_mid_batch_is_finished_by_the_next_run_at_once(pipeline):
    listable = _listable(pipeline)
    pipeline.fleet.set_faults(Channel.SHOPEE, FaultConfig(latency_ms=40))
    child = subprocess.Popen([sys.executable, "-c", PUBLISH_UNTIL_KILLED, TODAY.isoformat()], cwd=REPO,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while pipeline.fleet.write_calls(Channel.SHOPEE) < 10:
            assert child.poll() is None, f"the publishing process ended early: {child.stderr.read().decode()}"
            assert time.monotonic() < deadline, "the publishing process made no writes"
            time.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    created_before = len(pipeline.fleet.admin(Channel.SHOPEE).items(OFFICIAL_SHOPS[0], include_deleted=False))
    assert 0 < created_before < len(listable), "the kill must strike mid-batch"
    pipeline.fleet.set_faults(Channel.SHOPEE, FaultConfig())

    started = time.monotonic()
    counts = publish_listings()
    took = time.monotonic() - started

    assert took < claims.CLAIM_LEASE.total_seconds(), f"the run waited {took:.0f} s: for the dead run's lease?"
    assert not any("held" in shop for shop in counts.values()), counts
    _assert_each_shop_holds_each_listing_once(pipeline, listable)
    engine = pipeline.engine()
    try:
        with transaction(engine) as session:
            shop_id = ledger.ensure_shop(session, pipeline.fleet.shop(OFFICIAL_SHOPS[0]))
            bindings = ledger.load_bindings(session, shop_id)
    finally:
        engine.dispose()
    assert all(b.pushed_hash and b.last_error_class is None for b in bindings.values() if b.seller_sku in listable)


def _hold(pipeline, shop_key: str, owner: str, count: int) -> list[int]:
    """Claim `count` of the shop's listable bindings as `owner` (another run, alive in this process)."""
    engine = pipeline.engine()
    try:
        products = load_products(engine)
        listable = sorted(pid for pid, p in products.items() if p.is_listable(TODAY))[:count]
        with transaction(engine) as session:
            shop_id = ledger.ensure_shop(session, pipeline.fleet.shop(shop_key))
            ledger.ensure_bindings(session, shop_id, [(pid, products[pid].product.seller_sku) for pid in listable])
        assert ledger.claim(engine, shop_id, listable, owner) == set(listable)
        return listable
    finally:
        engine.dispose()


def _release(pipeline, shop_key: str, owner: str, ids: list[int]) -> None:
    engine = pipeline.engine()
    try:
        with transaction(engine) as session:
            shop_id = ledger.ensure_shop(session, pipeline.fleet.shop(shop_key))
        ledger.release(engine, shop_id, owner, set(ids))
    finally:
        engine.dispose()


def test_a_run_that_could_not_publish_everything_fails_and_names_what_was_held_and_by_whom(pipeline):
    other = claims.claimant("the-other-run")          # alive: this test process
    held = _hold(pipeline, OFFICIAL_SHOPS[0], other, 3)

    with pytest.raises(PublishIncomplete) as failure:
        publish_listings(held_wait_s=0.5)

    message = str(failure.value)
    assert f"{OFFICIAL_SHOPS[0]}: 3 held by run the-other-run" in message, message
    assert failure.value.counts[OFFICIAL_SHOPS[0]]["held"] == 3
    listable = _listable(pipeline)
    shopee = {item.seller_sku for item in pipeline.fleet.admin(Channel.SHOPEE).items(OFFICIAL_SHOPS[0])}
    assert failure.value.counts[OFFICIAL_SHOPS[0]]["create"] == len(listable) - len(held) == len(shopee)
    for key in OFFICIAL_SHOPS[1:]:
        assert "held" not in failure.value.counts[key] and failure.value.counts[key]["create"] == len(listable)


def test_listings_released_by_the_other_run_while_waiting_are_published(pipeline):
    other = claims.claimant("the-other-run")
    held = _hold(pipeline, OFFICIAL_SHOPS[0], other, 3)
    releaser = threading.Timer(2.0, _release, args=(pipeline, OFFICIAL_SHOPS[0], other, held))
    releaser.start()
    try:
        counts = publish_listings(held_wait_s=60)
    finally:
        releaser.join()
    assert "held" not in counts[OFFICIAL_SHOPS[0]]
    _assert_each_shop_holds_each_listing_once(pipeline, _listable(pipeline))
