"""Coverage arithmetic: listable products live per channel, on all channels at once, and by slice."""

import datetime as dt

from catalogue.records import ProducerKind
from connectors.types import ListingStatus
from ocop.channels import Channel
from reconcile.classify import classify
from reconcile.coverage import Share, compute_coverage
from reconcile.snapshot import pull_snapshot
from tests.reconcile.shopdata import TODAY, MemoryShop, producer, product

HTX = producer("1401234567", "HTX Sen Tháp Mười", commune="Tháp Mười", district_old="Huyện Tháp Mười")
HO = producer("079123456789", "Hộ kinh doanh Út Hiền", kind=ProducerKind.HOUSEHOLD, commune="Cao Lãnh",
              district_old="Huyện Cao Lãnh")

SEN = product("C-1", "Hạt sen sấy", maker=HTX, stars=4)
TRA = product("C-2", "Trà tim sen", maker=HTX, stars=3, group="I.5.b")
GAO = product("C-3", "Gạo ST25", maker=HO, stars=3, group="I.2.a")
XOAI = product("C-4", "Xoài sấy dẻo", maker=HO, stars=3, signed_on=TODAY - dt.timedelta(days=3 * 365 - 30))
TOUR = product("C-5", "Du lịch vườn sen", maker=HTX, group="VI")
OLD = product("C-6", "Mắm cá linh", maker=HO, signed_on=dt.date(2022, 1, 1))


def coverage_of(target_pct=None):
    """SEN live on all three shops, TRA on two, GAO on one, XOAI nowhere; TOUR and OLD are not listable."""
    shopee, lazada, tiktok = (MemoryShop("shopee-dt", Channel.SHOPEE), MemoryShop("lazada-dt", Channel.LAZADA),
                              MemoryShop("tiktok-dt", Channel.TIKTOK))
    for shop in (shopee, lazada, tiktok):
        shop.list_product(SEN)
    shopee.list_product(TRA)
    lazada.list_product(TRA)
    tiktok.list_product(TRA, status=ListingStatus.UNDER_REVIEW)
    shopee.list_product(GAO)
    shopee.list_product(OLD)
    catalogue = [SEN, TRA, GAO, XOAI, TOUR, OLD]
    rec = classify(catalogue, pull_snapshot([shopee, lazada, tiktok]), [], as_of=TODAY)
    return compute_coverage(rec, target_pct=target_pct)


def test_share_per_channel_counts_listable_products_live_on_that_channel():
    coverage = coverage_of()
    assert {c.channel: (c.share.live, c.share.listable) for c in coverage.channels} == {
        "shopee": (3, 4), "lazada": (2, 4), "tiktok": (1, 4)}
    assert coverage.channels[0].share.pct == 75.0


def test_all_channels_at_once_counts_only_products_live_on_every_shop():
    assert coverage_of().all_channels == Share(listable=4, live=1)


def test_services_and_expired_products_are_excluded_with_their_reason():
    assert coverage_of().excluded == {"tourism service: not physical goods": 1, "certificate expired": 1}


def test_breakdowns_by_star_rating_producer_kind_producer_and_old_district():
    breakdowns = coverage_of().breakdowns
    stars = {row.key: (row.products, row.all_channels.live, row.channels["shopee"].live) for row in breakdowns["stars"]}
    assert stars == {"3": (3, 0, 2), "4": (1, 1, 1)}
    kinds = {row.key: row.products for row in breakdowns["producer_kind"]}
    assert kinds == {"cooperative": 2, "household": 2}
    producers = [(row.label, row.all_channels.live, row.all_channels.listable) for row in breakdowns["producer"]]
    assert producers == [("Hộ kinh doanh Út Hiền", 0, 2), ("HTX Sen Tháp Mười", 1, 2)]
    districts = {row.key: row.channels["lazada"] for row in breakdowns["district_old"]}
    assert districts == {"Huyện Cao Lãnh": Share(2, 0), "Huyện Tháp Mười": Share(2, 2)}
    groups = {row.key: row.label for row in breakdowns["group"]}
    assert groups["I.5.b"] == "I.5.b Trà thảo mộc"


def test_certificates_expiring_within_90_days_are_due_for_re_evaluation():
    due = coverage_of().due
    assert [(d.ocop_code, d.days_left) for d in due] == [("C-4", (XOAI.certification.expires_on - TODAY).days)]
    assert 0 < due[0].days_left <= 90


def test_state_counts_per_channel_include_every_product_and_orphan():
    counts = coverage_of().state_counts
    assert counts["tiktok"] == {"live": 1, "under_review": 1, "missing": 2, "not_listable": 2}
    assert counts["shopee"] == {"live": 3, "missing": 1, "not_listable": 1, "expired_live": 1}


def test_run_below_the_target_is_detectable_and_names_the_channels():
    coverage = coverage_of(target_pct=60)
    assert coverage.below_target
    assert coverage.shortfalls == ("lazada", "tiktok", "all")
    assert not coverage_of(target_pct=25).below_target
    assert not coverage_of().below_target


def test_target_is_compared_on_counts_not_on_rounded_percentages():
    coverage = coverage_of(target_pct=75.0)
    assert "shopee" not in coverage.shortfalls
    assert coverage_of(target_pct=75.0001).shortfalls[0] == "shopee"


def test_no_listable_products_gives_no_percentage_and_no_alarm():
    rec = classify([TOUR], pull_snapshot([MemoryShop("shopee-dt", Channel.SHOPEE)]), [], as_of=TODAY)
    coverage = compute_coverage(rec, target_pct=100)
    assert coverage.all_channels == Share(0, 0)
    assert coverage.all_channels.pct is None
    assert not coverage.below_target
