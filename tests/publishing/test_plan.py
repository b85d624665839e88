"""Planning decides which listings produce marketplace calls, from rendering and the ledger alone."""

import datetime as dt
from dataclasses import replace

from catalogue.records import CertificationRecord
from connectors.errors import ErrorClass
from connectors.types import ListingStatus
from ledger import Binding
from publishing.plan import PRICE_AND_STOCK_ONLY, Action, Reason, narrow, plan_listing, plan_shop, screen
from rendering.listing import input_fingerprint, render_listing
from rendering.profiles import load_profile
from tests.rendering.listing_products import TODAY, catalogue_product

PROFILE = load_profile("shopee")
SHOP = "shopee-dong-thap"


def _plan(product, binding=None):
    rendering = render_listing(product, PROFILE, today=TODAY) if product.is_listable(TODAY) else None
    return plan_listing(product, rendering, binding, product_id=1, today=TODAY)


def _synced(product, **changes) -> Binding:
    """The ledger state right after `product` was pushed successfully."""
    rendered = render_listing(product, PROFILE, today=TODAY)
    state = Binding(
        SHOP, product_id=1, seller_sku=product.product.seller_sku, remote_id="9001", remote_status=ListingStatus.LIVE,
        rendered_hash=rendered.content_hash, pushed_hash=rendered.content_hash,
        pushed_price_vnd=rendered.price_vnd, pushed_stock=rendered.stock, attempts=1,
        source_fingerprint=input_fingerprint(product, PROFILE),
    )
    return replace(state, **changes)


def _screen(product, binding):
    return screen(product, binding, fingerprint=input_fingerprint(product, PROFILE), today=TODAY)


def test_a_new_listable_product_is_created():
    assert _plan(catalogue_product()).actions == (Action.CREATE,)


def test_a_synced_product_needs_nothing():
    product = catalogue_product()
    assert _plan(product, _synced(product)) is None


def test_a_changed_price_is_only_a_price_update():
    product = catalogue_product()
    repriced = catalogue_product(price_vnd=99_000)
    assert _plan(repriced, _synced(product)).actions == (Action.PRICE_STOCK,)


def test_a_star_upgrade_updates_the_content():
    product = catalogue_product()
    upgraded_cert = CertificationRecord("55/QĐ-UBND", dt.date(2025, 6, 1), "UBND tỉnh Đồng Tháp", 5, score=91)
    upgraded = replace(product, certification=upgraded_cert, history=product.history + (upgraded_cert,))
    assert _plan(upgraded, _synced(product)).actions == (Action.UPDATE,)


def test_an_expired_certificate_unlists_a_live_item():
    product = catalogue_product(certification=CertificationRecord("1/QĐ-UBND", dt.date(2022, 1, 5), "UBND", 3))
    planned = _plan(product, _synced(catalogue_product()))
    assert planned.actions == (Action.UNLIST,)
    assert planned.reasons == ("certificate expired",)


def test_an_expired_product_already_unlisted_needs_nothing():
    product = catalogue_product(certification=CertificationRecord("1/QĐ-UBND", dt.date(2022, 1, 5), "UBND", 3))
    assert _plan(product, _synced(catalogue_product(), remote_status=ListingStatus.INACTIVE)) is None


def test_a_renewed_certificate_relists_an_unlisted_item():
    product = catalogue_product()
    planned = _plan(product, _synced(product, remote_status=ListingStatus.INACTIVE))
    assert planned.actions == (Action.RELIST,)


def test_refused_content_is_not_retried_until_the_product_changes():
    product = catalogue_product()
    refused = Binding(SHOP, product_id=1, seller_sku=product.product.seller_sku, last_error_class=ErrorClass.REJECTED,
                      attempts=1, source_fingerprint=input_fingerprint(product, PROFILE))
    assert _screen(product, refused).reason == Reason.REFUSED
    repriced = catalogue_product(price_vnd=99_000)   # the price may be what the platform refused
    assert _screen(repriced, refused).reason == Reason.CHANGED
    assert _plan(repriced, refused).actions == (Action.CREATE,)


def test_a_refused_update_is_not_resent_with_a_price_change():
    product = catalogue_product()
    edited = catalogue_product(description="Mô tả mới", price_vnd=99_000)
    refused = replace(_synced(product), last_error_class=ErrorClass.REJECTED,
                      rendered_hash=render_listing(edited, PROFILE, today=TODAY).content_hash)
    assert _plan(edited, refused).actions == (Action.PRICE_STOCK,)


def test_a_refused_relist_is_not_resent():
    product = catalogue_product()
    refused = _synced(product, remote_status=ListingStatus.INACTIVE, last_error_class=ErrorClass.REJECTED)
    assert not _screen(product, refused).due


def test_a_transient_failure_is_retried():
    product = catalogue_product()
    failed = Binding(SHOP, product_id=1, seller_sku=product.product.seller_sku, last_error_class=ErrorClass.TRANSIENT,
                     attempts=1)
    assert _plan(product, failed).actions == (Action.CREATE,)


def test_an_incomplete_product_is_blocked_once_with_its_reasons():
    # a potted plant with no weight: no pack to estimate one from (a food without weight is estimated)
    product = catalogue_product(net_weight_g=None, pack_size="1 chậu", group_code="V.2")
    planned = _plan(product)
    assert planned.actions == (Action.BLOCK,)
    assert any("weight" in reason for reason in planned.reasons)
    assert all(reason.endswith("[to act: producer]") for reason in planned.reasons)   # the ledger says who must act
    recorded = Binding(SHOP, product_id=1, seller_sku=product.product.seller_sku, blocked_reasons=planned.reasons)
    assert _plan(product, recorded) is None


def test_the_price_and_stock_sync_ignores_content_changes():
    product = catalogue_product()
    changed = catalogue_product(price_vnd=99_000, description="Mô tả mới")
    assert _plan(changed, _synced(product)).actions == (Action.UPDATE, Action.PRICE_STOCK)
    assert narrow(_plan(changed, _synced(product)), PRICE_AND_STOCK_ONLY).actions == (Action.PRICE_STOCK,)
    assert narrow(_plan(catalogue_product(description="Mô tả mới"), _synced(product)), PRICE_AND_STOCK_ONLY) is None


def test_a_tourism_service_is_never_planned():
    service = catalogue_product(group_code="VI")
    assert _plan(service) is None


def test_only_changed_failed_or_expiring_products_are_candidates():
    settled, changed, failed = (catalogue_product(seller_sku=f"OCOP-DT-{n}") for n in ("A", "B", "C"))
    expired = catalogue_product(seller_sku="OCOP-DT-D",
                                certification=CertificationRecord("1/QĐ-UBND", dt.date(2022, 1, 5), "UBND", 3))
    products = {1: settled, 2: replace(changed, product=replace(changed.product, price_vnd=1)), 3: failed, 4: expired}
    bindings = {
        1: replace(_synced(settled), product_id=1),
        2: replace(_synced(changed), product_id=2),
        3: replace(_synced(failed), product_id=3, last_error_class=ErrorClass.TRANSIENT),
        4: replace(_synced(catalogue_product(seller_sku="OCOP-DT-D")), product_id=4),
    }
    fingerprints = {pid: input_fingerprint(p, PROFILE) for pid, p in products.items() if p.is_listable(TODAY)}
    plan = plan_shop("shopee-dong-thap", products, fingerprints, bindings, today=TODAY)
    assert [c.product_id for c in plan.candidates] == [2, 3, 4]
    assert plan.candidates[2].fingerprint is None


def test_a_provincial_shop_is_planned_with_its_own_province_only():
    from connectors.types import ShopConfig
    from ocop.channels import Channel
    from publishing.candidates import products_for

    home, elsewhere = catalogue_product(), catalogue_product(seller_sku="OCOP-CM-1")
    elsewhere = replace(elsewhere, producer=replace(elsewhere.producer, address=replace(elsewhere.producer.address, province="Cà Mau")))
    shop = ShopConfig("shopee-dong-thap", Channel.SHOPEE, "http://127.0.0.1:9", None, province="Đồng Tháp")
    assert list(products_for(shop, {1: home, 2: elsewhere})) == [1]
    assert list(products_for(replace(shop, province=None), {1: home, 2: elsewhere})) == [1, 2]


EXPIRED = CertificationRecord("1/QĐ-UBND", dt.date(2022, 1, 5), "UBND", 3)


def test_screening_says_why_each_listing_is_or_is_not_sent():
    product = catalogue_product()
    blocked = catalogue_product(net_weight_g=None)
    expired = catalogue_product(certification=EXPIRED)
    recorded_blocked = Binding(SHOP, product_id=1, seller_sku=blocked.product.seller_sku,
                               blocked_reasons=("net weight missing",),
                               source_fingerprint=input_fingerprint(blocked, PROFILE))
    cases = [
        (product, None, Reason.NEVER_PUSHED, True),
        (catalogue_product(price_vnd=99_000), _synced(product), Reason.CHANGED, True),
        (product, _synced(product), Reason.UNCHANGED, False),
        (product, _synced(product, last_error_class=ErrorClass.TRANSIENT), Reason.FAILED, True),
        (product, _synced(product, last_error_class=ErrorClass.REJECTED), Reason.REFUSED, False),
        (product, _synced(product, remote_status=ListingStatus.REJECTED), Reason.REFUSED, False),
        (product, _synced(product, remote_status=ListingStatus.INACTIVE), Reason.UNLISTED, True),
        (product, _synced(product, remote_status=ListingStatus.DELETED), Reason.GONE, True),
        (product, _synced(product, source_fingerprint=None, pushed_hash=None), Reason.EDITED_ON_SHOP, True),
        (blocked, recorded_blocked, Reason.BLOCKED, False),
        (expired, _synced(product), Reason.TO_UNLIST, True),
        (expired, _synced(product, remote_status=ListingStatus.INACTIVE), Reason.NOT_LISTABLE, False),
    ]
    for item, binding, reason, due in cases:
        screening = _screen(item, binding)
        assert (screening.reason, screening.due) == (reason, due), (reason, screening)
    assert str(_screen(expired, None)) == "not listable (certificate expired)"
    assert str(_screen(blocked, recorded_blocked)) == "blocked until the product is completed (net weight missing)"


def test_a_suspended_item_is_not_relisted_but_an_unlisted_one_is():
    product = catalogue_product()
    suspended = _synced(product, remote_status=ListingStatus.SUSPENDED)
    assert (_screen(product, suspended).due, _screen(product, suspended).reason) == (False, Reason.NOT_SELLING)
    assert _plan(product, suspended) is None
    assert _plan(product, _synced(product, remote_status=ListingStatus.INACTIVE)).actions == (Action.RELIST,)


def test_a_suspended_item_still_receives_content_changes_but_no_relist():
    product = catalogue_product()
    edited = catalogue_product(description="Mô tả mới")
    suspended = _synced(product, remote_status=ListingStatus.SUSPENDED)
    assert _screen(edited, suspended).due
    assert _plan(edited, suspended).actions == (Action.UPDATE,)


def test_an_expired_product_whose_item_is_suspended_is_not_unlisted():
    expired = catalogue_product(certification=EXPIRED)
    suspended = _synced(catalogue_product(), remote_status=ListingStatus.SUSPENDED)
    assert _plan(expired, suspended) is None
    assert _screen(expired, suspended).reason == Reason.NOT_LISTABLE
