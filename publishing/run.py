"""One publish run over every shop: rounds of batches, the wait for listings other runs hold, the verdict.

`PublishRun.publish` reads as the policy. Every shop's candidates are cut into batches and
published in rounds: listings that failed transiently in one round (a 5xx after the connector's
own retries, a timeout) are tried again in the next, up to `ROUNDS`; refused ones are not (their
product has not changed), and a shop that stopped answering is out for the run. Then the listings
another live run held are waited for (a claim outlives a dead holder by seconds, `ledger.claims`)
and published if that run left them undone. `raise_if_incomplete` then fails the run, naming per
shop what is left and why, unless every listing it set out to handle was settled or refused.

Batches go through `submit`, which the flow gives (its Prefect task), so that each batch is a task
run while the policy stays plain code. Shops run concurrently; one connector per shop is shared by
its batches, and the shop's rate limit is shared through the database by every process that calls
it (`ledger.shop_rate_limit`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine

import ledger
from connectors.by_channel import connector_for
from connectors.types import Connector, ShopConfig
from ledger import claims
from publishing.candidates import plan_for_shop
from publishing.plan import Action, Candidate, ShopPlan
from publishing.publisher import (
    BatchResult,
    ImageCache,
    ListingOutcome,
    PublishIncomplete,
    ShopUnavailable,
    publish_batch,
)
from publishing.tally import RunTally
from rendering.pool import RenderPool

ROUNDS = 3

# Listings another live run holds are waited for this long by default (checked every few seconds).
HELD_WAIT_SECONDS = 300.0
HELD_POLL_SECONDS = 3.0


@dataclass(frozen=True)
class Batch:
    shop_key: str
    number: int
    items: tuple[Candidate, ...]


def batches(plan: ShopPlan, size: int) -> Iterator[Batch]:
    """Cut a shop's candidates into batches of `size`."""
    items = plan.candidates
    for number, start in enumerate(range(0, len(items), size), start=1):
        yield Batch(plan.shop_key, number, items[start : start + size])


def interleaved_batches(plans: Sequence[ShopPlan], size: int) -> list[Batch]:
    """Every shop's batches taken in turn (a batch of each shop, then the next of each), so that
    every shop is worked on at once, each within its own rate limit."""
    per_shop = [list(batches(plan, size)) for plan in plans]
    return [batch for row in itertools.zip_longest(*per_shop) for batch in row if batch is not None]


class BatchFuture(Protocol):
    def result(self) -> BatchResult: ...


# Starts publishing one batch (`PublishRun.publish_batch`) and returns its future.
SubmitBatch = Callable[[Batch], BatchFuture]


@dataclass(frozen=True)
class ShopClient:
    """What the batches of one shop share during a run: the connector (its rate limit) and the image cache."""

    connector: Connector
    images: ImageCache


class PublishRun:
    """One publish run's shops, clients, render pool and tally. Close it (or use it as a context manager)."""

    def __init__(self, engine: Engine, targets: Sequence[ShopConfig], *, run_id: str, today: dt.date,
                 only: frozenset[Action] | None, batch_size: int, render_processes: int, logger,
                 on_change: Callable[[RunTally], None] | None = None,
                 connect: Callable[[ShopConfig], Connector] | None = None) -> None:
        """`connect` gives a shop's connector; by default the channel's, paced by the shop's shared
        rate limit: every process publishing to a shop takes its calls' slots from one row."""
        connect = connect or (lambda shop: connector_for(shop, rate_limiter=ledger.shared_rate_limiter(engine, shop)))
        self.engine = engine
        self.targets = {shop.key: shop for shop in targets}
        self.run_id = run_id
        self.today = today
        self.only = only
        self.batch_size = batch_size
        self.logger = logger
        self.clients = {shop.key: ShopClient(connect(shop), ImageCache()) for shop in targets}
        self.tally = RunTally(list(self.targets), on_change=on_change)
        self.unavailable: dict[str, str] = {}     # shop key -> why it stopped
        self._render_processes = render_processes
        self._renders: RenderPool | None = None      # made by `publish`, once it knows whether anything is due
        self._candidates: dict[str, dict[int, Candidate]] = {}

    def __enter__(self) -> PublishRun:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def publish(self, plans: list[ShopPlan], submit: SubmitBatch, *, held_wait_s: float = HELD_WAIT_SECONDS) -> None:
        """Rounds of batches, then the wait for held listings (see the module's docstring)."""
        released = ledger.release_abandoned(self.engine, claims.claimant(self.run_id))
        if released:
            self.logger.info("released %d claims left by dead or earlier attempts", released)
        self._candidates = {plan.shop_key: {c.product_id: c for c in plan.candidates} for plan in plans}
        self._renders = RenderPool(self._render_processes if any(plan.candidates for plan in plans) else 0,
                                   channels={shop.channel for shop in self.targets.values()})
        try:
            self._rounds(plans, submit)
            self._wait_for_held(submit, deadline=time.monotonic() + held_wait_s)
        finally:
            for key, client in self.clients.items():
                retries = getattr(client.connector, "retries", None)   # an HTTP connector's; fakes have none
                if retries is not None:
                    self.tally.add_retries(key, retries.snapshot())

    def publish_batch(self, batch: Batch) -> BatchResult:
        """Publish one batch into the run's tally (what the flow's task runs); a shop that stopped
        answering raises `ShopUnavailable` after its tally is written."""
        client = self.clients[batch.shop_key]
        result = publish_batch(
            self.engine, client.connector, batch.items, run_id=self.run_id, today=self.today, only=self.only,
            images=client.images, renders=self._renders, on_listing=self.tally.listener(batch.shop_key),
        )
        self.tally.add(result)
        if result.stopped:
            raise ShopUnavailable(result.stopped)
        return result

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
        if self._renders is not None:
            self._renders.close()
        for client in self.clients.values():
            client.connector.close()

    def _rounds(self, plans: list[ShopPlan], submit: SubmitBatch) -> None:
        """Up to `ROUNDS` rounds: listings that failed transiently in one are tried again in the next."""
        for round_number in range(1, ROUNDS + 1):
            plans = [plan for plan in plans if plan.candidates and plan.shop_key not in self.unavailable]
            if not plans:
                return
            self.logger.info("round %d: candidates %s", round_number, {plan.shop_key: len(plan.candidates) for plan in plans})
            retry = self._round(plans, submit)
            plans = [plan.restricted_to(retry.get(plan.shop_key, set())) for plan in plans]

    def _round(self, plans: list[ShopPlan], submit: SubmitBatch) -> dict[str, set[int]]:
        """Publish every batch of every shop concurrently; returns, per shop, the products to try again.
        A shop whose batch stopped (outage, credentials refused) goes into `unavailable`."""
        pending = interleaved_batches(plans, self.batch_size)
        futures = [submit(batch) for batch in pending]
        retry: dict[str, set[int]] = {}
        for batch, future in zip(pending, futures):
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 (the batch failed: the shop is out for this run)
                self.unavailable.setdefault(batch.shop_key, str(error))
                for candidate in batch.items:
                    if candidate.product_id not in self.tally.shops[batch.shop_key].last:
                        self.tally.settle(batch.shop_key, candidate.product_id, ListingOutcome.NOT_ATTEMPTED)
                continue
            retry.setdefault(batch.shop_key, set()).update(result.retry)
        return retry

    def _wait_for_held(self, submit: SubmitBatch, *, deadline: float) -> None:
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
                candidates = [self._candidates[key][pid] for pid in ids]
                plan = plan_for_shop(self.engine, self.targets[key], {c.product_id: c.product for c in candidates},
                                     {c.product_id: c.fingerprint for c in candidates if c.fingerprint}, today=self.today)
                for product_id in ids - {candidate.product_id for candidate in plan.candidates}:
                    self.tally.settle(key, product_id, ListingOutcome.DONE_ELSEWHERE)
                plans.append(plan)
            self._rounds(plans, submit)
