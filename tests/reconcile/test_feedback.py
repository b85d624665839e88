"""What a reconciliation tells the ledger: each bound listing's own status, and whether it was edited."""

from connectors.types import ListingStatus
from ocop.channels import Channel
from reconcile.classify import classify
from reconcile.feedback import observations
from reconcile.snapshot import pull_snapshot
from rendering.listing import render_listing
from rendering.profiles import load_profile
from tests.reconcile.shopdata import TODAY, MemoryShop, product

SEN = product("83-829-28780-3-2022", "Hạt sen sấy Tháp Mười", gtin="8930000000019")
LONG = product("83-829-99999-4-2024", "Hạt sen sấy giòn tẩm mật ong rừng U Minh Hạ loại đặc biệt" + " thơm ngon" * 8)


def _seen(items, memory) -> dict:
    reconciliation = classify(items, pull_snapshot(memory), [], as_of=TODAY)
    return {(o.shop_key, o.seller_sku): o for o in observations(reconciliation)}


def test_a_suspended_item_is_recorded_as_suspended_not_as_unlisted():
    # planning relists an unlisted item, never a suspended one (connectors.types.NOT_SELLING)
    memory = [MemoryShop("shopee-dong-thap", Channel.SHOPEE), MemoryShop("lazada-dong-thap", Channel.LAZADA)]
    memory[0].list_product(SEN, status=ListingStatus.SUSPENDED)
    memory[1].list_product(SEN, status=ListingStatus.INACTIVE)
    seen = _seen([SEN], memory)
    sku = SEN.product.seller_sku
    assert seen[("shopee-dong-thap", sku)].remote_status == ListingStatus.SUSPENDED
    assert seen[("lazada-dong-thap", sku)].remote_status == ListingStatus.INACTIVE


def test_a_title_our_renderer_cut_is_not_told_as_edited_and_a_sellers_title_is():
    ours = render_listing(LONG, load_profile(Channel.SHOPEE), today=TODAY, include_images=False).title
    memory = [MemoryShop("shopee-dong-thap", Channel.SHOPEE), MemoryShop("shopee-other", Channel.SHOPEE)]
    for shop, title in zip(memory, (ours, "Hạt sen sấy giòn GIẢM GIÁ SỐC hôm nay")):
        shop.edit(shop.list_product(LONG), title=title)
    seen = _seen([LONG], memory)
    sku = LONG.product.seller_sku
    assert (seen[("shopee-dong-thap", sku)].drifted, seen[("shopee-other", sku)].drifted) == (False, True)
