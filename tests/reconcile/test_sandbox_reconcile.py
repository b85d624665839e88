"""Reconciliation against the marketplace sandboxes, read through the real connectors over HTTP.

The shops are staged with the sandboxes' admin hooks: items as the pipeline would have listed
them, then edits a seller makes by hand in the seller centre, an orphan, a duplicate, a rejection.
"""

import pytest

from catalogue.ingest import ingest_rows
from catalogue.query import load_catalogue
from connectors.by_channel import connector_for
from ocop.channels import Channel
from ocop.store import make_engine, transaction
from reconcile.classify import State
from reconcile.run import reconcile_shops
from sandboxes.fleet import running_sandboxes
from tests.reconcile.shopdata import TODAY

OFFICIAL = {Channel.SHOPEE: "shopee-dong-thap", Channel.LAZADA: "lazada-dong-thap", Channel.TIKTOK: "tiktok-dong-thap"}


def _row(code: str, name: str, stars: int, price: int, gtin: str) -> dict:
    return {"ocop_code": code, "product_name": name, "group_code": "I.3.c", "stars": str(stars),
            "decision_number": "3981/QĐ-UBND", "decision_date": "2025-01-10", "authority": "UBND tỉnh Đồng Tháp",
            "producer_name": "HTX Sen Tháp Mười", "producer_kind": "cooperative", "tax_code": "0100109106",
            "province": "Đồng Tháp", "commune": "Tháp Mười", "pack_size": "500 g", "net_weight_g": "500",
            "price_vnd": str(price), "gtin": gtin}


ROWS = [_row("83-829-28780-4-2024", "Hạt sen sấy Tháp Mười", 4, 105_000, "8935049500018"),
        _row("83-829-28781-3-2024", "Trà tim sen Tháp Mười", 3, 110_000, "8935049500025"),
        _row("83-829-28782-3-2024", "Bột ngó sen Tháp Mười", 3, 95_000, "8935049500032")]


@pytest.mark.slow
def test_hand_edits_orphans_duplicates_and_rejections_are_found_on_the_real_shops(tmp_path, database_url):
    engine = make_engine(database_url)
    with running_sandboxes(tmp_path / "sandboxes") as fleet:
        assert ingest_rows(engine, ROWS, today=TODAY).accepted == 3
        with transaction(engine) as session:
            sen, tra, bot = load_catalogue(session, province="Đồng Tháp")
        items = {}
        for channel, shop in OFFICIAL.items():
            admin = fleet.admin(channel)
            for item in (sen, tra, bot):
                p = item.product
                title = f"{p.name} {p.pack_size} - OCOP {item.certification.stars} sao"
                items[channel, p.ocop_code] = admin.insert(shop, seller_sku=p.seller_sku, title=title,
                                                           price=p.price_vnd, gtin=p.gtin).item_id
        shopee, lazada, tiktok = fleet.admin(Channel.SHOPEE), fleet.admin(Channel.LAZADA), fleet.admin(Channel.TIKTOK)
        shopee.edit(items[Channel.SHOPEE, sen.product.ocop_code], price=89_000)
        lazada.edit(items[Channel.LAZADA, tra.product.ocop_code], title="Trà sen giảm giá sốc hôm nay")
        tiktok.reject(items[Channel.TIKTOK, bot.product.ocop_code], "The listing contains a prohibited word: “hàng giả”")
        tiktok.insert(OFFICIAL[Channel.TIKTOK], seller_sku="MAT-ONG-1", title="Mật ong rừng U Minh OCOP 5 sao")
        shopee.insert(OFFICIAL[Channel.SHOPEE], seller_sku=bot.product.seller_sku, title="Bột ngó sen (bản sao)",
                      price=95_000)

        connectors = [connector_for(fleet.shop(key)) for key in OFFICIAL.values()]
        try:
            result = reconcile_shops(engine, connectors, province="Đồng Tháp", as_of=TODAY, target_pct=100)
        finally:
            for connector in connectors:
                connector.close()
    engine.dispose()

    found = {(f.shop_key, f.ocop_code): f for f in result.reconciliation.findings if f.ocop_code}
    assert found["shopee-dong-thap", sen.product.ocop_code].drift == ("price",)
    assert found["lazada-dong-thap", tra.product.ocop_code].drift == ("title",)
    assert found["shopee-dong-thap", bot.product.ocop_code].state == State.DUPLICATE
    rejected = found["tiktok-dong-thap", bot.product.ocop_code]
    assert (rejected.state, rejected.reason) == (State.REJECTED, "The listing contains a prohibited word: “hàng giả”")
    [orphan] = result.reconciliation.orphans
    assert (orphan.shop_key, orphan.seller_sku, orphan.claimed_stars) == ("tiktok-dong-thap", "MAT-ONG-1", 5)
    untouched = [f for key, f in found.items() if key not in {
        ("shopee-dong-thap", sen.product.ocop_code), ("lazada-dong-thap", tra.product.ocop_code),
        ("shopee-dong-thap", bot.product.ocop_code), ("tiktok-dong-thap", bot.product.ocop_code)}]
    assert {f.state for f in untouched} == {State.LIVE}
    assert {c.channel: (c.share.live, c.share.listable) for c in result.coverage.channels} == {
        "shopee": (3, 3), "lazada": (3, 3), "tiktok": (2, 3)}
    assert result.below_target and result.coverage.shortfalls == ("tiktok", "all")
