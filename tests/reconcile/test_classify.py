"""Each product x shop is classified from what the shop really holds, the catalogue and the ledger."""

import datetime as dt
from dataclasses import replace

import rendering.text
from connectors.errors import AuthError
from connectors.types import ListingStatus
from ledger import Binding
from ocop.channels import Channel
from reconcile.classify import Finding, Reconciliation, State, classify
from reconcile.snapshot import pull_snapshot
from rendering.listing import render_listing
from rendering.profiles import load_profile
from tests.reconcile.shopdata import TODAY, MemoryShop, orphan, producer, product

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", gtin="8930000000019")
GAO = product("83-829-10001-4-2023", "Gạo ST25 Đồng Tháp", group="I.2.a", price=180_000, stars=3, pack="5 kg")


def shops(thin: bool = False) -> list[MemoryShop]:
    return [MemoryShop("shopee-dong-thap", Channel.SHOPEE, thin=thin),
            MemoryShop("lazada-dong-thap", Channel.LAZADA),
            MemoryShop("tiktok-dong-thap", Channel.TIKTOK)]


def reconcile(catalogue, memory_shops, ledger=()) -> Reconciliation:
    return classify(catalogue, pull_snapshot(memory_shops), list(ledger), as_of=TODAY)


def finding(rec: Reconciliation, item, shop_key: str = "shopee-dong-thap") -> Finding:
    [match] = [f for f in rec.findings if f.ocop_code == item.product.ocop_code and f.shop_key == shop_key]
    return match


def test_product_listed_as_rendered_on_every_shop_is_live_everywhere():
    memory = shops()
    for shop in memory:
        shop.list_product(SEN)
    rec = reconcile([SEN], memory)
    assert [(f.shop_key, f.state, f.live) for f in rec.findings] == [
        ("shopee-dong-thap", State.LIVE, True), ("lazada-dong-thap", State.LIVE, True),
        ("tiktok-dong-thap", State.LIVE, True)]


def test_title_renamed_in_seller_centre_is_drift_on_that_shop_only():
    memory = shops()
    ids = [shop.list_product(SEN) for shop in memory]
    memory[1].edit(ids[1], title="Sen sấy khô giá rẻ nhất thị trường")
    rec = reconcile([SEN], memory)
    assert finding(rec, SEN, "lazada-dong-thap").state == State.DRIFT
    assert finding(rec, SEN, "lazada-dong-thap").drift == ("title",)
    assert finding(rec, SEN, "lazada-dong-thap").live
    assert finding(rec, SEN, "shopee-dong-thap").state == State.LIVE


def test_price_and_gtin_edits_are_drift_naming_each_field_and_the_remote_value():
    memory = shops()
    remote_id = memory[0].list_product(SEN)
    memory[0].edit(remote_id, price_vnd=95_000, gtin="8930000000026")
    found = finding(reconcile([SEN], memory), SEN)
    assert (found.state, found.drift) == (State.DRIFT, ("price", "gtin"))
    assert (found.remote_price_vnd, found.remote_gtin) == (95_000, "8930000000026")


def test_star_claim_that_differs_from_the_recognition_is_drift():
    memory = shops()
    remote_id = memory[0].list_product(GAO)
    memory[0].edit(remote_id, title="Gạo ST25 Đồng Tháp 5 kg - OCOP 5 sao")
    found = finding(reconcile([GAO], memory), GAO)
    assert (found.state, found.drift, found.claimed_stars) == (State.DRIFT, ("stars",), 5)


def test_accents_case_and_gtin_leading_zeros_are_not_drift():
    memory = shops()
    remote_id = memory[0].list_product(SEN)
    memory[0].edit(remote_id, title="HẠT SEN SẤY THÁP MƯỜI 500g - OCOP 4★", gtin="08930000000019")
    assert finding(reconcile([SEN], memory), SEN).state == State.LIVE


LONG_NAME = "Hạt sen sấy giòn tẩm mật ong rừng U Minh Hạ loại đặc biệt " + "thơm ngon " * 8
LONG = product("83-829-99999-4-2024", LONG_NAME.strip())


def _rendered_title(item, channel: Channel = Channel.SHOPEE, *, max_chars: int | None = None) -> str:
    """The title our renderer gives `item` on `channel`, under the profile's limit or `max_chars`."""
    profile = load_profile(channel)
    if max_chars is not None:
        profile = replace(profile, title=replace(profile.title, max_chars=max_chars))
    return render_listing(item, profile, today=TODAY, include_images=False).title


def _live_with_title(item, title: str) -> Finding:
    memory = shops()
    remote_id = memory[0].list_product(item)
    memory[0].edit(remote_id, title=title)
    return finding(reconcile([item], memory), item)


def test_title_cut_by_the_renderer_to_the_channel_limit_is_not_drift():
    title = _rendered_title(LONG)
    assert len(title) <= 120 and "thơm ngon thơm ngon thơm ngon thơm ngon thơm ngon thơm ngon" not in title
    assert _live_with_title(LONG, title).state == State.LIVE


def test_title_fitted_under_an_older_shorter_limit_is_not_drift():
    assert _live_with_title(LONG, _rendered_title(LONG, max_chars=48)).state == State.LIVE


def test_a_cut_title_rewritten_by_the_seller_is_drift_even_when_it_keeps_the_names_first_words():
    ours = _rendered_title(LONG)
    head, _, tail = ours.rpartition("thơm")
    sellers = f"{head}GIÁ SỐC{tail}"     # near the limit, the name's first half intact
    found = _live_with_title(LONG, sellers)
    assert (found.state, found.drift) == (State.DRIFT, ("title",))


def test_titles_are_recognised_by_the_renderers_own_fitting_not_a_copy_of_its_rule(monkeypatch):
    # Fit titles another way (a cut keeps only the name's first word): reconciliation must still know
    # a freshly fitted title as ours, or every live listing would be DRIFT and pushed again.
    monkeypatch.setattr(rendering.text, "cut_at_word", lambda text, max_chars: text.split()[0])
    title = _rendered_title(LONG)
    assert title == "Hạt 500 g - OCOP 4★"
    assert _live_with_title(LONG, title).state == State.LIVE


def test_items_not_in_the_catalogue_are_orphans_and_star_claims_on_them_are_misuse():
    memory = shops()
    memory[2].insert(orphan("Mật ong rừng OCOP 5 sao", sku="MAT-ONG-01"))
    memory[2].insert(orphan("Khô cá lóc", sku=None))
    rec = reconcile([SEN], memory)
    orphans = sorted(rec.orphans, key=lambda f: f.remote_title)
    assert [(f.shop_key, f.channel, f.remote_title) for f in orphans] == [
        ("tiktok-dong-thap", "tiktok", "Khô cá lóc"), ("tiktok-dong-thap", "tiktok", "Mật ong rừng OCOP 5 sao")]
    assert [f.claims_mark_without_recognition for f in orphans] == [False, True]
    assert all(not f.in_denominator for f in orphans)


def test_product_in_catalogue_without_recognition_claiming_stars_is_flagged():
    uncertified = product("83-829-55555-0-2024", "Bánh phồng tôm", certified=False)
    memory = shops()
    memory[0].list_product(uncertified)
    memory[0].edit(next(iter(memory[0].items)), title="Bánh phồng tôm OCOP 4 sao")
    found = finding(reconcile([uncertified], memory), uncertified)
    assert (found.state, found.in_denominator, found.claims_mark_without_recognition) == (
        State.NOT_LISTABLE, False, True)


def test_two_items_for_one_product_are_a_duplicate_that_still_counts_as_live():
    memory = shops()
    first = memory[0].list_product(SEN)
    second = memory[0].list_product(SEN)
    found = finding(reconcile([SEN], memory), SEN)
    assert (found.state, found.live, found.remote_id, found.duplicate_ids) == (State.DUPLICATE, True, first, (second,))


def test_live_item_is_preferred_over_an_unlisted_duplicate():
    memory = shops()
    unlisted = memory[0].list_product(SEN, status=ListingStatus.INACTIVE)
    live = memory[0].list_product(SEN)
    found = finding(reconcile([SEN], memory), SEN)
    assert (found.remote_id, found.duplicate_ids, found.live) == (live, (unlisted,), True)


def test_deleted_items_are_not_on_the_shop():
    memory = shops()
    memory[0].list_product(SEN, status=ListingStatus.DELETED)
    memory[0].insert(orphan("Đã xoá", status=ListingStatus.DELETED))
    rec = reconcile([SEN], memory)
    assert finding(rec, SEN).state == State.MISSING
    assert rec.orphans == ()


def test_rejected_item_carries_the_platform_reason():
    memory = shops()
    memory[1].list_product(SEN, status=ListingStatus.REJECTED, reject_reason="Prohibited word in title: 'chữa bệnh'")
    found = finding(reconcile([SEN], memory), SEN, "lazada-dong-thap")
    assert (found.state, found.live, found.reason) == (State.REJECTED, False, "Prohibited word in title: 'chữa bệnh'")


def test_create_rejected_by_the_platform_is_rejected_with_the_ledger_error():
    ledger = [Binding("shopee-dong-thap", SEN.product.seller_sku, last_error_code="error_title_exceeds_max_length",
                      last_error_message="Title length exceeds the limit", last_error_class="rejected")]
    found = finding(reconcile([SEN], shops(), ledger), SEN)
    assert (found.state, found.reason, found.error_code) == (
        State.REJECTED, "Title length exceeds the limit", "error_title_exceeds_max_length")


def test_blocked_product_names_the_missing_fields():
    ledger = [Binding("lazada-dong-thap", SEN.product.seller_sku,
                      blocked_reasons=("net weight missing (required by lazada)", "no product image"))]
    found = finding(reconcile([SEN], shops(), ledger), SEN, "lazada-dong-thap")
    assert (found.state, found.reason) == (State.BLOCKED, "net weight missing (required by lazada); no product image")


def test_product_never_published_is_missing_and_a_lost_item_keeps_the_ledger_id():
    ledger = [Binding("tiktok-dong-thap", SEN.product.seller_sku, remote_id="7001", remote_status="live")]
    rec = reconcile([SEN], shops(), ledger)
    assert (finding(rec, SEN).state, finding(rec, SEN).ledger_remote_id) == (State.MISSING, None)
    lost = finding(rec, SEN, "tiktok-dong-thap")
    assert (lost.state, lost.remote_id, lost.ledger_remote_id) == (State.MISSING, None, "7001")


def test_transient_failure_leaves_the_product_missing_with_the_error():
    ledger = [Binding("shopee-dong-thap", SEN.product.seller_sku, last_error_code="error_server",
                      last_error_message="Internal error", last_error_class="transient")]
    found = finding(reconcile([SEN], shops(), ledger), SEN)
    assert (found.state, found.reason) == (State.MISSING, "Internal error")


def test_under_review_and_unlisted_items_are_not_live():
    memory = shops()
    memory[0].list_product(SEN, status=ListingStatus.UNDER_REVIEW)
    memory[1].list_product(SEN, status=ListingStatus.SUSPENDED)
    rec = reconcile([SEN], memory)
    assert (finding(rec, SEN).state, finding(rec, SEN).live) == (State.UNDER_REVIEW, False)
    assert (finding(rec, SEN, "lazada-dong-thap").state, finding(rec, SEN, "lazada-dong-thap").reason) == (
        State.INACTIVE, "SUSPENDED")


def test_expired_or_revoked_certificate_still_live_is_flagged_and_outside_the_denominator():
    expired = product("83-829-20000-3-2021", "Nước mắm cá linh", signed_on=dt.date(2023, 1, 5))
    revoked = product("83-829-20001-3-2024", "Mắm cá linh", revoked=True)
    memory = shops()
    memory[0].list_product(expired)
    memory[0].list_product(revoked)
    rec = reconcile([expired, revoked], memory)
    for item in (expired, revoked):
        found = finding(rec, item)
        assert (found.state, found.live, found.in_denominator) == (State.EXPIRED_LIVE, True, False)
        assert found.claims_mark_without_recognition
    assert finding(rec, expired, "lazada-dong-thap").state == State.NOT_LISTABLE


def test_tourism_service_is_outside_the_denominator_with_its_reason():
    tour = product("83-829-30000-3-2024", "Du lịch sinh thái Đồng Sen", group="VI")
    found = finding(reconcile([tour], shops()), tour)
    assert (found.state, found.in_denominator, found.reason) == (
        State.NOT_LISTABLE, False, "tourism service: not physical goods")


def test_shop_that_could_not_be_read_proves_nothing_about_its_products():
    memory = shops()
    for shop in memory:
        shop.list_product(SEN)
    memory[2].fail_with = AuthError("invalid access token", code="105002")
    rec = reconcile([SEN], memory)
    found = finding(rec, SEN, "tiktok-dong-thap")
    assert (found.state, found.live, found.reason) == (State.UNVERIFIED, False, "[105002] invalid access token")
    assert finding(rec, SEN).state == State.LIVE


def test_item_without_seller_sku_is_matched_through_the_ledger_remote_id():
    memory = shops()
    remote_id = memory[0].list_product(SEN)
    memory[0].edit(remote_id, seller_sku=None)
    ledger = [Binding("shopee-dong-thap", SEN.product.seller_sku, remote_id=remote_id, remote_status="live")]
    rec = reconcile([SEN], memory, ledger)
    assert finding(rec, SEN).state == State.LIVE
    assert rec.orphans == ()


def test_thin_shop_lists_are_completed_with_one_detail_call_per_item():
    memory = shops(thin=True)
    memory[0].list_product(SEN)
    memory[0].list_product(GAO)
    snapshot = pull_snapshot(memory)
    assert memory[0].detail_calls == 2
    assert sorted(item.remote.title for item in snapshot.listings()) == [
        "Gạo ST25 Đồng Tháp 5 kg - OCOP 3 sao", "Hạt sen sấy Tháp Mười 500 g - OCOP 4 sao"]


def test_products_of_other_producers_are_classified_independently():
    other = product("83-829-40000-4-2024", "Xoài cát Hòa Lộc", maker=producer("1409876543", "Hộ ông Ba"))
    memory = shops()
    memory[0].list_product(other)
    rec = reconcile([SEN, other], memory)
    assert (finding(rec, SEN).state, finding(rec, other).state) == (State.MISSING, State.LIVE)
    assert finding(rec, other).producer_key == "1409876543"
