"""One binding record for every reader: the publisher (a shop's bindings, the rows a batch claimed),
reconciliation (the bindings of the shops it read) and `ocop ledger --explain` (one product's) get
the same `ledger.Binding`, on SQLite and PostgreSQL."""

import datetime as dt

import ledger
from ledger.models import Shop
from ocop.store import transaction
from tests.ledger.bound import bind
from tests.reconcile.shopdata import product

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", gtin="8930000000019")
GAO = product("83-829-10001-4-2023", "Gạo ST25 Đồng Tháp", group="I.2.a", price=180_000, stars=3)
PUSHED_AT = dt.datetime(2026, 5, 30, 7, 15, tzinfo=dt.UTC)


def test_every_reader_gets_the_same_binding_with_what_its_users_need(engine):
    with transaction(engine) as session:
        bind(session, SEN, "tiktok-dong-thap", remote_id="1729", remote_sku_id="1729-1", remote_status="live",
             platform_status="ACTIVATE", pushed_hash="p" * 64, rendered_hash="p" * 64, pushed_price_vnd=105_000,
             pushed_stock=40, attempts=1, last_pushed_at=PUSHED_AT)
    with transaction(engine) as session:
        shop_id = session.query(Shop.id).filter_by(key="tiktok-dong-thap").scalar()
        by_shop = ledger.load_bindings(session, shop_id)
        product_id = next(iter(by_shop))
        claimed = ledger.held_bindings(session.connection(), shop_id, [product_id])
        of_shops = ledger.shop_bindings(session, ["tiktok-dong-thap"])
        of_product = ledger.product_bindings(session, product_id=product_id, seller_sku=SEN.product.seller_sku)
    binding = by_shop[product_id]
    assert binding == claimed[product_id] == of_shops[0] == of_product[0]
    assert (binding.shop_key, binding.seller_sku, binding.remote_sku_id, binding.platform_status) == (
        "tiktok-dong-thap", SEN.product.seller_sku, "1729-1", "ACTIVATE")
    assert binding.last_pushed_at == PUSHED_AT and binding.created_at.tzinfo == dt.UTC
    assert not binding.has_no_item


def test_the_bindings_of_the_chosen_shops_carry_blocked_reasons_and_last_error(engine):
    with transaction(engine) as session:
        bind(session, SEN, "lazada-dong-thap", blocked_reasons=["net weight missing (required by lazada)"])
        bind(session, GAO, "shopee-dong-thap", remote_id="55", remote_status="rejected",
             last_error_code="error_param_validate", last_error_message="not a valid GTIN", last_error_class="rejected")
    with transaction(engine) as session:
        found = sorted(ledger.shop_bindings(session, ["lazada-dong-thap", "shopee-dong-thap"]), key=lambda b: b.shop_key)
        assert ledger.shop_bindings(session, ["tiktok-dong-thap"]) == []
    assert [(b.shop_key, b.seller_sku, b.remote_id, b.remote_status, b.blocked_reasons, b.last_error_code,
             b.last_error_message, b.last_error_class) for b in found] == [
        ("lazada-dong-thap", SEN.product.seller_sku, None, None, ("net weight missing (required by lazada)",), None,
         None, None),
        ("shopee-dong-thap", GAO.product.seller_sku, "55", "rejected", (), "error_param_validate", "not a valid GTIN",
         "rejected"),
    ]
    assert found[0].has_no_item and not found[1].has_no_item


def test_a_product_no_longer_in_the_catalogue_is_found_by_its_seller_sku(engine):
    with transaction(engine) as session:
        bind(session, SEN, "shopee-dong-thap", remote_id="9")
        bind(session, SEN, "lazada-dong-thap", remote_id="10")
    with transaction(engine) as session:
        found = ledger.product_bindings(session, product_id=None, seller_sku=SEN.product.seller_sku)
    assert [(b.shop_key, b.remote_id) for b in found] == [("lazada-dong-thap", "10"), ("shopee-dong-thap", "9")]
