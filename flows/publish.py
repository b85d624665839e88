"""`publish_listings`: render, plan and publish every shop's listings in batches.

Thin orchestration over `listings.sync`: tasks are per shop (plan) and per batch (publish), never
per listing (a task run costs ~9 ms of orchestration). Shops run concurrently; one connector per
shop is shared by its batches, and the shop's rate limit is shared through the database by every
process that calls it (`ledger.shop_rate_limit`).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_progress_artifact, create_table_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

import ledger
from connectors.registry import connector_for
from connectors.types import Connector, ShopConfig
from flows.context import PipelineContext, pipeline_context
from listings import sync
from listings.plan import PRICE_AND_STOCK_ONLY, PlannedListing, ShopPlan, count_actions
from rendering.profiles import load_profile
from listings.publish import BatchResult, ImageCache, ListingOutcome, PublishIncomplete, ShopUnavailable
from rendering.pool import RenderPool

# Listings that failed transiently in one round (a 5xx after the connector's own retries, a
# timeout) are tried again in the next; refused ones are not (their product has not changed).
ROUNDS = 3

# Listings another live run holds are waited for this long (checked every few seconds), then the
# run ends Failed naming them: a claim outlives a dead holder by seconds (`ledger.claims`).
HELD_WAIT_SECONDS = 300.0
HELD_POLL_SECONDS = 3.0


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
    context: PipelineContext, shop: ShopClient, batch: sync.Batch, run_id: str, only, tally: sync.RunTally,
    renders: RenderPool,
) -> BatchResult:
    result = sync.publish_batch(
        context.engine, shop.connector, batch.items, run_id=run_id, today=context.today, only=only,
        images=shop.images, renders=renders, on_listing=tally.listener(batch.shop_key),
    )
    tally.add(result)
    if result.stopped:
        raise ShopUnavailable(result.stopped)    # the task fails; what it did is in the tally
    return result


class Progress:
    """The run's progress: listings whose outcome this run settled, of those it set out to handle.

    A Prefect progress artifact updated at most every 2%, and a log line every 10%. Listings held by
    another run, failed or not attempted are not progress; those another run settled meanwhile
    leave the count of what this run had to do.
    """

    def __init__(self, total: int, logger) -> None:
        self.total = total
        self._reported = -100.0
        self._logged = -100.0
        self._lock = threading.Lock()
        self._logger = logger
        self.artifact_id = create_progress_artifact(0.0, key="publish-progress",
                                                    description="Listings whose outcome this run settled")

    def update(self, tally: sync.RunTally) -> None:
        settled, elsewhere = tally.settled()
        total = max(self.total - elsewhere, 1)
        percent = 100.0 * settled / total
        with self._lock:
            if percent - self._reported >= 2 or settled == total:
                self._reported = percent
                update_progress_artifact(self.artifact_id, percent)
            if percent - self._logged >= 10 or settled == total:
                self._logged = percent
                self._logger.info("settled %d of %d listings (%.0f%%)", settled, total, percent)


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
    only = PRICE_AND_STOCK_ONLY if scope == "price_stock" else None
    targets = context.select_shops(channels=channels, shops=shops)
    products = sync.load_products(context.engine, province=province)
    fingerprints = {
        channel: sync.fingerprints(products, load_profile(channel), today=context.today)
        for channel in {shop.channel for shop in targets}
    }
    futures = [plan_shop_task.submit(context, shop, quote(products), quote(fingerprints[shop.channel])) for shop in targets]
    plans = [future.result() for future in futures]
    if dry_run:
        previews = {shop.key: preview_shop_task.submit(context, shop, quote(plan)) for shop, plan in zip(targets, plans)}
        decided = {key: future.result() for key, future in previews.items()}
        _report_plan(decided)
        return {key: dict(count_actions(items)) for key, items in decided.items()}
    run = PublishRun(context, targets, run_id=_run_id(), only=only, batch_size=batch_size, logger=logger,
                     progress=Progress(sum(len(plan.candidates) for plan in plans), logger))
    renders = RenderPool(context.settings.render_processes if any(plan.candidates for plan in plans) else 0,
                         channels={shop.channel for shop in targets})
    try:
        run.publish(plans, renders)
        run.wait_for_held(products, fingerprints, renders, deadline=time.monotonic() + held_wait_s)
    finally:
        renders.close()
        run.close()
        counts = run.tally.counts()
        report_summary(counts)
        logger.info("publish summary: %s", sync.summary_line(counts))
    run.raise_if_incomplete(held_wait_s)
    return run.tally.counts()


def _run_id() -> str:
    """The pipeline run's id: the root flow run's, so that a retry of `ocop_sync` inherits the
    claims and the ledger events of its earlier attempt."""
    return str(flow_run.root_flow_run_id or flow_run.id or uuid.uuid4())


class PublishRun:
    """One publish run's shops, clients and tally: rounds of batches, then the wait for held listings."""

    def __init__(self, context: PipelineContext, targets: list[ShopConfig], *, run_id: str, only, batch_size: int,
                 logger, progress: Progress) -> None:
        self.context = context
        self.targets = {shop.key: shop for shop in targets}
        self.run_id = run_id
        self.only = only
        self.batch_size = batch_size
        self.logger = logger
        # every process publishing to a shop takes its calls' slots from one row: the shop's rate is the total
        self.clients = {shop.key: ShopClient(connector_for(shop, rate_limiter=ledger.shared_rate_limiter(context.engine, shop)),
                                             ImageCache())
                        for shop in targets}
        self.tally = sync.RunTally(list(self.targets), on_change=progress.update)
        self.unavailable: dict[str, str] = {}

    def publish(self, plans: list[ShopPlan], renders: RenderPool) -> None:
        """Up to `ROUNDS` rounds: listings that failed transiently in one are tried again in the next."""
        for round_number in range(1, ROUNDS + 1):
            plans = [plan for plan in plans if plan.candidates and plan.shop_key not in self.unavailable]
            if not plans:
                return
            self.logger.info("round %d: candidates %s", round_number, {plan.shop_key: len(plan.candidates) for plan in plans})
            retry = self._round(plans, renders)
            plans = [plan.restricted_to(retry.get(plan.shop_key, set())) for plan in plans]

    def wait_for_held(self, products, fingerprints, renders: RenderPool, *, deadline: float) -> None:
        """Listings another live run held: wait for it to let go, then publish what it left undone.
        Those it settled meanwhile are counted as done by that run, not by this one."""
        while True:
            held = {key: shop.held() for key, shop in self.tally.shops.items() if key not in self.unavailable}
            held = {key: ids for key, ids in held.items() if ids}
            if not held or time.monotonic() >= deadline:
                return
            self.logger.info("waiting for listings held by other runs: %s",
                             {key: dict(self.tally.shops[key].held_runs()) for key in held})
            time.sleep(HELD_POLL_SECONDS)
            plans = []
            for key, ids in held.items():
                shop = self.targets[key]
                plan = sync.plan_for_shop(self.context.engine, shop, {pid: products[pid] for pid in ids},
                                          fingerprints[shop.channel], today=self.context.today)
                for product_id in ids - {candidate.product_id for candidate in plan.candidates}:
                    self.tally.settle(key, product_id, ListingOutcome.DONE_ELSEWHERE)
                plans.append(plan)
            self.publish(plans, renders)

    def raise_if_incomplete(self, held_wait_s: float) -> None:
        """Fail the run, naming per shop what is left and why, unless every listing was settled or refused."""
        unfinished = self.tally.unfinished()
        if not unfinished and not self.unavailable:
            return
        parts = []
        for key in self.targets:
            shop, counts = self.tally.shops[key], unfinished.get(key, {})
            words = [f"{counts[name]} {name.replace('_', ' ')}" for name in (ListingOutcome.FAILED, ListingOutcome.NOT_ATTEMPTED)
                     if counts.get(name)]
            words += [f"{n} held by run {run} after waiting {held_wait_s:.0f} s" for run, n in shop.held_runs().items()]
            if key in self.unavailable:
                words.insert(0, f"stopped ({self.unavailable[key]})")
            if words:
                parts.append(f"{key}: " + ", ".join(words))
        error = (ShopUnavailable if self.unavailable else PublishIncomplete)("not published by this run: " + "; ".join(parts))
        error.counts = self.tally.counts()
        raise error

    def close(self) -> None:
        for client in self.clients.values():
            client.connector.close()

    def _round(self, plans: list[ShopPlan], renders: RenderPool) -> dict[str, set[int]]:
        """Publish every batch of every shop concurrently; returns, per shop, the products to try again.
        A shop whose batch stopped (outage, credentials refused) goes into `unavailable`."""
        pending = sync.interleaved_batches(plans, self.batch_size)
        # quote(): Prefect would otherwise walk every input down to each catalogue record, twice
        futures = [publish_batch_task.submit(self.context, self.clients[batch.shop_key], quote(batch), self.run_id,
                                             self.only, self.tally, renders)
                   for batch in pending]
        retry: dict[str, set[int]] = {}
        for batch, future in zip(pending, futures):
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 (the batch task failed: the shop is out for this run)
                self.unavailable.setdefault(batch.shop_key, str(error))
                for candidate in batch.items:
                    if candidate.product_id not in self.tally.shops[batch.shop_key].last:
                        self.tally.settle(batch.shop_key, candidate.product_id, ListingOutcome.NOT_ATTEMPTED)
                continue
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


def report_summary(counts: dict[str, dict[str, int]]) -> None:
    """The publish summary artifact, on the flow run that calls it (the publish run, and `ocop_sync`)."""
    create_table_artifact(sync.summary_rows(counts), key="publish-summary",
                          description="What this run did, per shop: calls made, listings refused, blocked, "
                                      "failed, not attempted, held by another run or out of scope, and "
                                      "listings found with nothing to send, by reason (not_sent:...)")
