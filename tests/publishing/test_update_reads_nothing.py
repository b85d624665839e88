"""A changed product is updated with the SKU id the ledger holds: the marketplace is not read first."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from connectors.by_channel import connector_for
from ocop.channels import Channel, declaration
from publishing import candidates
from publishing.publisher import publish_batch
from rendering.profiles import load_profile
from sandboxes.fleet import running_sandboxes

TODAY = dt.date.today()


def publish(engine, connector, channel: Channel, run_id: str):
    products = candidates.load_products(engine)
    fingerprints = candidates.fingerprints(products, load_profile(channel), today=TODAY)
    plan = candidates.plan_for_shop(engine, connector.shop, products, fingerprints, today=TODAY)
    return publish_batch(engine, connector, plan.candidates, run_id=run_id, today=TODAY)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("channel", [Channel.LAZADA, Channel.TIKTOK], ids=str)
def test_a_changed_listing_is_updated_without_reading_it_from_the_shop(engine, tmp_path, caplog, channel):
    rows = sample_rows("Đồng Tháp", products=3, seed=5, today=TODAY)
    ingest_rows(engine, rows, today=TODAY)
    with running_sandboxes(tmp_path / "sandboxes") as fleet:
        connector = connector_for(fleet.shop(declaration(channel).official_shop))
        try:
            publish(engine, connector, channel, "first")
            ingest_rows(engine, [row | {"description": row["description"] + " Mùa vụ mới.",
                                        "price_vnd": str(int(row["price_vnd"]) + 1000)} for row in rows], today=TODAY)
            caplog.set_level(logging.INFO, logger="ocop.sandbox")
            caplog.clear()
            result = publish(engine, connector, channel, "second")
        finally:
            connector.close()

    assert result.calls["update"] > 0 and result.calls["price_stock"] == result.calls["update"], result.calls
    received = [record.args[1:3] for record in caplog.records if record.name == f"ocop.sandbox.{channel.value}"]
    assert received and [call for call in received if call[0] == "GET"] == [], received
