"""`publish_listings`: render, plan and publish every shop's listings in batches.

Thin orchestration over `listings.sync`: tasks are per shop (plan) and per batch (publish), never
per listing (a task run costs ~9 ms of orchestration). Shops run concurrently; one connector per
shop is shared by its batches so the shop's client-side rate limit holds across them.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_progress_artifact, create_table_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from connectors.registry import connector_for
from connectors.types import Connector, ShopConfig
from flows.context import PipelineContext, pipeline_context
from listings import sync
from listings.plan import PRICE_AND_STOCK_ONLY, PlannedListing, ShopPlan, count_actions
from listings.profiles import load_profile
from listings.publish import BatchResult, ImageCache, ShopUnavailable
from listings.render_pool import RenderPool

# Listings that failed transiently in one round (a 5xx after the connector's own retries, a
# timeout) are tried again in the next; refused ones are not (their product has not changed).
ROUNDS = 3


@dataclass(frozen=True)
class ShopClient:
    """What the batches of one shop share during a run: the connector (its rate limit) and the image cache."""

    connector: Connector
    images: ImageCache


@task(cache_policy=NO_CACHE)
def plan_shop_task(context: PipelineContext, shop: ShopConfig, products, fingerprints) -> ShopPlan:
    return sync.plan_for_shop(context.engine, shop, products, fingerprints, today=context.today)


@task(cache_policy=NO_CACHE)
def preview_shop_task(context: PipelineContext, shop: ShopConfig, plan: ShopPlan) -> list[PlannedListing]:
    return sync.preview(context.engine, shop, plan, today=context.today)


@task(cache_policy=NO_CACHE)
def publish_batch_task(
    context: PipelineContext, shop: ShopClient, batch: sync.Batch, run_id: str, only, progress: Progress,
    renders: RenderPool,
) -> BatchResult:
    return sync.publish_batch(
        context.engine, shop.connector, batch.items, run_id=run_id, today=context.today, only=only,
        images=shop.images, renders=renders, on_progress=progress.advance_by(batch),
    )



class Progress:
    """A Prefect progress artifact, updated from the batch threads at most every 2%; a log line every 10%."""

    def __init__(self, total: int, logger) -> None:
        self.total = max(total, 1)
        self.done = 0
        self._reported = 0.0
        self._logged = 0.0
        self._lock = threading.Lock()
        self._logger = logger
        self.artifact_id = create_progress_artifact(0.0, key="publish-progress", description="Listings published this run")

    def advance_by(self, batch: sync.Batch):
        seen = 0

        def on_progress(done_in_batch: int) -> None:
            nonlocal seen
            with self._lock:
                self.done += done_in_batch - seen
                seen = done_in_batch
                percent = 100.0 * self.done / self.total
                if percent - self._reported >= 2 or self.done == self.total:
                    self._reported = percent
                    update_progress_artifact(self.artifact_id, percent)
                if percent - self._logged >= 10 or self.done == self.total:
                    self._logged = percent
                    self._logger.info("published %d of %d listings (%.0f%%)", self.done, self.total, percent)

        return on_progress


@flow(name="publish_listings", task_runner=ThreadPoolTaskRunner(max_workers=12))
def publish_listings(
    province: str | None = None,
    channels: list[str] | None = None,
    shops: list[str] | None = None,
    dry_run: bool = False,
    batch_size: int = 300,
    scope: Literal["all", "price_stock"] = "all",
) -> dict:
    """Publish new, changed, failed and expired listings to every shop; returns counts per shop.

    `scope="price_stock"` only pushes price and stock changes (the frequent sync).
    """
    logger = get_run_logger()
    context = pipeline_context()
    only = PRICE_AND_STOCK_ONLY if scope == "price_stock" else None
    targets = context.select_shops(channels=channels, shops=shops)
    products = sync.load_products(context.engine, province=province)
    fingerprints = {
        channel: sync.fingerprints(products, load_profile(channel), today=context.today)
        for channel in {shop.channel for shop in targets}
    }

    def plan_all() -> list[ShopPlan]:
        futures = [plan_shop_task.submit(context, shop, quote(products), quote(fingerprints[shop.channel]))
                   for shop in targets]
        return [future.result() for future in futures]

    plans = plan_all()
    if dry_run:
        previews = {shop.key: preview_shop_task.submit(context, shop, quote(plan)) for shop, plan in zip(targets, plans)}
        decided = {key: future.result() for key, future in previews.items()}
        _report_plan(decided)
        return {key: dict(count_actions(items)) for key, items in decided.items()}
    run_id = str(flow_run.id or uuid.uuid4())
    clients = {shop.key: ShopClient(connector_for(shop), ImageCache()) for shop in targets}
    summary: dict[str, Counter] = {shop.key: Counter() for shop in targets}
    unavailable: dict[str, BaseException] = {}
    renders = RenderPool(context.settings.render_processes if any(plan.candidates for plan in plans) else 0,
                         channels={shop.channel for shop in targets})
    try:
        for round_number in range(1, ROUNDS + 1):
            plans = [plan for plan in plans if plan.candidates and plan.shop_key not in unavailable]
            if not plans:
                break
            logger.info("round %d: candidates %s", round_number, {plan.shop_key: len(plan.candidates) for plan in plans})
            retry = _publish_round(context, clients, renders, plans, batch_size, run_id, only, summary, unavailable)
            plans = [plan.restricted_to(retry.get(plan.shop_key, set())) for plan in plans]
    finally:
        renders.close()
        for client in clients.values():
            client.connector.close()
        _report_summary(summary)
    if unavailable:
        # every other shop finished first; failing the run lets an operator's Retry pick the rest up
        raise ShopUnavailable("; ".join(f"{key}: {error}" for key, error in unavailable.items()))
    return {key: dict(counts) for key, counts in summary.items()}


def _publish_round(
    context, clients, renders: RenderPool, plans: list[ShopPlan], batch_size: int, run_id: str, only, summary, unavailable
) -> dict[str, set[int]]:
    """Publish every batch of every shop concurrently; returns, per shop, the products to try again.

    A shop whose batch stopped (outage, credentials refused) goes into `unavailable`.
    """
    pending = sync.interleaved_batches(plans, batch_size)
    progress = Progress(sum(len(batch.items) for batch in pending), get_run_logger())
    # quote(): Prefect would otherwise walk every input down to each catalogue record, twice
    futures = [publish_batch_task.submit(context, clients[batch.shop_key], quote(batch), run_id, only, progress, renders)
               for batch in pending]
    retry: dict[str, set[int]] = {}
    for batch, future in zip(pending, futures):
        try:
            result = future.result()
        except Exception as error:  # noqa: BLE001 (the batch task failed: the shop is out for this run)
            unavailable.setdefault(batch.shop_key, error)
            continue
        summary[batch.shop_key].update(result.calls)
        summary[batch.shop_key].update({f"failed:{name}": n for name, n in result.failures.items()})
        if result.blocked:
            summary[batch.shop_key]["blocked"] += result.blocked
        retry.setdefault(batch.shop_key, set()).update(result.retry)
    return retry


def _report_plan(decided: dict[str, list[PlannedListing]]) -> None:
    rows = [
        {"shop": key, "seller_sku": item.seller_sku, "actions": ", ".join(a.value for a in item.actions),
         "reasons": "; ".join(item.reasons)}
        for key, items in decided.items()
        for item in items
    ]
    create_table_artifact(rows or [{"shop": "-", "seller_sku": "-", "actions": "nothing to do", "reasons": ""}],
                          key="publish-plan", description="Dry run: what a publish would do, per shop")


def _report_summary(summary: dict[str, Counter]) -> None:
    rows = [{"shop": key, **{name: counts.get(name, 0) for name in sorted(_columns(summary))}} for key, counts in summary.items()]
    create_table_artifact(rows, key="publish-summary", description="Marketplace calls made by this run, per shop")


def _columns(summary: dict[str, Counter]) -> set[str]:
    return {name for counts in summary.values() for name in counts} or {"create"}
