"""`ocop_sync`: the whole pipeline in order: pull the catalogue, publish, reconcile, report."""

from __future__ import annotations

from typing import Literal

from prefect import flow

from flows.publish import publish_listings
from flows.pull import pull_catalogue
from flows.reconcile import reconcile_listings
from flows.report import build_reports

Step = Literal["pull", "publish", "reconcile", "report"]


@flow(name="ocop_sync")
def ocop_sync(
    source: str | None = None,
    province: str | None = None,
    channels: list[str] | None = None,
    shops: list[str] | None = None,
    dry_run: bool = False,
    batch_size: int = 300,
    target_pct: float = 100.0,
    steps: list[Step] = ["pull", "publish", "reconcile", "report"],  # noqa: B006 (Prefect parameters are copied)
) -> dict:
    """Run the steps in order; `source` (registry URL, CSV or XLSX) is needed for the pull step.

    A dry run pulls nothing and reports the publish plan only.
    """
    results: dict = {}
    if dry_run:
        return {"publish": publish_listings(province=province, channels=channels, shops=shops, dry_run=True)}
    if "pull" in steps:
        if not source:
            raise ValueError("the pull step needs a source: a registry URL or a CSV/XLSX path (or leave out the pull step)")
        results["pull"] = pull_catalogue(source)
    if "publish" in steps:
        results["publish"] = publish_listings(province=province, channels=channels, shops=shops, batch_size=batch_size)
    if "reconcile" in steps:
        results["reconcile"] = reconcile_listings(province=province, channels=channels, shops=shops, target_pct=target_pct)
    if "report" in steps:
        results["report"] = build_reports(province=province)
    return results
