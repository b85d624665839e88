"""Statuses a platform reports between reconciliations (pushes, sweeps) noted in the ledger: the
binding's status and an event, a push delivered twice noted once, an older push never undoing a
newer one, and what was noted after a snapshot read back for its reports; SQLite and PostgreSQL."""

import datetime as dt

import ledger
from ledger import StatusNotice
from ocop.store import transaction
from tests.ledger.bound import bind
from tests.reconcile.shopdata import product

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", gtin="8930000000019")
AT = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


def banned(at: dt.datetime = AT, message_id: str | None = "push-1") -> StatusNotice:
    return StatusNotice("shopee-dong-thap", "2001", "rejected", "BANNED", "Prohibited Listing: hàng giả", at,
                        message_id=message_id)


def test_a_pushed_status_changes_the_binding_and_is_logged_once(engine):
    with transaction(engine) as session:
        bind(session, SEN, "shopee-dong-thap", remote_id="2001", remote_status="live", platform_status="NORMAL")
    with transaction(engine) as session:
        first = ledger.notice_status(session, banned())
        again = ledger.notice_status(session, banned())
    with transaction(engine) as session:
        binding = ledger.shop_bindings(session, ["shopee-dong-thap"])[0]
        logged = ledger.events(session, seller_sku=SEN.product.seller_sku)
    assert first.changed and not again.changed
    assert (binding.remote_status, binding.platform_status) == ("rejected", "BANNED")
    assert [(e.operation, e.outcome, e.error_code, e.message, e.request_id) for e in logged] == [
        ("status_push", "rejected", "BANNED", "Prohibited Listing: hàng giả", "push-1")]


def test_an_older_push_arriving_late_does_not_undo_a_newer_status(engine):
    with transaction(engine) as session:
        bind(session, SEN, "shopee-dong-thap", remote_id="2001", remote_status="live", platform_status="NORMAL")
    with transaction(engine) as session:
        ledger.notice_status(session, banned())
        late = ledger.notice_status(session, StatusNotice("shopee-dong-thap", "2001", "live", "NORMAL", None,
                                                          AT - dt.timedelta(hours=1), message_id="push-0"))
    assert not late.changed and late.binding.remote_status == "rejected"


def test_a_push_for_an_item_no_binding_holds_is_not_noted(engine):
    with transaction(engine) as session:
        bind(session, SEN, "shopee-dong-thap", remote_id="2001", remote_status="live", platform_status="NORMAL")
    with transaction(engine) as session:
        assert ledger.notice_status(session, StatusNotice("shopee-dong-thap", "9999", "rejected", "BANNED", None,
                                                          AT)) is None
        assert ledger.events(session) == []


def test_notices_after_a_snapshot_are_read_back_oldest_first(engine):
    with transaction(engine) as session:
        bind(session, SEN, "shopee-dong-thap", remote_id="2001", remote_status="live", platform_status="NORMAL")
    with transaction(engine) as session:
        ledger.notice_status(session, banned(AT - dt.timedelta(days=1), "before the snapshot"))
        ledger.notice_status(session, banned(AT, "push-1"))
        ledger.notice_status(session, StatusNotice("shopee-dong-thap", "2001", "live", "NORMAL", None,
                                                   AT + dt.timedelta(hours=2), source="sweep"))
    with transaction(engine) as session:
        noticed = ledger.status_notices(session, ["shopee-dong-thap"], after=AT - dt.timedelta(hours=1))
    assert [(n.remote_status, n.source, n.message_id, n.at) for n in noticed] == [
        ("rejected", "push", "push-1", AT), ("live", "sweep", None, AT + dt.timedelta(hours=2))]
