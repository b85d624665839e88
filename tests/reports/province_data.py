"""A reconciled province with every kind of finding, shared by the report tests (see conftest.py)."""

from __future__ import annotations

import datetime as dt

from catalogue.records import ProducerKind
from connectors.types import ListingStatus
from ledger import Binding
from ocop.channels import Channel
from reconcile.classify import classify
from reconcile.coverage import compute_coverage
from reconcile.history import HistoryPoint
from reconcile.run import ReconcileResult
from reconcile.snapshot import RunInfo, pull_snapshot
from tests.reconcile.shopdata import TODAY, MemoryShop, orphan, producer, product

HTX = producer("1401234567", "HTX Sen Tháp Mười", commune="Tháp Mười", district_old="Huyện Tháp Mười")
HO = producer("079123456789", "Hộ kinh doanh Út Hiền", kind=ProducerKind.HOUSEHOLD, commune="Mỹ Thọ",
              district_old="Huyện Cao Lãnh")
CTY = producer("1409998887", "Công ty TNHH Xoài Cát <b>Hòa Lộc</b>", kind=ProducerKind.ENTERPRISE,
               commune="Cái Bè", district_old="Huyện Cái Bè")

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", maker=HTX, gtin="8935049500018")
TRA = product("83-829-28781-3-2023", "Trà tim sen", maker=HTX, stars=3, group="I.5.b", gtin="8935049500025")
BOT = product("83-829-28782-4-2024", "Bột ngó sen", maker=HTX, stars=4, gtin="8935049500032",
              signed_on=TODAY - dt.timedelta(days=3 * 365 - 40))
GAO = product("83-829-10001-4-2023", "Gạo ST25 Mỹ Thọ", maker=HO, stars=3, group="I.2.a", price=180_000, pack="5 kg")
MAM = product("83-829-10002-3-2021", "Mắm cá linh", maker=HO, stars=3, group="I.4.a", signed_on=dt.date(2022, 3, 1))
XOAI = product("83-829-20001-4-2024", "Xoài cát <script>alert(1)</script> =HYPERLINK(\"http://evil\")", maker=CTY,
               stars=4, group="I.1.a", gtin="8930000000019")
SAY = product("83-829-20002-5-2025", "Xoài sấy dẻo", maker=CTY, stars=5, gtin="8930000000026")
TOUR = product("83-829-20003-3-2024", "Du lịch miệt vườn Cái Bè", maker=CTY, group="VI")
CATALOGUE = [SEN, TRA, BOT, GAO, MAM, XOAI, SAY, TOUR]


def _shops() -> list[MemoryShop]:
    shopee, lazada, tiktok = (MemoryShop("shopee-dong-thap", Channel.SHOPEE), MemoryShop("lazada-dong-thap", Channel.LAZADA),
                              MemoryShop("tiktok-dong-thap", Channel.TIKTOK))
    for shop in (shopee, lazada, tiktok):
        for item in (SEN, TRA, XOAI):
            shop.list_product(item)
    shopee.list_product(BOT)
    lazada.list_product(BOT, status=ListingStatus.UNDER_REVIEW)
    edited = shopee.list_product(SAY)
    shopee.edit(edited, price_vnd=99_000)
    shopee.list_product(SAY)
    lazada.list_product(SAY, status=ListingStatus.REJECTED,
                        reject_reason="The listing contains a prohibited word: “chữa khỏi bệnh”")
    shopee.list_product(GAO)
    tiktok.list_product(MAM)
    tiktok.insert(orphan("Mật ong rừng U Minh OCOP 5 sao", sku="MO-UMINH"))
    tiktok.insert(orphan("Khô cá lóc", sku=None))
    return [shopee, lazada, tiktok]


LEDGER = [
    Binding("lazada-dong-thap", GAO.product.seller_sku, blocked_reasons=("net weight missing (required by lazada)",)),
    Binding("tiktok-dong-thap", GAO.product.seller_sku, last_error_code="12052910",
            last_error_message="invalid parameters", last_error_class="rejected"),
    Binding("tiktok-dong-thap", SAY.product.seller_sku, last_error_code="503",
            last_error_message="HTTP 503 after 5 attempts", last_error_class="transient"),
]


def make_result(target_pct: float | None = 95.0) -> ReconcileResult:
    rec = classify(CATALOGUE, pull_snapshot(_shops()), LEDGER, as_of=TODAY)
    run = RunInfo(7, "Đồng Tháp", TODAY, target_pct, dt.datetime(2026, 6, 1, 1, 30, tzinfo=dt.UTC))
    return ReconcileResult(run, rec, compute_coverage(rec, target_pct=target_pct))


def make_history(result: ReconcileResult) -> list[HistoryPoint]:
    points = []
    for run_id, days_ago, fraction in ((4, 3, 0.4), (5, 2, 0.6), (6, 1, 0.7)):
        taken = result.run.started_at - dt.timedelta(days=days_ago)
        for channel in result.coverage.channels:
            listable = channel.share.listable
            points.append(HistoryPoint(run_id, TODAY - dt.timedelta(days=days_ago), taken, channel.channel, listable,
                                       int(listable * fraction)))
        points.append(HistoryPoint(run_id, TODAY - dt.timedelta(days=days_ago), taken, "all",
                                   result.coverage.all_channels.listable, int(result.coverage.all_channels.listable * fraction / 2)))
    for channel in result.coverage.channels:
        points.append(HistoryPoint(7, TODAY, result.run.started_at, channel.channel, channel.share.listable, channel.share.live))
    points.append(HistoryPoint(7, TODAY, result.run.started_at, "all", result.coverage.all_channels.listable,
                               result.coverage.all_channels.live))
    return points

