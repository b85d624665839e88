"""Pushes end to end over real HTTP on 127.0.0.1: the sandboxes push (signed as the platforms sign)
to `ocop webhooks serve`'s app under uvicorn, and a push that never came is found by the catch-up
sweep of the shop's items."""

from __future__ import annotations

import time

import prefect.events
import pytest

import ledger
from cli.webhooks import push_app
from connectors.by_channel import connector_for
from ocop.channels import Channel
from ocop.store import transaction
from pushes.catch_up import sweep
from pushes.receive import PushReceiver
from sandboxes.config import default_config
from sandboxes.fleet import ServerThread, running_sandboxes
from shops.token_store import shop_token_states
from tests.ledger.bound import bind
from tests.reconcile.shopdata import product

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", gtin="8930000000019")
BANNED_TITLE = "Hạt sen sấy Tháp Mười hàng giả"


@pytest.fixture
def emitted(monkeypatch):
    seen = []
    monkeypatch.setattr(prefect.events, "emit_event", lambda **event: seen.append(event))
    return seen


@pytest.fixture
def receiver_server(engine):
    shops = [shop.to_shop_config("http://127.0.0.1:1") for shop in default_config().shops]
    server = ServerThread(push_app(PushReceiver(engine, shops)), name="pushes").start()
    yield server
    server.stop()


def test_a_review_refused_in_the_sandbox_reaches_the_ledger_through_a_signed_push(
        engine, receiver_server, emitted, tmp_path):
    config = default_config().with_channel(Channel.SHOPEE, push_url=f"{receiver_server.url}/push/shopee")
    config = config.with_channel(Channel.LAZADA, push_url=f"{receiver_server.url}/push/lazada")
    with running_sandboxes(tmp_path, config=config, registry_rows=[]) as fleet:
        shopee = fleet.admin(Channel.SHOPEE)
        item = shopee.insert("shopee-dong-thap", seller_sku=SEN.product.seller_sku, title=BANNED_TITLE,
                             status="REVIEWING")
        with transaction(engine) as session:
            bind(session, SEN, "shopee-dong-thap", remote_id=str(item.item_id), remote_status="under_review",
                 platform_status="REVIEWING")

        assert shopee.settle_reviews() == 1
        fleet.admin(Channel.LAZADA).authorisation_ends("lazada-dong-thap", time.time() + 2 * 86400)

        shopee_sent, lazada_sent = shopee.pushes.wait_sent(), fleet.admin(Channel.LAZADA).pushes.wait_sent()
    assert [(d.kind, d.answer) for d in shopee_sent] == [(16, "204")]
    assert [(d.kind, d.answer) for d in lazada_sent] == [(8, "200")]
    with transaction(engine) as session:
        binding = ledger.shop_bindings(session, ["shopee-dong-thap"])[0]
    assert (binding.remote_status, binding.platform_status) == ("rejected", "BANNED")
    assert shop_token_states(engine)["lazada-dong-thap"].authorisation_warned_by == "Lazada push 8"
    # two sandboxes, two senders: the pushes arrive in either order
    assert sorted(e["event"] for e in emitted) == ["ocop.listing.rejected", "ocop.shop.authorisation-expiring"]


def test_a_push_that_never_came_is_found_by_the_catch_up_sweep(engine, emitted, tmp_path):
    with running_sandboxes(tmp_path, registry_rows=[]) as fleet:      # no push_url: every push is lost
        tiktok = fleet.admin(Channel.TIKTOK)
        item = tiktok.insert("tiktok-dong-thap", seller_sku=SEN.product.seller_sku,
                             title=BANNED_TITLE + " đặc sản Đồng Tháp", status="PENDING")
        with transaction(engine) as session:
            bind(session, SEN, "tiktok-dong-thap", remote_id=str(item.item_id), remote_status="under_review",
                 platform_status="PENDING")
        tiktok.settle_reviews()
        assert tiktok.pushes.wait_sent() == []

        with connector_for(fleet.shop("tiktok-dong-thap")) as connector:
            (swept,) = sweep(engine, [connector], since=None)
    assert swept.error is None and swept.noted == (f"{item.item_id}: under_review -> rejected",)
    with transaction(engine) as session:
        binding = ledger.shop_bindings(session, ["tiktok-dong-thap"])[0]
        logged = ledger.events(session)
    assert (binding.remote_status, binding.platform_status) == ("rejected", "FAILED")
    assert [(e.operation, e.outcome) for e in logged] == [("status_sweep", "rejected")]
    assert [e["event"] for e in emitted] == ["ocop.listing.rejected"]
