"""`ocop_sync`: the whole pipeline in order: pull the catalogue, publish, reconcile, report."""

from __future__ import annotations

from typing import Literal

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.publish import publish_listings, report_summary
from flows.pull import pull_catalogue
from flows.reconcile_listings import reconcile_listings
from flows.report import build_reports
from ocop.settings import load_settings
from publishing.publisher import PublishIncomplete

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
    email_reports: bool = False,
) -> dict:
    """Run the steps in order. The pull reads `source` (registry URL, CSV or XLSX), by default
    OCOP_CATALOGUE_SOURCE. A dry run pulls nothing and reports the publish plan only. `email_reports`
    has the report step e-mail each producer their own report (see the build_reports flow).
    """
    results: dict = {}
    if dry_run:
        return {"publish": publish_listings(province=province, channels=channels, shops=shops, dry_run=True)}
    if "pull" in steps:
        source = source or load_settings().catalogue_source
        if not source:
            raise ValueError("the pull step needs a source: set OCOP_CATALOGUE_SOURCE (a registry URL or a CSV/XLSX path), "
                             "pass the `source` parameter, or leave out the pull step")
        results["pull"] = pull_catalogue(source)
    publish_state = None
    if "publish" in steps:
        publish_state = publish_listings(province=province, channels=channels, shops=shops, batch_size=batch_size,
                                         return_state=True)
        results["publish"] = _publish_counts(publish_state.result(raise_on_failure=False))
        if results["publish"] is not None:
            report_summary(results["publish"])     # on this run's page too, where the operator looks
    # reconcile and report even when a shop failed: the office needs the report most on bad nights
    if "reconcile" in steps:
        results["reconcile"] = reconcile_listings(province=province, channels=channels, shops=shops, target_pct=target_pct)
        create_markdown_artifact(results["reconcile"]["summary"], key="coverage",
                                 description=f"Coverage, reconciliation run {results['reconcile']['run_id']}")
    if "report" in steps:
        results["report"] = build_reports(province=province, email=email_reports)
    if publish_state is not None and publish_state.is_failed():
        publish_state.result()   # re-raises the publish failure: the run ends Failed, ready for a Retry
    return results


def _publish_counts(outcome) -> dict | None:
    """What the publish subflow did per shop, whether it completed or not (None if it died before counting)."""
    if isinstance(outcome, PublishIncomplete):
        return outcome.counts
    return outcome if isinstance(outcome, dict) else None
