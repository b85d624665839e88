"""ocop_sync against the sandboxes: the whole pipeline reaches 100% and proves it."""

from __future__ import annotations

from pathlib import Path

from connectors.types import Channel
from flows.publish import publish_listings
from flows.reconcile import reconcile_listings
from flows.sync import ocop_sync


def test_the_full_pipeline_pulls_from_the_registry_and_reaches_full_coverage(pipeline):
    result = ocop_sync(source=pipeline.fleet.registry_url, province="Đồng Tháp")
    reconcile = result["reconcile"]
    assert reconcile["below_target"] is False
    assert reconcile["all_channels"]["listable"] > 0
    for channel, share in reconcile["channels"].items():
        assert share["live"] == share["listable"] == reconcile["all_channels"]["listable"], channel
    assert Path(result["report"]["province_html"]).is_file()


def test_a_listing_deactivated_in_the_seller_centre_is_relisted(pipeline):
    publish_listings()
    reconcile_listings()
    admin = pipeline.fleet.admin(Channel.LAZADA)
    victim = admin.items("lazada-dong-thap", include_deleted=False)[0]
    admin.set_status(victim.item_id, "InActive")
    seen = reconcile_listings()
    assert seen["channels"]["lazada"]["live"] == seen["all_channels"]["listable"] - 1
    assert publish_listings()["lazada-dong-thap"] == {"relist": 1}
    assert reconcile_listings()["below_target"] is False
