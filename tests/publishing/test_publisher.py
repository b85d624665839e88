"""The publisher against a real ledger: outcomes recorded as they happen, nothing ever created twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

import ledger
from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from connectors.errors import Rejected, TransientError
from ocop.store import transaction
from publishing import candidates, publisher
from publishing.plan import Reason
from publishing.publisher import publish_batch
from rendering.profiles import load_profile
from tests.publishing.fake_shop import SHOP, FakeShop, Item

TODAY = dt.date.today()


def _plan(engine):
    products = candidates.load_products(engine)
    fingerprints = candidates.fingerprints(products, load_profile(SHOP.channel), today=TODAY)
    return candidates.plan_for_shop(engine, SHOP, products, fingerprints, today=TODAY)


def _publish(engine, shop: FakeShop, batch, run_id="run-1", only=None):
    return publish_batch(engine, shop, batch, run_id=run_id, today=TODAY, only=only)


def _bindings(engine):
    with transaction(engine) as session:
        return ledger.load_bindings(session, ledger.ensure_shop(session, SHOP))


def test_a_create_whose_answer_was_lost_is_adopted_not_created_again(engine):
    shop = FakeShop(lost_answers=1)
    plan = _plan(engine)
    first = plan.candidates[0]
    with pytest.raises(KeyboardInterrupt):
        _publish(engine, shop, [first])
    assert _bindings(engine)[first.product_id].last_error_class == "unknown_outcome"
    _publish(engine, shop, _plan(engine).candidates, run_id="run-2")
    assert max(shop.skus().values()) == 1
    assert _bindings(engine)[first.product_id].remote_id in shop.items


def test_a_create_refused_as_a_duplicate_seller_sku_adopts_the_existing_item(engine):
    shop = FakeShop()
    first = _plan(engine).candidates[0]
    shop.items["555"] = Item(first.product.product.seller_sku, "an item made by hand", 1)
    _publish(engine, shop, [first])
    binding = _bindings(engine)[first.product_id]
    assert binding.remote_id == "555" and binding.last_error_class is None
    assert binding.pushed_hash is not None
    assert shop.skus()[first.product.product.seller_sku] == 1


def test_a_batch_releases_only_its_own_claims(engine):
    plan = _plan(engine)
    one, two = plan.candidates[:2], plan.candidates[2:4]
    held_by_other_batch = ledger.claim(engine, _shop_id(engine, [c for c in two]), [c.product_id for c in two], "run-1")
    _publish(engine, FakeShop(), one)
    with engine.begin() as connection:
        still = ledger.renew(connection, _shop_id(engine), "run-1", [c.product_id for c in two])
    assert held_by_other_batch == {c.product_id for c in two}
    assert still == held_by_other_batch


def _shop_id(engine, candidates=()):
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, SHOP)
        ledger.ensure_bindings(session, shop_id, [(c.product_id, c.product.product.seller_sku) for c in candidates])
    return shop_id


def test_a_refused_price_does_not_stop_the_content_update_nor_mark_it_pushed(engine):
    shop = FakeShop()
    _publish(engine, shop, _plan(engine).candidates)
    rows = sample_rows("Đồng Tháp", products=8, seed=3, today=TODAY)
    listable = {p.product.ocop_code for p in candidates.load_products(engine).values() if p.is_listable(TODAY)}
    row = next(r for r in rows if r["ocop_code"] in listable)
    row.update(product_name=row["product_name"] + " loại đặc biệt", price_vnd=str(int(row["price_vnd"]) + 1_000))
    ingest_rows(engine, rows, today=TODAY)
    shop.failures["price_stock"] = [Rejected("price out of range", code="error_invalid_price")]
    result = _publish(engine, shop, _plan(engine).candidates, run_id="run-2")
    assert result.calls["update"] == 1 and result.failures["rejected"] == 1
    changed = next(b for b in _bindings(engine).values() if b.last_error_class == "rejected")
    assert changed.pushed_hash == changed.rendered_hash   # the content that was sent is the content pushed
    assert _plan(engine).candidates == ()                 # refused: not retried until the product changes


def test_a_transient_failure_is_offered_for_the_next_round(engine):
    shop = FakeShop(failures={"create": [TransientError("503", code="http_503")]})
    plan = _plan(engine)
    result = _publish(engine, shop, plan.candidates)
    assert len(result.retry) == 1
    again = _publish(engine, shop, plan.restricted_to(result.retry).candidates, run_id="run-1")
    assert again.calls["create"] == 1 and not again.retry
    assert set(shop.skus()) == {c.product.product.seller_sku for c in plan.candidates if c.fingerprint}


def test_a_claim_taken_over_mid_batch_is_not_published(engine, monkeypatch):
    """A batch that outlives its lease loses its claims to the worker that took them over: on its
    next renewal it sees that, and leaves those listings to the new owner."""
    monkeypatch.setattr(publisher, "RENEW_AFTER_SECONDS", -1.0)    # renew before every listing
    candidates = [c for c in _plan(engine).candidates if c.fingerprint][:3]
    shop_id = _shop_id(engine, candidates)
    taken = candidates[2].product_id

    class TakenOverAfterFirstCreate(FakeShop):
        def create(self, content):
            result = super().create(content)
            if self.calls["create"] == 1:
                with engine.begin() as connection:   # the lease ran out and another worker claimed it
                    connection.exec_driver_sql(
                        "UPDATE listing_bindings SET claimed_by = 'run-other' WHERE shop_id = %s AND product_id = %s"
                        % (shop_id, taken))
            return result

    shop = TakenOverAfterFirstCreate()
    result = _publish(engine, shop, candidates)
    assert result.skipped_claimed_elsewhere == 1
    assert candidates[2].product.product.seller_sku not in shop.skus()
    assert shop.calls["create"] == 2


def test_a_batch_cut_off_mid_create_leaves_a_few_marked_and_the_retry_creates_each_once(engine):
    """Creates are marked "sending" a few at a time before the first is sent: after a crash the
    retry looks those up first (the one that landed is adopted), and nothing is created twice."""
    shop = FakeShop(lost_answers=1)
    candidates = [c for c in _plan(engine).candidates if c.fingerprint]
    assert len(candidates) > 2
    with pytest.raises(KeyboardInterrupt):
        _publish(engine, shop, candidates)
    marked = [pid for pid, b in _bindings(engine).items() if b.last_error_class == "unknown_outcome"]
    assert 1 <= len(marked) <= publisher.SENDING_WINDOW and candidates[0].product_id in marked

    _publish(engine, shop, _plan(engine).candidates, run_id="run-2")
    assert shop.calls["find"] == len(marked)           # one lookup for each marked create, no more
    assert max(shop.skus().values()) == 1
    assert set(shop.skus()) == {c.product.product.seller_sku for c in candidates}


def test_a_stale_batch_sends_nothing_and_says_why_per_listing(engine):
    shop = FakeShop(failures={"create": [Rejected("mô tả có nội dung chữa bệnh", code="error_description")]})
    plan = _plan(engine)
    first = _publish(engine, shop, plan.candidates)
    calls = sum(shop.calls.values())
    again = _publish(engine, shop, plan.candidates, run_id="run-2")   # planned before the first had run
    assert sum(shop.calls.values()) == calls
    assert again.listings == {"unchanged": len(plan.candidates)}
    assert again.not_sent == Counter({Reason.UNCHANGED: first.listings["done"], Reason.REFUSED: 1,
                                      Reason.BLOCKED: first.listings["blocked"]})


def test_the_ledger_says_which_pushed_listings_carry_an_estimated_package(database_url):
    from ocop.store import make_engine

    engine = make_engine(database_url)
    try:
        rows = sample_rows("Đồng Tháp", products=4, seed=11, today=TODAY)
        rows = [row | {"net_weight_g": ""} if number % 2 else row for number, row in enumerate(rows)]
        ingest_rows(engine, rows, today=TODAY)
        plan = _plan(engine)
        result = _publish(engine, FakeShop(), plan.candidates)
        codes = {candidate.product_id: candidate.product.product.ocop_code for candidate in plan.candidates}
        pushed = {codes[pid]: binding.package_estimated for pid, binding in _bindings(engine).items()}
    finally:
        engine.dispose()
    without_weight = {row["ocop_code"] for number, row in enumerate(rows) if number % 2}
    assert pushed == {row["ocop_code"]: row["ocop_code"] in without_weight for row in rows}
    assert {codes[pid] for pid in result.estimated} == without_weight      # what the run's summary counts
