"""The ledger says which listings were sent with estimated package data (migration 0008), on SQLite
and PostgreSQL."""

import ledger
from ledger.models import Shop
from ocop.store import transaction
from tests.ledger.bound import bind
from tests.reconcile.shopdata import product

CHE = product("83-829-30112-4-2024", "Chè Shan tuyết cổ thụ Suối Giàng", group="I.5.a", price=250_000, stars=4)


def _binding(engine, shop_key: str) -> ledger.Binding:
    with transaction(engine) as session:
        shop_id = session.query(Shop.id).filter_by(key=shop_key).scalar()
        return next(iter(ledger.load_bindings(session, shop_id).values()))


def test_a_push_records_whether_its_package_data_was_estimated(engine):
    with transaction(engine) as session:
        bind(session, CHE, "lazada-dong-thap")
    assert _binding(engine, "lazada-dong-thap").package_estimated is None      # never pushed

    binding_id = _binding(engine, "lazada-dong-thap").binding_id
    with engine.begin() as connection:
        ledger.record(connection, binding_id, "run-1", ledger.Outcome("create", "ok"), remote_id="3001",
                      pushed_hash="a" * 64, package_estimated=True)
    assert _binding(engine, "lazada-dong-thap").package_estimated is True

    with engine.begin() as connection:      # the producer confirmed the weight: the next push states it
        ledger.record(connection, binding_id, "run-2", ledger.Outcome("update", "ok"), pushed_hash="b" * 64,
                      package_estimated=False)
    assert _binding(engine, "lazada-dong-thap").package_estimated is False
