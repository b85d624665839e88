"""Snapshots and coverage history round-trip through the database (SQLite and PostgreSQL), and a
reconciliation tells the ledger what the shops hold."""

import datetime as dt

import ledger
from connectors.errors import TransientError
from connectors.types import ListingStatus
from ocop.channels import Channel
from ocop.store import transaction
from reconcile.classify import State
from reconcile.history import load_history
from reconcile.run import evaluate_run, reconcile_shops
from reconcile.snapshot import latest_run_id, load_snapshot, pull_snapshot, save_snapshot
from tests.ledger.bound import bind
from tests.reconcile.shopdata import TODAY, MemoryShop, orphan, product

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", gtin="8930000000019")
GAO = product("83-829-10001-4-2023", "Gạo ST25 Đồng Tháp", group="I.2.a", price=180_000, stars=3)


def test_snapshot_is_stored_and_read_back_unchanged(engine):
    shopee, tiktok = MemoryShop("shopee-dong-thap", Channel.SHOPEE), MemoryShop("tiktok-dong-thap", Channel.TIKTOK)
    shopee.list_product(SEN)
    shopee.insert(orphan("Mật ong OCOP 5 sao", sku=None))
    shopee.insert(orphan("Khô cá lóc", sku="KHO-CA-LOC-" + "X" * 89))   # Shopee allows 100-character SKUs
    tiktok.fail_with = TransientError("HTTP 503 after 5 attempts", code="503")
    snapshot = pull_snapshot([shopee, tiktok])
    with transaction(engine) as session:
        run_id = save_snapshot(session, snapshot, province="Đồng Tháp", as_of=TODAY, target_pct=95.0)
    with transaction(engine) as session:
        info, stored = load_snapshot(session, run_id)
        assert latest_run_id(session, "Đồng Tháp") == run_id
        assert latest_run_id(session, "Cà Mau") is None
    assert (info.province, info.as_of, info.target_pct) == ("Đồng Tháp", TODAY, 95.0)
    assert [(p.shop.key, p.shop.channel, p.error) for p in stored.pulls] == [
        ("shopee-dong-thap", "shopee", None), ("tiktok-dong-thap", "tiktok", "[503] HTTP 503 after 5 attempts")]
    original = sorted(snapshot.listings(), key=lambda item: item.remote.remote_id)
    again = sorted(stored.listings(), key=lambda item: item.remote.remote_id)
    assert [(i.remote.title, i.remote.price_vnd, i.remote.gtin, i.remote.status, i.claim) for i in again] == [
        (i.remote.title, i.remote.price_vnd, i.remote.gtin, i.remote.status, i.claim) for i in original]


def test_each_run_records_coverage_and_the_history_reads_oldest_first(engine):
    shopee = MemoryShop("shopee-dong-thap", Channel.SHOPEE)
    shopee.list_product(SEN)
    first = reconcile_shops(engine, [shopee], province="Đồng Tháp", as_of=TODAY, catalogue=[SEN, GAO], target_pct=100)
    shopee.list_product(GAO)
    second = reconcile_shops(engine, [shopee], province="Đồng Tháp", as_of=TODAY + dt.timedelta(days=1),
                             catalogue=[SEN, GAO], target_pct=100)
    assert (first.below_target, second.below_target) == (True, False)
    with transaction(engine) as session:
        history = load_history(session, "Đồng Tháp")
        assert load_history(session, "Đồng Tháp", up_to_run=first.run_id) == history[:2]
        assert load_history(session, "Cà Mau") == []
    assert [(h.run_id, h.channel, h.live, h.listable) for h in history] == [
        (first.run_id, "shopee", 1, 2), (first.run_id, "all", 1, 2),
        (second.run_id, "shopee", 2, 2), (second.run_id, "all", 2, 2)]
    assert history[-1].as_of == TODAY + dt.timedelta(days=1)


def test_a_stored_run_is_evaluated_again_without_reading_any_shop(engine):
    shopee = MemoryShop("shopee-dong-thap", Channel.SHOPEE)
    remote_id = shopee.list_product(SEN)
    result = reconcile_shops(engine, [shopee], province="Đồng Tháp", as_of=TODAY, catalogue=[SEN])
    shopee.edit(remote_id, status=ListingStatus.DELETED)
    shopee.fail_with = TransientError("must not be called")
    again = evaluate_run(engine, province="Đồng Tháp", catalogue=[SEN])
    assert again.run_id == result.run_id
    assert [f.state for f in again.reconciliation.findings] == [State.LIVE]


def test_a_reconciliation_tells_the_ledger_what_each_shop_holds(engine):
    shopee = MemoryShop("shopee-dong-thap", Channel.SHOPEE)
    live = shopee.list_product(SEN, status=ListingStatus.INACTIVE)
    with transaction(engine) as session:
        bind(session, SEN, "shopee-dong-thap", remote_id=live, remote_status="live", pushed_hash="h" * 64)
        bind(session, GAO, "shopee-dong-thap", remote_id="gone-1", remote_status="live", pushed_hash="h" * 64)
    result = reconcile_shops(engine, [shopee], province="Đồng Tháp", as_of=TODAY, catalogue=[SEN, GAO])
    assert result.bindings_refreshed == 2
    with transaction(engine) as session:
        bindings = {b.seller_sku: b for b in ledger.shop_bindings(session, ["shopee-dong-thap"])}
    unlisted, deleted = bindings[SEN.product.seller_sku], bindings[GAO.product.seller_sku]
    assert (unlisted.remote_id, unlisted.remote_status, unlisted.pushed_hash) == (live, "inactive", "h" * 64)
    assert (deleted.remote_id, deleted.remote_status, deleted.pushed_hash) == (None, "deleted", None)
