"""publish_listings against the sandboxes: complete, idempotent, and precise about what it changes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select, update

from catalogue.sample import sample_rows
from flows.publish import publish_listings
from ledger.models import ListingBinding, ListingEvent
from ocop.channels import Channel
from ocop.store import transaction
from publishing.candidates import load_products
from tests.flows.conftest import OFFICIAL_SHOPS, TODAY

ROWS = dict(products=30, seed=7, today=TODAY)


def _listable_skus(pipeline) -> set[str]:
    engine = pipeline.engine()
    products = load_products(engine)
    engine.dispose()
    return {p.product.seller_sku for p in products.values() if p.is_listable(TODAY)}


def _remote_skus(pipeline, shop_key: str, channel: Channel) -> Counter:
    items = pipeline.fleet.admin(channel).items(shop_key, include_deleted=False)
    return Counter(item.seller_sku for item in items)


def _events(pipeline, run_id: str | None = None) -> Counter:
    engine = pipeline.engine()
    with transaction(engine) as session:
        rows = session.execute(select(ListingEvent.operation, ListingEvent.outcome)).all()
    engine.dispose()
    return Counter(f"{operation}:{outcome}" for operation, outcome in rows)


def test_full_publish_puts_every_listable_product_on_every_shop_exactly_once(pipeline):
    result = publish_listings()
    listable = _listable_skus(pipeline)
    assert listable, "the sample must have listable products"
    for key, channel in zip(OFFICIAL_SHOPS, (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK)):
        remote = _remote_skus(pipeline, key, channel)
        assert set(remote) == listable, key
        assert max(remote.values()) == 1, f"{key}: a seller SKU was created twice"
        assert result[key]["create"] == len(listable)


def test_a_second_run_makes_no_write_call(pipeline):
    publish_listings()
    writes = pipeline.fleet.write_calls()
    second = publish_listings()
    assert pipeline.fleet.write_calls() == writes
    assert all(not counts for counts in second.values())


def test_listings_that_render_as_last_pushed_are_counted_as_not_sent_and_send_nothing(pipeline):
    publish_listings()
    writes = pipeline.fleet.write_calls()
    engine = pipeline.engine()
    with engine.begin() as connection:   # as after a change to the renderer that leaves these listings as they were
        changed = connection.execute(update(ListingBinding).where(ListingBinding.pushed_hash.is_not(None))
                                     .values(source_fingerprint="an earlier renderer")).rowcount
    engine.dispose()
    result = publish_listings()
    assert pipeline.fleet.write_calls() == writes
    assert sum(counts.get("not_sent:same_rendering", 0) for counts in result.values()) == changed > 0
    assert all(set(counts) == {"not_sent:same_rendering"} for counts in result.values()), result
    assert all(not counts for counts in publish_listings().values())


def test_a_changed_price_produces_exactly_the_price_updates(pipeline):
    publish_listings()
    listable = pipeline.listable_codes()
    rows = sample_rows("Đồng Tháp", **ROWS)
    repriced = [row for row in rows if row["ocop_code"] in listable][:2]
    for row in repriced:
        row["price_vnd"] = str(int(row["price_vnd"]) + 5_000)
    before = _events(pipeline)
    pipeline.ingest(rows)
    result = publish_listings()
    assert _events(pipeline) - before == Counter({"price_stock:ok": 2 * len(OFFICIAL_SHOPS)})
    assert all(counts == {"price_stock": 2} for counts in result.values())


def test_a_dry_run_plans_without_writing(pipeline):
    plan = publish_listings(dry_run=True)
    assert pipeline.fleet.write_calls() == 0
    listable = _listable_skus(pipeline)
    assert all(counts.get("create") == len(listable) for counts in plan.values())
    engine = pipeline.engine()
    with transaction(engine) as session:
        assert session.scalars(select(ListingBinding)).all() == []
    engine.dispose()


def _publish_and_review(pipeline) -> None:
    """A first publish, then the platforms' review passes (as it has by the next scheduled sync)."""
    publish_listings()
    for channel in pipeline.fleet.sandboxes:
        pipeline.fleet.admin(channel).settle_reviews()


def _listable_row(pipeline, rows: list[dict]) -> dict:
    listable = pipeline.listable_codes()
    return next(row for row in rows if row["ocop_code"] in listable and row["stars"] in ("3", "4"))


def _items_of(pipeline, seller_sku: str) -> dict[Channel, list]:
    return {
        channel: pipeline.fleet.admin(channel).find(key, seller_sku)
        for key, channel in zip(OFFICIAL_SHOPS, (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK))
    }


def _seller_sku(pipeline, ocop_code: str) -> str:
    engine = pipeline.engine()
    products = load_products(engine)
    engine.dispose()
    return next(p.product.seller_sku for p in products.values() if p.product.ocop_code == ocop_code)


def test_an_expired_certificate_unlists_the_product_everywhere(pipeline):
    _publish_and_review(pipeline)
    rows = sample_rows("Đồng Tháp", **ROWS)
    row = _listable_row(pipeline, rows)
    row["decision_date"] = (TODAY - dt.timedelta(days=3 * 366 + 30)).isoformat()
    pipeline.ingest(rows)
    result = publish_listings()
    assert all(counts == {"unlist": 1} for counts in result.values())
    for channel, items in _items_of(pipeline, _seller_sku(pipeline, row["ocop_code"])).items():
        assert len(items) == 1
        assert items[0].status in {"UNLIST", "InActive", "inactive", "SELLER_DEACTIVATED"}, (channel, items[0].status)


def test_a_star_upgrade_updates_every_listing(pipeline):
    _publish_and_review(pipeline)
    rows = sample_rows("Đồng Tháp", **ROWS)
    row = _listable_row(pipeline, rows)
    row.update(stars="5", score="92", decision_number="2361/QĐ-BNNMT", authority="Bộ Nông nghiệp và Môi trường",
               decision_date=(TODAY - dt.timedelta(days=10)).isoformat())
    pipeline.ingest(rows)
    result = publish_listings()
    # the 5★ badge is a new image: uploaded once per shop, then the listing updated
    assert all(counts == {"upload_image": 1, "update": 1} for counts in result.values()), result
    for channel, items in _items_of(pipeline, _seller_sku(pipeline, row["ocop_code"])).items():
        assert "5★" in items[0].title, (channel, items[0].title)
