"""`publish_listings`: plan every shop's listings, then publish them in batches (`publishing.run`).

The flow orchestrates and publishes artifacts; the policy (rounds, the wait for held listings, the
verdict) is `publishing.run.PublishRun`. Tasks are per shop (plan) and per batch (publish), never
per listing (a task run costs ~9 ms of orchestration). A shop without an API gets one task that
writes its workbook (`publishing.workbook`): rows counted as written, awaiting upload, never as done.
"""

from __future__ import annotations

import uuid
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from connectors.types import ShopConfig
from connectors.workbook import shop_layout
from flows.context import PipelineContext, pipeline_context
from publishing import candidates
from publishing.plan import PRICE_AND_STOCK_ONLY, PlannedListing, ShopPlan, count_actions
from publishing.progress import Progress
from publishing.publisher import BatchResult
from publishing.run import HELD_WAIT_SECONDS, Batch, PublishRun
from publishing.tally import summary_line, summary_rows
from publishing.workbook import WorkbookResult, workbook_target, write_shop_workbook
from rendering.profiles import load_profile


@task(cache_policy=NO_CACHE)
def plan_shop_task(context: PipelineContext, shop: ShopConfig, products, fingerprints) -> ShopPlan:
    return candidates.plan_for_shop(context.engine, shop, products, fingerprints, today=context.today)


@task(cache_policy=NO_CACHE)
def preview_shop_task(context: PipelineContext, shop: ShopConfig, plan: ShopPlan) -> list[PlannedListing]:
    return candidates.preview(context.engine, shop, plan, today=context.today)


@task(cache_policy=NO_CACHE)
def publish_batch_task(run: PublishRun, batch: Batch) -> BatchResult:
    return run.publish_batch(batch)


@task(cache_policy=NO_CACHE)
def write_workbook_task(context: PipelineContext, shop: ShopConfig, products, fingerprints, run_id: str) -> WorkbookResult:
    return write_shop_workbook(context.engine, shop, shop_layout(shop), products, fingerprints,
                               workbook_target(context.settings), run_id=run_id, today=context.today)


@flow(name="publish_listings", task_runner=ThreadPoolTaskRunner(max_workers=12))
def publish_listings(
    province: str | None = None,
    channels: list[str] | None = None,
    shops: list[str] | None = None,
    dry_run: bool = False,
    batch_size: int = 300,
    scope: Literal["all", "price_stock"] = "all",
    held_wait_s: float = HELD_WAIT_SECONDS,
) -> dict:
    """Publish new, changed, failed and expired listings to every shop; returns counts per shop.

    `scope="price_stock"` only pushes price and stock changes (the frequent sync). Listings another
    live run holds are waited for up to `held_wait_s` seconds. The run ends Failed, naming what is
    left and why, unless every listing it set out to handle was settled (by it or by the run that
    held it) or refused by the platform.
    """
    logger = get_run_logger()
    context = pipeline_context()
    targets = context.select_shops(channels=channels, shops=shops)
    products = candidates.load_products(context.engine, province=province)
    fingerprints = {
        channel: candidates.fingerprints(products, load_profile(channel), today=context.today)
        for channel in {shop.channel for shop in targets}
    }
    # a shop without an API gets its due listings as rows of a workbook, planned where they are written
    workbook_shops = [shop for shop in targets if shop_layout(shop) is not None]
    planned = targets if dry_run else [shop for shop in targets if shop not in workbook_shops]
    futures = [plan_shop_task.submit(context, shop, quote(products), quote(fingerprints[shop.channel])) for shop in planned]
    plans = [future.result() for future in futures]
    if dry_run:
        previews = {shop.key: preview_shop_task.submit(context, shop, quote(plan)) for shop, plan in zip(planned, plans)}
        decided = {key: future.result() for key, future in previews.items()}
        # a shop without an API would get rows of a workbook, not calls: the plan says so
        by_workbook = {shop.key for shop in workbook_shops}
        _report_plan(decided, by_workbook)
        return {key: {_planned(name, key in by_workbook): n for name, n in count_actions(items).items()}
                for key, items in decided.items()}
    run_id = _run_id()
    written = [write_workbook_task.submit(context, shop, quote(products), quote(fingerprints[shop.channel]), run_id)
               for shop in workbook_shops]
    workbooks = [future.result() for future in written]
    if workbooks:
        _report_workbooks(workbooks, logger)
    progress = _progress({shop.key: len(plan.candidates) for shop, plan in zip(planned, plans)}, logger)
    with PublishRun(context.engine, planned, run_id=run_id, today=context.today,
                    only=PRICE_AND_STOCK_ONLY if scope == "price_stock" else None, batch_size=batch_size,
                    render_processes=context.settings.render_processes, logger=logger, on_change=progress.update) as run:
        try:
            # quote(): Prefect would otherwise walk every input down to each catalogue record, twice
            run.publish(plans, lambda batch: publish_batch_task.submit(run, quote(batch)), held_wait_s=held_wait_s)
        finally:
            progress.close()
            counts = {result.shop_key: result.counts() for result in workbooks} | run.tally.counts()
            report_summary(counts)
            logger.info("publish summary: %s", summary_line(counts))
        run.raise_if_incomplete(held_wait_s)
    return counts


WORKBOOK_ROW = "workbook_row:"   # a planned action a shop without an API gets as a workbook row to upload


def _report_workbooks(workbooks: list[WorkbookResult], logger) -> None:
    """Where each workbook is and what the operator does next: its rows are not on the shop yet."""
    lines = [result.summary() for result in workbooks]
    for line in lines:
        logger.info(line)
    create_markdown_artifact("\n".join(f"- {line}" for line in lines), key="workbooks",
                             description="Workbooks written for shops without an API, awaiting upload")


def _run_id() -> str:
    """The pipeline run's id: the root flow run's, so that a retry of `ocop_sync` inherits the
    claims and the ledger events of its earlier attempt."""
    return str(flow_run.root_flow_run_id or flow_run.id or uuid.uuid4())


def _progress(planned: dict[str, int], logger) -> Progress:
    artifact_id = create_progress_artifact(0.0, key="publish-progress", description="Listings whose outcome this run settled")
    return Progress(planned, lambda percent: update_progress_artifact(artifact_id, percent), logger)


def _planned(action: str, by_workbook: bool) -> str:
    return f"{WORKBOOK_ROW}{action}" if by_workbook else action


def _report_plan(decided: dict[str, list[PlannedListing]], by_workbook: set[str]) -> None:
    rows = [
        {"shop": key, "seller_sku": item.seller_sku,
         "actions": ", ".join(_planned(a.value, key in by_workbook) for a in item.actions),
         "reasons": "; ".join(item.reasons)}
        for key, items in decided.items()
        for item in items
    ]
    create_table_artifact(rows or [{"shop": "-", "seller_sku": "-", "actions": "nothing to do", "reasons": ""}],
                          key="publish-plan", description="Dry run: what a publish would do, per shop")


def report_summary(counts: dict[str, dict[str, int]]) -> None:
    """The publish summary artifact, on the flow run that calls it (the publish run, and `ocop_sync`)."""
    create_table_artifact(summary_rows(counts), key="publish-summary",
                          description="What this run did, per shop: calls made, listings refused, blocked, "
                                      "failed, not attempted, held by another run or out of scope, and "
                                      "listings found with nothing to send, by reason (not_sent:...)")
