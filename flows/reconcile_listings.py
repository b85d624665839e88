"""`reconcile_listings`: read what every shop really holds, classify each product x shop, measure coverage.

What the shops hold also flows back into the ledger (`reconcile.run.reconcile_shops`), so the next
publish re-creates a listing a seller deleted, relists one found inactive, and re-pushes content
edited by hand (drift).
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event

import ledger
from connectors.by_channel import connector_for
from connectors.workbook import shop_layout
from flows.context import pipeline_context
from reconcile.imported import exports_dir, latest_pull
from reconcile.run import reconcile_shops
from reports.summary import coverage_markdown

BELOW_TARGET_EVENT = "ocop.coverage.below-target"


@flow(name="reconcile_listings")
def reconcile_listings(
    province: str | None = None,
    channels: list[str] | None = None,
    shops: list[str] | None = None,
    target_pct: float = 100.0,
) -> dict:
    """Returns the run id and coverage per channel; emits `ocop.coverage.below-target` below the target."""
    context = pipeline_context()
    chosen = context.select_shops(channels=channels, shops=shops)
    # a shop without an API is read from the latest product export imported from its seller centre
    imported = [latest_pull(shop, layout, exports_dir(context.settings))
                for shop in chosen if (layout := shop_layout(shop)) is not None]
    connectors = [connector_for(shop, rate_limiter=ledger.shared_rate_limiter(context.engine, shop))
                  for shop in chosen if shop_layout(shop) is None]
    try:
        result = reconcile_shops(context.engine, connectors, province=province, as_of=context.today,
                                 target_pct=target_pct, imported=imported)
    finally:
        for connector in connectors:
            connector.close()
    coverage = result.coverage
    summary = coverage_markdown(coverage, lang="en")
    create_markdown_artifact(summary, key="coverage", description=f"Coverage, reconciliation run {result.run_id}")
    get_run_logger().info("reconciliation run %s: %d ledger bindings refreshed\n%s",
                          result.run_id, result.bindings_refreshed, summary)
    if result.below_target:
        emit_event(
            event=BELOW_TARGET_EVENT,
            resource={"prefect.resource.id": f"ocop.province.{province or 'all'}", "prefect.resource.name": province or "all"},
            payload={"run_id": result.run_id, "target_pct": target_pct, "shortfalls": list(coverage.shortfalls)},
        )
    return {
        "run_id": result.run_id,
        "summary": summary,
        "below_target": result.below_target,
        "channels": {c.channel: {"live": c.share.live, "listable": c.share.listable} for c in coverage.channels},
        "all_channels": {"live": coverage.all_channels.live, "listable": coverage.all_channels.listable},
    }
