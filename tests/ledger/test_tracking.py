"""A create request the platform reviews before it is an item (Tiki) is held by its tracking id, on
SQLite and PostgreSQL: it is neither "no item" (no second create) until rejected, and what a
reconciliation sees moves it on: a request keeps no remote id, the item seen replaces the request."""

import ledger
from ocop.store import transaction
from tests.ledger.bound import bind
from tests.reconcile.shopdata import product

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", gtin="8930000000019")
SHOP = "tiki-dong-thap"
TRACK_ID = "9f3c2a71d0b84e6c8a5f1e2d3c4b5a69"


def _binding(engine) -> ledger.Binding:
    with transaction(engine) as session:
        [binding] = ledger.shop_bindings(session, [SHOP])
    return binding


def _observe(engine, **seen) -> None:
    with transaction(engine) as session:
        ledger.observe(session, [ledger.Observation(shop_key=SHOP, seller_sku=SEN.product.seller_sku, **seen)])


def test_a_request_under_review_is_an_item_to_come_and_a_rejected_one_is_none(engine):
    with transaction(engine) as session:
        bind(session, SEN, SHOP, tracking_id=TRACK_ID, remote_status="under_review", platform_status="queuing")
    pending = _binding(engine)

    _observe(engine, remote_status="rejected", platform_status="rejected", remote_id=TRACK_ID, tracking_id=TRACK_ID)

    rejected = _binding(engine)
    assert pending.awaits_review and not pending.has_no_item
    assert (rejected.tracking_id, rejected.remote_id) == (TRACK_ID, None)
    assert rejected.has_no_item and not rejected.awaits_review


def test_a_request_seen_keeps_no_remote_id_and_the_product_seen_clears_the_tracking_id(engine):
    with transaction(engine) as session:
        bind(session, SEN, SHOP, attempts=1)

    _observe(engine, remote_status="under_review", platform_status="queuing", remote_id=TRACK_ID, tracking_id=TRACK_ID)
    request = _binding(engine)
    _observe(engine, remote_status="live", platform_status="active", remote_id="270000001")

    approved = _binding(engine)
    assert (request.remote_id, request.tracking_id, request.awaits_review) == (None, TRACK_ID, True)
    assert (approved.remote_id, approved.tracking_id, approved.remote_status) == ("270000001", None, "live")
