"""Snapshots, the ledger view and coverage history round-trip through the database (SQLite and PostgreSQL)."""

import datetime as dt

from catalogue.models import Producer, Product
from catalogue.store import transaction
from connectors.errors import TransientError
from connectors.types import Channel, ListingStatus
from listings.models import ListingBinding, Shop
from reconcile.bindings import LedgerEntry, load_ledger
from reconcile.classify import State
from reconcile.history import load_history
from reconcile.run import evaluate_run, reconcile_shops
from reconcile.snapshot import latest_run_id, load_snapshot, pull_snapshot, save_snapshot
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


def _bind(session, item, shop_key: str, **columns) -> None:
    producer = session.query(Producer).filter_by(key=item.producer.key).one_or_none() or Producer(
        key=item.producer.key, name=item.producer.name, kind=item.producer.kind.value, tax_code=item.producer.tax_code,
        province="Đồng Tháp", commune=item.producer.address.commune)
    shop = session.query(Shop).filter_by(key=shop_key).one_or_none() or Shop(
        key=shop_key, channel=shop_key.split("-")[0], name=shop_key)
    row = Product(ocop_code=item.product.ocop_code, seller_sku=item.product.seller_sku, name=item.product.name,
                  name_key=item.product.name.lower(), group_code=item.product.group_code, producer=producer,
                  price_vnd=item.product.price_vnd, content_hash="x" * 64)
    session.add(ListingBinding(product=row, shop=shop, seller_sku=item.product.seller_sku, **columns))


def test_ledger_view_reads_blocked_reasons_and_last_error_of_the_chosen_shops(engine):
    with transaction(engine) as session:
        _bind(session, SEN, "lazada-dong-thap", blocked_reasons=["net weight missing (required by lazada)"])
        _bind(session, GAO, "shopee-dong-thap", remote_id="55", remote_status="rejected",
              last_error_code="error_param_validate", last_error_message="not a valid GTIN",
              last_error_class="rejected")
    with transaction(engine) as session:
        ledger = sorted(load_ledger(session, ["lazada-dong-thap", "shopee-dong-thap"]), key=lambda e: e.shop_key)
        assert load_ledger(session, ["tiktok-dong-thap"]) == []
    assert ledger == [
        LedgerEntry("lazada-dong-thap", SEN.product.seller_sku,
                    blocked_reasons=("net weight missing (required by lazada)",)),
        LedgerEntry("shopee-dong-thap", GAO.product.seller_sku, "55", "rejected", (), "error_param_validate",
                    "not a valid GTIN", "rejected"),
    ]


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
