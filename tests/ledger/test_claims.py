"""Claims die with their owner: a killed worker's listings are free at once on its machine, within
the lease elsewhere; a live holder is never overtaken; a retry of a run inherits its claims."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import update

import ledger
from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from ledger import claims
from ledger.models import ListingBinding
from ocop.store import make_engine, transaction
from tests.publishing.fake_shop import SHOP

TODAY = dt.date.today()
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def rows(database_url):
    """Six bindings of one shop; returns (engine, shop id, product ids)."""
    engine = make_engine(database_url)
    ingest_rows(engine, sample_rows("Đồng Tháp", products=6, seed=5, today=TODAY), today=TODAY)
    from publishing.candidates import load_products
    products = load_products(engine)
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, SHOP)
        ledger.ensure_bindings(session, shop_id, [(pid, p.product.seller_sku) for pid, p in products.items()])
    yield engine, shop_id, sorted(products)
    engine.dispose()


CLAIM_AND_DIE = """\
import os, sys
import ledger
from ocop.store import make_engine
from ledger import claims
engine = make_engine(sys.argv[1])
held = ledger.claim(engine, int(sys.argv[2]), [int(pid) for pid in sys.argv[3].split(",")], claims.claimant("dead-run"))
print(len(held), flush=True)
sys.stdin.read()          # wait to be killed
"""


def test_the_claims_of_a_killed_process_are_taken_at_once(rows, database_url):
    engine, shop_id, ids = rows
    child = subprocess.Popen([sys.executable, "-c", CLAIM_AND_DIE, database_url, str(shop_id), ",".join(map(str, ids))],
                             cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == str(len(ids)), "the child must hold every row"
        assert ledger.claim(engine, shop_id, ids, claims.claimant("next-run")) == set(), "a live holder is respected"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    started = time.monotonic()
    assert ledger.claim(engine, shop_id, ids, claims.claimant("next-run")) == set(ids)
    assert time.monotonic() - started < 5


def test_a_live_run_on_this_machine_keeps_its_claims(rows):
    engine, shop_id, ids = rows
    assert ledger.claim(engine, shop_id, ids, claims.claimant("other-run")) == set(ids)
    assert ledger.claim(engine, shop_id, ids, claims.claimant("my-run")) == set()


def test_a_holder_on_another_machine_is_trusted_until_its_lease_runs_out(rows):
    engine, shop_id, ids = rows
    elsewhere = str(claims.Claimant("other-run", "0000beef", 1, "1"))
    assert ledger.claim(engine, shop_id, ids[:3], elsewhere) == set(ids[:3])
    mine = claims.claimant("my-run")
    assert ledger.claim(engine, shop_id, ids, mine) == set(ids[3:])
    with engine.begin() as connection:   # the other machine died: it stopped renewing
        connection.execute(update(ListingBinding).where(ListingBinding.claimed_by == elsewhere)
                           .values(claimed_at=dt.datetime.now(dt.UTC) - claims.CLAIM_LEASE - dt.timedelta(seconds=1)))
    assert ledger.claim(engine, shop_id, ids, mine) == set(ids)


def test_a_retry_of_a_run_inherits_the_claims_of_its_earlier_attempt(rows):
    engine, shop_id, ids = rows
    earlier_attempt = str(claims.Claimant("run-7", "0000beef", 4242, "zz"))   # on another machine, still fresh
    assert ledger.claim(engine, shop_id, ids, earlier_attempt) == set(ids)
    assert ledger.claim(engine, shop_id, ids, claims.claimant("run-7")) == set(ids)


def test_the_keeper_renews_a_batch_claims_while_it_works_and_sees_those_taken_over(rows, monkeypatch):
    engine, shop_id, ids = rows
    monkeypatch.setattr(claims, "HEARTBEAT_SECONDS", 0.1)
    owner = claims.claimant("run-1")
    held = ledger.claim(engine, shop_id, ids, owner)

    def renew(product_ids):
        with engine.begin() as connection:
            return ledger.renew(connection, shop_id, owner, product_ids)

    with claims.ClaimKeeper(renew, held) as keeper:
        with engine.begin() as connection:
            connection.execute(update(ListingBinding).where(ListingBinding.product_id == ids[0])
                               .values(claimed_by="someone-else", claimed_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
            connection.execute(update(ListingBinding).where(ListingBinding.product_id != ids[0])
                               .values(claimed_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
        time.sleep(0.5)
        assert not keeper.holds(ids[0], renew_after=60)
        assert all(keeper.holds(pid, renew_after=60) for pid in ids[1:])
    with transaction(engine) as session:
        renewed = session.query(ListingBinding.claimed_at).filter(ListingBinding.claimed_by == owner).all()
    assert len(renewed) == len(ids) - 1
    assert all(at.replace(tzinfo=at.tzinfo or dt.UTC) > dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5) for (at,) in renewed)


def test_an_owner_names_its_run_and_fits_the_ledger_column():
    owner = claims.claimant("0b7e4f0c-1f7e-4d8a-9a51-2d2f3c4e5a6b")
    assert len(owner) <= 64
    assert claims.run_of(owner) == "0b7e4f0c-1f7e-4d8a-9a51-2d2f3c4e5a6b"
    assert not claims.abandoned(owner, claims.claimant("another-run"))


def test_claims_of_a_dead_process_are_cleared_even_on_rows_nobody_claims_again(rows, database_url):
    engine, shop_id, ids = rows
    child = subprocess.Popen([sys.executable, "-c", CLAIM_AND_DIE, database_url, str(shop_id), ",".join(map(str, ids))],
                             cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == str(len(ids))
        live = claims.claimant("live-run")
        assert ledger.release_abandoned(engine, live) == 0, "a live holder's claims stay"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert ledger.release_abandoned(engine, claims.claimant("live-run")) == len(ids)
    with transaction(engine) as session:
        assert all(binding.claimed_by is None for binding in ledger.load_bindings(session, shop_id).values())
