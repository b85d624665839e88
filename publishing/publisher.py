"""Publishing one batch of candidates to one shop, writing every outcome to the ledger as it happens.

`Publisher.publish` reads as the procedure: claim the batch and read the claimed bindings afresh;
for each candidate, screen it again against that state (another worker or an earlier attempt may
have done the work: counted as unchanged, with the screening's reason), render it, plan its
actions, call the marketplace, record each outcome; release the claims at the end. A
`ClaimKeeper` renews the claims while the batch works, so no other live worker writes its
bindings, and a dead batch's claims are free again within seconds (`ledger.claims`). A listing
that another live run holds is counted as held by that run, never as published; a shop that stops
answering ends the batch with `BatchResult.stopped` saying why.

Ledger writes per listing: a create marks its binding "sending" before the call (a crash leaves
"unknown outcome", resolved by a seller SKU lookup); each outcome is one transaction (binding,
event, and the images uploaded for it), and a listing's last outcome settles its input
fingerprint in that same transaction.

A create the platform reviews before it makes an item (Tiki) leaves a request: the binding holds
its tracking id and no remote id. Each publish reads the request's state before anything else:
still under review, nothing is sent; approved, the binding takes the item's id and the listing is
planned as any other; rejected, the refusal is recorded with the platform's reasons and the same
content is not submitted again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

import ledger
from catalogue.records import CatalogueProduct
from connectors.errors import AuthError, ConnectorError, NotFound, RateLimited, Rejected, TransientError, UnknownOutcome
from connectors.types import Connector, CreateResult, ListingStatus
from ledger import Binding, Outcome, claims
from ocop.store import transaction, writing
from publishing.plan import Action, Candidate, PlannedListing, Reason, narrow, plan_listing, screen
from rendering.listing import Blocked, RenderedListing
from rendering.pool import PendingRender, RenderPool

# Starts rendering products' listings for the batch's channel (see `rendering.pool`).
SubmitRender = Callable[[Sequence[CatalogueProduct]], list[PendingRender]]

# Told of each candidate's outcome as it is known: (product id, ListingOutcome, and for an
# unchanged listing the `publishing.plan.Reason` nothing was sent, else None).
OnListing = Callable[[int, str, Reason | None], None]

log = logging.getLogger(__name__)

# After this many transient failures in a row the shop is treated as down: the batch stops so the
# run fails fast and an operator's Retry (or the next schedule) picks the rest up from the ledger.
CONSECUTIVE_FAILURES_BEFORE_GIVING_UP = 5

# A batch renews its claims itself before a listing if its keeper has not for half the lease (the
# keeper's thread renews every few seconds; this covers a keeper that could not reach the database).
RENEW_AFTER_SECONDS = claims.CLAIM_LEASE.total_seconds() / 2

# How many listings of a batch are being rendered ahead of the one being sent (at most), asked for
# this many at a time.
RENDER_AHEAD = 8
RENDER_GROUP = 4

# What a decision of the platform's writes over the last error (a failed read of a request's state).
NO_ERROR = {"last_error_class": None, "last_error_code": None, "last_error_message": None}

# Creates are marked "sending" this many at a time, in one transaction, before the first is sent: a
# crash leaves at most this many marked, and each costs one seller SKU lookup on the next attempt.
SENDING_WINDOW = 8


class PublishIncomplete(RuntimeError):
    """A publish run ended with listings neither settled nor refused; `counts` is what it did, per shop."""

    counts: dict[str, dict[str, int]] = {}


class ShopUnavailable(PublishIncomplete):
    """The shop kept failing (outage) or refused our credentials: its batch stopped early."""


class ListingOutcome:
    """What a batch did with one candidate listing (one word each, counted in `BatchResult.listings`)."""

    DONE = "done"                  # every planned call succeeded
    REFUSED = "refused"            # the platform refused the content: recorded, not retried until it changes
    BLOCKED = "blocked"            # incomplete: not sent, the missing fields recorded
    FAILED = "failed"              # a transient failure, offered to the next round
    UNCHANGED = "unchanged"        # nothing to do: already in the state the catalogue asks for
    OUT_OF_SCOPE = "out_of_scope"  # needs calls this run's scope leaves out (e.g. content in a price sync)
    HELD = "held"                  # another live run holds it: not touched by this run
    NOT_ATTEMPTED = "not_attempted"  # the shop stopped answering before its turn
    DONE_ELSEWHERE = "done_by_other_run"  # held by another run, which then settled it

    SETTLED = frozenset({DONE, REFUSED, BLOCKED, UNCHANGED})       # settled by this run
    UNFINISHED = frozenset({FAILED, HELD, NOT_ATTEMPTED})           # neither settled nor refused


@dataclass
class BatchResult:
    shop_key: str
    calls: Counter[str] = field(default_factory=Counter)        # operation -> successful calls
    failures: Counter[str] = field(default_factory=Counter)     # error class -> count
    listings: Counter[str] = field(default_factory=Counter)     # ListingOutcome -> listings
    not_sent: Counter[str] = field(default_factory=Counter)     # Reason -> unchanged listings, why nothing was sent
    held_by_listing: dict[int, str] = field(default_factory=dict)  # product id -> the run holding it
    retry: set[int] = field(default_factory=set)                 # product ids that failed transiently
    estimated: set[int] = field(default_factory=set)             # product ids pushed with an estimated package
    stopped: str | None = None                                   # why the shop's batch stopped early

    @property
    def held_by(self) -> Counter[str]:
        """Run id -> listings it held."""
        return Counter(self.held_by_listing.values())

    @property
    def skipped_claimed_elsewhere(self) -> int:
        return self.listings[ListingOutcome.HELD]

    @property
    def skipped_already_done(self) -> int:
        return self.listings[ListingOutcome.UNCHANGED]

    @property
    def blocked(self) -> int:
        return self.listings[ListingOutcome.BLOCKED]


class ImageCache:
    """The images already on one shop, by content hash, shared by every batch publishing to it, so a
    shared image (the star badge) is uploaded once per shop even when batches run concurrently."""

    def __init__(self) -> None:
        self._refs: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._pending: dict[str, threading.Lock] = {}

    def load_once(self, load: Callable[[], dict[str, str]]) -> None:
        with self._lock:
            if self._refs is None:
                self._refs = load()

    def ref(self, sha256: str, upload: Callable[[], str]) -> str:
        """The shop's reference for the image, calling `upload` only if no batch has uploaded it yet."""
        with self._lock:
            lock = self._pending.setdefault(sha256, threading.Lock())
        with lock:
            if sha256 not in self._refs:
                self._refs[sha256] = upload()
            return self._refs[sha256]


class RendersAhead:
    """A batch's renders, started up to `RENDER_AHEAD` listings ahead of the one being published,
    `RENDER_GROUP` at a time (once the listings started fall to `RENDER_AHEAD - RENDER_GROUP`).

    Taken in the batch's order; a listing passed over (its claim lost) gives its place up.
    """

    def __init__(self, submit: SubmitRender, candidates: Sequence[Candidate]) -> None:
        self._submit = submit
        self._position = {candidate.product_id: index for index, candidate in enumerate(candidates)}
        self._waiting = deque(candidates)
        self._started: dict[int, PendingRender] = {}     # by product id, in the batch's order

    def take(self, candidate: Candidate) -> RenderedListing | Blocked:
        here = self._position.get(candidate.product_id, -1)
        for passed in [pid for pid in self._started if self._position[pid] < here]:
            self._started.pop(passed).cancel()
        self._top_up()
        future = self._started.pop(candidate.product_id, None) or self._submit([candidate.product])[0]
        self._top_up()
        return future.result()

    def cancel(self) -> None:
        """The batch stopped early: renders not started yet are dropped."""
        for future in self._started.values():
            future.cancel()
        self._started.clear()
        self._waiting.clear()

    def _top_up(self) -> None:
        while self._waiting and len(self._started) <= RENDER_AHEAD - RENDER_GROUP:
            group = [self._waiting.popleft() for _ in range(min(RENDER_GROUP, len(self._waiting)))]
            for candidate, pending in zip(group, self._submit([c.product for c in group]), strict=True):
                self._started[candidate.product_id] = pending


class Publisher:
    def __init__(
        self,
        engine: Engine,
        connector: Connector,
        render: SubmitRender,
        *,
        shop_id: int,
        run_id: str,
        today: dt.date,
        only: frozenset[Action] | None = None,
        images: ImageCache | None = None,
        on_listing: OnListing | None = None,
    ) -> None:
        self.engine = engine
        self.connector = connector
        self.render = render
        self.shop_id = shop_id
        self.run_id = run_id
        self.owner = claims.claimant(run_id)
        self.today = today
        self.only = only
        self.on_listing = on_listing or (lambda product_id, outcome, reason: None)
        self.result = BatchResult(connector.shop.key)
        self._images = images or ImageCache()
        self._failures_in_a_row = 0
        self._unsaved_images: list[tuple[str, str]] = []   # uploaded, written with the next outcome
        self._bindings: dict[int, Binding] = {}   # the claimed bindings, as read at the claim
        self._creates_ahead: list[int] = []    # the batch's likely creates, in order
        self._marked: set[int] = set()         # product ids marked "sending"
        self._settling = False                 # whether the next final outcome settles the listing
        self._fingerprint: str | None = None
        self._renders = RendersAhead(render, [])

    def publish(self, candidates: Sequence[Candidate]) -> BatchResult:
        with writing(self.engine) as connection:
            ledger.ensure_bindings(connection, self.shop_id, [(c.product_id, c.product.product.seller_sku) for c in candidates])
            self._images.load_once(lambda: ledger.uploaded_images(connection, self.shop_id))
        claimed = ledger.claim(self.engine, self.shop_id, [c.product_id for c in candidates], self.owner)
        try:
            with self.engine.connect() as connection:
                self._bindings = bindings = ledger.held_bindings(connection, self.shop_id, claimed)
                holders = ledger.holders(connection, self.shop_id, {c.product_id for c in candidates} - claimed)
            to_render = [
                c for c in candidates
                if c.fingerprint and c.product_id in claimed and not bindings[c.product_id].awaits_review
                and screen(c.product, bindings[c.product_id], fingerprint=c.fingerprint, today=self.today).due
            ]
            self._renders = RendersAhead(self.render, to_render)
            self._creates_ahead = [c.product_id for c in to_render if bindings[c.product_id].has_no_item]
            with claims.ClaimKeeper(self._renew, claimed) as keeper:
                for position, candidate in enumerate(candidates):
                    if not keeper.holds(candidate.product_id, renew_after=RENEW_AFTER_SECONDS):
                        self._held_elsewhere(candidate, holders)
                        continue
                    try:
                        outcome, not_sent = self._publish_one(candidate, bindings[candidate.product_id])
                    except ShopUnavailable as stop:
                        self._count(candidate, ListingOutcome.FAILED)
                        self._stop(str(stop), candidates[position + 1 :])
                        break
                    self._count(candidate, outcome, not_sent)
        finally:
            self._renders.cancel()
            self._save_images()
            ledger.release(self.engine, self.shop_id, self.owner, claimed)
        return self.result

    def _renew(self, product_ids: set[int]) -> set[int]:
        with writing(self.engine) as connection:
            return ledger.renew(connection, self.shop_id, self.owner, product_ids)

    def _count(self, candidate: Candidate, outcome: str, not_sent: Reason | None = None) -> None:
        self.result.listings[outcome] += 1
        if not_sent is not None:
            self.result.not_sent[not_sent] += 1
        self.on_listing(candidate.product_id, outcome, not_sent)

    def _held_elsewhere(self, candidate: Candidate, holders: dict[int, str]) -> None:
        holder = holders.get(candidate.product_id)
        if holder is None:     # lost mid-batch: read who took it
            with self.engine.connect() as connection:
                holder = ledger.holders(connection, self.shop_id, [candidate.product_id]).get(candidate.product_id)
        self.result.held_by_listing[candidate.product_id] = claims.run_of(holder) if holder else "unknown"
        self._count(candidate, ListingOutcome.HELD)

    def _stop(self, reason: str, rest: Sequence[Candidate]) -> None:
        """The shop stopped answering (outage, credentials, a long ban): the rest is left for a retry."""
        self.result.stopped = reason
        self.result.retry.update(c.product_id for c in rest)
        for candidate in rest:
            self._count(candidate, ListingOutcome.NOT_ATTEMPTED)

    def _publish_one(self, candidate: Candidate, binding: Binding) -> tuple[str, Reason | None]:
        """The listing's outcome, and for an unchanged one the reason nothing was sent."""
        tracked = binding.awaits_review
        if tracked:
            try:
                binding = self._track(candidate, binding)
            except ConnectorError as error:
                return self._failed(Action.TRACK, PlannedListing(candidate.product_id, candidate.product, ()), error)
            if binding.awaits_review:
                return ListingOutcome.UNCHANGED, Reason.IN_REVIEW
        screening = screen(candidate.product, binding, fingerprint=candidate.fingerprint, today=self.today)
        if not screening.due:
            if tracked and screening.reason is Reason.REFUSED:
                return ListingOutcome.REFUSED, None    # just learnt: the review refused the request
            return ListingOutcome.UNCHANGED, screening.reason
        rendering = self._renders.take(candidate) if candidate.fingerprint else None
        full = plan_listing(candidate.product, rendering, binding, product_id=candidate.product_id, today=self.today)
        planned = narrow(full, self.only)
        if planned is None:
            if full is None:
                self._settle(candidate, binding)   # e.g. the renderer changed but the listing did not
                return ListingOutcome.UNCHANGED, Reason.SAME_RENDERING
            return ListingOutcome.OUT_OF_SCOPE, None
        remote_id = binding.remote_id if binding.remote_status != ListingStatus.DELETED else None
        settles = planned.actions == full.actions     # done, or refused until the product changes
        outcome = ListingOutcome.BLOCKED if planned.actions == (Action.BLOCK,) else ListingOutcome.DONE
        for action in planned.actions:
            # the last outcome of a complete plan settles the fingerprint, in the same transaction
            self._settling = settles and action is planned.actions[-1]
            self._fingerprint = candidate.fingerprint
            try:
                remote_id = self._apply(action, planned, remote_id, binding)
            except Rejected as error:
                self._record_failure(action, planned, error)
                outcome = ListingOutcome.REFUSED
                if action is Action.CREATE:
                    break          # nothing else can follow a refused create
            except ConnectorError as error:
                return self._failed(action, planned, error)
        self._failures_in_a_row = 0
        return outcome, None

    def _failed(self, action: Action, item: PlannedListing, error: ConnectorError) -> tuple[str, None]:
        self.result.retry.add(item.product_id)
        self._record_failure(action, item, error)
        return ListingOutcome.FAILED, None

    def _track(self, candidate: Candidate, binding: Binding) -> Binding:
        """Read the state of the listing's create request and record what changed; the binding after."""
        item = PlannedListing(candidate.product_id, candidate.product, ())
        self._settling = False      # a decision of the platform's: the input fingerprint stays as submitted
        listing = self.connector.get(binding.tracking_id)
        self.result.calls[Action.TRACK.value] += 1
        self._failures_in_a_row = 0
        state = {"remote_status": listing.status.value, "platform_status": listing.platform_status}
        if listing.status == ListingStatus.REJECTED:
            refusal = Rejected(listing.reject_reason or "rejected in the platform's review",
                               code=listing.platform_status)
            self._record(item, Outcome("track", "rejected", error=refusal), **state)
        elif listing.tracking_id is None:       # approved: an item now
            self._record(item, Outcome("track", "approved"), remote_id=listing.remote_id,
                         remote_sku_id=listing.remote_sku_id, tracking_id=None, **state, **NO_ERROR)
        elif listing.status == ListingStatus.DELETED:
            self._record(item, Outcome("track", "deleted"), tracking_id=None, **state, **NO_ERROR)
        elif (binding.remote_status, binding.platform_status, binding.last_error_class) != (*state.values(), None):
            self._record(item, Outcome("track", "pending"), **state, **NO_ERROR)
        else:
            return binding
        with self.engine.connect() as connection:
            binding = ledger.held_bindings(connection, self.shop_id, [candidate.product_id])[candidate.product_id]
        self._bindings[candidate.product_id] = binding
        return binding

    def _settle(self, candidate: Candidate, binding: Binding) -> None:
        """Remember the input fingerprint: until the product changes, planning will not render it again."""
        with writing(self.engine) as connection:
            ledger.settle(connection, binding.binding_id, candidate.fingerprint)

    def _apply(self, action: Action, item: PlannedListing, remote_id: str | None, binding: Binding) -> str | None:
        """Perform one action and record its success; returns the remote id the listing now has."""
        if action is Action.BLOCK:
            self._record(item, Outcome("block", "blocked"), blocked_reasons=list(item.reasons))
            return remote_id
        if action is Action.CREATE:
            return self._create(item, binding)
        assert remote_id is not None
        rendered = item.rendered
        if action is Action.UPDATE:
            assert isinstance(rendered, RenderedListing)
            self.connector.update(remote_id, rendered.to_content(self._upload_images(rendered)),
                                  remote_sku_id=binding.remote_sku_id)
            self._record(item, Outcome("update", "ok"), pushed_hash=rendered.content_hash,
                         rendered_hash=rendered.content_hash, blocked_reasons=None,
                         package_estimated=rendered.package_estimated)
            self._note_estimate(item, rendered)
        elif action is Action.PRICE_STOCK:
            assert isinstance(rendered, RenderedListing)
            self.connector.update_price_stock(remote_id, rendered.price_vnd, rendered.stock, seller_sku=item.seller_sku,
                                              remote_sku_id=binding.remote_sku_id)
            self._record(item, Outcome("price_stock", "ok"), pushed_price_vnd=rendered.price_vnd, pushed_stock=rendered.stock)
        elif action is Action.RELIST:
            self.connector.relist(remote_id)
            self._record(item, Outcome("relist", "ok"), remote_status=ListingStatus.UNDER_REVIEW.value)
        elif action is Action.UNLIST:
            self.connector.unlist(remote_id)
            self._record(item, Outcome("unlist", "ok"), remote_status=ListingStatus.INACTIVE.value)
        self.result.calls[action.value] += 1
        return remote_id

    def _create(self, item: PlannedListing, binding: Binding) -> str:
        """Create the listing, never twice: an earlier attempt that may have landed (a crash or timeout
        after sending, or a refusal because the seller SKU exists) is looked up and adopted instead."""
        rendered = item.rendered
        assert isinstance(rendered, RenderedListing)
        tried_before = binding.attempts > 0 or binding.last_error_class is not None
        if tried_before and (adopted := self._adopt_existing(item, rendered)):
            return adopted.remote_id
        content = rendered.to_content(self._upload_images(rendered))
        self._mark_sending(item.product_id)
        try:
            created = self.connector.create(content)
        except Rejected:
            if adopted := self._adopt_existing(item, rendered):
                return adopted.remote_id
            raise
        self._record_created(item, rendered, created, "create")
        return None if created.tracking_id else created.remote_id

    def _mark_sending(self, product_id: int) -> None:
        """Mark this create, and the batch's next few not marked yet, as being sent."""
        if product_id in self._marked:
            return
        try:
            here = self._creates_ahead.index(product_id)
        except ValueError:
            window = [product_id]
        else:
            window = [pid for pid in self._creates_ahead[here : here + SENDING_WINDOW] if pid not in self._marked]
        with writing(self.engine) as connection:
            ledger.mark_sending(connection, [self._bindings[pid].binding_id for pid in window])
        self._marked.update(window)

    def _adopt_existing(self, item: PlannedListing, rendered: RenderedListing) -> CreateResult | None:
        """The listing an earlier attempt left on the shop, recorded as this create's; None if none."""
        existing = self.connector.find_by_seller_sku(item.seller_sku)
        if existing is None or existing.status == ListingStatus.DELETED:
            return None
        adopted = CreateResult(existing.remote_id, existing.remote_sku_id, None, tracking_id=existing.tracking_id)
        if existing.tracking_id is not None:
            # A request still under review, which cannot be changed: tracked from now on. What it holds
            # was not read back, so nothing is marked pushed; the fingerprint settles as for a create.
            self._record(item, Outcome("adopt", "ok"), remote_id=None, remote_sku_id=None,
                         tracking_id=existing.tracking_id, remote_status=existing.status.value,
                         platform_status=existing.platform_status, rendered_hash=rendered.content_hash,
                         pushed_hash=None, pushed_price_vnd=None, pushed_stock=None, blocked_reasons=None)
            self.result.calls["adopt"] += 1
            return adopted
        self._record(item, Outcome("lookup", "found"), final=False, remote_id=existing.remote_id,
                     remote_sku_id=existing.remote_sku_id, remote_status=existing.status.value,
                     platform_status=existing.platform_status)
        self.connector.update(existing.remote_id, rendered.to_content(self._upload_images(rendered)),
                              remote_sku_id=existing.remote_sku_id)
        self.connector.update_price_stock(existing.remote_id, rendered.price_vnd, rendered.stock, seller_sku=item.seller_sku,
                                          remote_sku_id=existing.remote_sku_id)
        self._record_created(item, rendered, adopted, "adopt")
        return adopted

    def _record_created(self, item, rendered: RenderedListing, created: CreateResult, operation: str) -> None:
        """A request still under review is held by its tracking id: it has no remote id yet."""
        self._record(
            item, Outcome(operation, "ok", created.request_id),
            remote_id=None if created.tracking_id else created.remote_id, remote_sku_id=created.remote_sku_id,
            tracking_id=created.tracking_id, remote_status=ListingStatus.UNDER_REVIEW.value,
            rendered_hash=rendered.content_hash, pushed_hash=rendered.content_hash,
            pushed_price_vnd=rendered.price_vnd, pushed_stock=rendered.stock, package_estimated=rendered.package_estimated,
            blocked_reasons=None, last_pushed_at=dt.datetime.now(dt.UTC),
        )
        self.result.calls[operation] += 1
        self._note_estimate(item, rendered)

    def _note_estimate(self, item, rendered: RenderedListing) -> None:
        if rendered.package_estimated:
            self.result.estimated.add(item.product_id)

    def _upload_images(self, rendered: RenderedListing) -> list[str]:
        return [self._images.ref(image.sha256, lambda image=image: self._upload(image)) for image in rendered.images]

    def _upload(self, image) -> str:
        ref = self.connector.upload_image(image.content, image.filename)
        self._unsaved_images.append((image.sha256, ref))
        self.result.calls["upload_image"] += 1
        return ref

    def _save_images(self) -> None:
        if self._unsaved_images:
            with writing(self.engine) as connection:
                ledger.remember_images(connection, self.shop_id, self._unsaved_images)
            self._unsaved_images = []

    def _record(self, item: PlannedListing, outcome: Outcome, *, final: bool = True, **changes) -> None:
        """Write one outcome (and the images uploaded for it); the listing's last outcome, unless a
        failure to be tried again, also settles its input fingerprint (see `publishing.plan.screen`)."""
        if final and self._settling and (outcome.error is None or isinstance(outcome.error, Rejected)):
            changes["source_fingerprint"] = self._fingerprint
        with writing(self.engine) as connection:
            ledger.record(connection, self._bindings[item.product_id].binding_id, self.run_id, outcome, **changes)
            ledger.remember_images(connection, self.shop_id, self._unsaved_images)
        self._unsaved_images = []

    def _record_failure(self, action: Action, item: PlannedListing, error: ConnectorError) -> None:
        changes: dict = {}
        if action in (Action.CREATE, Action.UPDATE) and isinstance(item.rendered, RenderedListing):
            changes["rendered_hash"] = item.rendered.content_hash   # the content that was tried, not pushed
        if isinstance(error, NotFound):
            changes |= {"remote_id": None, "remote_sku_id": None, "tracking_id": None,
                        "remote_status": ListingStatus.DELETED.value}
        self._record(item, Outcome(action.value, "failed", error=error), **changes)
        self.result.failures[error.error_class.value] += 1
        log.warning("%s %s %s failed: %s", self.connector.shop.key, item.seller_sku, action.value, error)
        if isinstance(error, AuthError):
            raise ShopUnavailable(f"shop {self.connector.shop.key}: credentials refused ({error.code})") from error
        if isinstance(error, RateLimited):
            # the connector already waited out short bans; one that still surfaces is long: stop the shop
            raise ShopUnavailable(f"shop {self.connector.shop.key}: rate limited for {error.retry_after:.0f} s") from error
        if isinstance(error, (TransientError, UnknownOutcome)):
            self._failures_in_a_row += 1
            if self._failures_in_a_row >= CONSECUTIVE_FAILURES_BEFORE_GIVING_UP:
                raise ShopUnavailable(
                    f"shop {self.connector.shop.key}: {self._failures_in_a_row} failures in a row, last: {error}"
                ) from error
        else:
            self._failures_in_a_row = 0


def publish_batch(
    engine: Engine,
    connector: Connector,
    batch: Sequence[Candidate],
    *,
    run_id: str,
    today: dt.date,
    only: frozenset[Action] | None = None,
    images: ImageCache | None = None,
    renders: RenderPool | None = None,
    on_listing: OnListing | None = None,
) -> BatchResult:
    """Publish one batch; `renders` draws the listings (default: in this thread). A shop that stops
    answering does not raise: the result says so in `stopped`, with what was done before."""
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, connector.shop)
    renders = renders or RenderPool(processes=0)
    channel = connector.shop.channel
    publisher = Publisher(engine, connector, lambda products: renders.submit_many(channel, products, today),
                          shop_id=shop_id, run_id=run_id, today=today, only=only, images=images, on_listing=on_listing)
    return publisher.publish(batch)
