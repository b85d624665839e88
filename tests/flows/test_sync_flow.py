"""ocop_sync against the sandboxes: the whole pipeline reaches 100% and proves it."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.sample import sample_rows
from flows.publish import publish_listings
from flows.reconcile_listings import reconcile_listings
from flows.sync import ocop_sync
from ocop.channels import Channel
from reconcile.run import evaluate_run
from tests.flows.conftest import BOTH_BACKENDS, TODAY


@pytest.mark.parametrize("database_url", BOTH_BACKENDS, indirect=True)
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


def test_a_listing_the_platform_rejects_is_reported_and_not_retried_until_its_content_changes(pipeline):
    rows = sample_rows("Đồng Tháp", products=30, seed=7, today=TODAY)
    row = next(r for r in rows if r["ocop_code"] in pipeline.listable_codes())
    row["description"] = "Sản phẩm chữa khỏi bệnh mất ngủ."   # a health claim every sandbox's review refuses
    pipeline.ingest(rows)
    publish_listings()
    seen = reconcile_listings()
    assert seen["below_target"] is True
    rejected = _findings(pipeline, "rejected")
    assert {f.shop_key for f in rejected} == {"shopee-dong-thap", "lazada-dong-thap", "tiktok-dong-thap"}
    assert all("chữa khỏi bệnh" in (f.reason or "") for f in rejected), [f.reason for f in rejected]

    writes = pipeline.fleet.write_calls()
    assert all(not counts for counts in publish_listings().values())
    assert pipeline.fleet.write_calls() == writes, "rejected content was sent again"

    row["description"] = "Hạt sen sấy giòn, giúp ngủ ngon."
    pipeline.ingest(rows)
    assert all(counts == {"update": 1} for counts in publish_listings().values())
    assert reconcile_listings()["below_target"] is False


def _findings(pipeline, state: str):
    engine = pipeline.engine()
    try:
        return [f for f in evaluate_run(engine).reconciliation.findings if f.state.value == state]
    finally:
        engine.dispose()
