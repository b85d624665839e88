"""Rendering listings for the publishing threads: in a worker process, ahead of need, or in the thread.

Drawing a listing's images is the costliest step of a publish, and it holds the interpreter lock.
A publish is many threads that mostly wait on marketplaces; with rendering among them, they queue
for the lock instead. A `RenderPool` with processes draws in other interpreters while the threads
send, and the publisher asks for each batch's renders a few listings ahead
(`publishing.publisher.RENDER_AHEAD`), a few at a time (`RENDER_GROUP`): every call to the pool
wakes its feeder and manager threads, so one call per listing cost the publishing process about
0.4 ms per listing.
With `processes=0` it renders in the calling thread (tests, tiny runs).

One process is the default: it serves every channel of the run, so it draws each product once and
encodes it for every channel's look (`rendering.images.draw_together`), keeping what the other
channels will ask for in the render cache of `rendering.images`, which lives in that process. With
more processes, a product's channels may be rendered in different ones: each draws what it is asked.

A render process that dies or stops answering costs speed, never the run: the pool is marked
broken, and every render still waited on, and every later one, is drawn in the asking thread. A
render process whose publishing process dies (killed, even with SIGKILL) exits within a second, and
with it the multiprocessing resource tracker they shared.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache

from catalogue.records import CatalogueProduct
from ocop.channels import Channel
from rendering.images import draw_together
from rendering.listing import Blocked, RenderedListing, render_listing
from rendering.profiles import ChannelProfile, load_profile

log = logging.getLogger(__name__)

Rendered = RenderedListing | Blocked

# A render not back after this long means the render process is stuck: the pool is given up.
RENDER_WAIT_SECONDS = 120.0


def render_for_channel(channel: str, product: CatalogueProduct, today: dt.date) -> Rendered:
    """One listing, rendered where it is asked for; the channel's profile is loaded (and kept) there."""
    return render_listing(product, _profile(channel), today=today)


def render_group(channel: str, products: Sequence[CatalogueProduct], today: dt.date) -> list[Rendered | Exception]:
    """What a render process runs: one call for several listings, each one's error kept as its result."""
    outcomes: list[Rendered | Exception] = []
    for product in products:
        try:
            outcomes.append(render_for_channel(channel, product, today))
        except Exception as error:  # noqa: BLE001 (it is this listing's outcome, raised where it is taken)
            outcomes.append(error)
    return outcomes


@cache
def _profile(channel: str) -> ChannelProfile:
    # `load_profile` resolves its file paths on every call (about 0.2 ms); a render needs none of that
    return load_profile(channel)


class _Group:
    """One call to the render process for several listings: cancelled only once none is wanted."""

    def __init__(self, future: Future, size: int) -> None:
        self.future = future
        self._wanted = size
        self._lock = threading.Lock()

    def drop_one(self) -> None:
        with self._lock:
            self._wanted -= 1
            if self._wanted == 0:
                self.future.cancel()


class PendingRender:
    """One listing being rendered; `result()` waits for it, or draws it here if the pool broke."""

    def __init__(self, pool: RenderPool, group: _Group | None, index: int, channel: str, product: CatalogueProduct,
                 today: dt.date) -> None:
        self._pool = pool
        self._group = group
        self._index = index
        self._call = (channel, product, today)

    def result(self) -> Rendered:
        waited = 0.0
        while self._group is not None and not self._pool.broken:
            try:
                outcome = self._group.future.result(timeout=1.0)[self._index]
            except TimeoutError:
                waited += 1.0
                if waited >= RENDER_WAIT_SECONDS:
                    self._pool.give_up(f"no render back after {waited:.0f} s")
            except BrokenProcessPool as error:
                self._pool.give_up(str(error))
            else:
                if isinstance(outcome, Exception):
                    raise outcome
                return outcome
        return render_for_channel(*self._call)

    def cancel(self) -> None:
        """Not wanted any more: its group is not started if none of the group's listings is wanted."""
        if self._group is not None:
            self._group.drop_one()
            self._group = None


# How often a render process looks whether the publishing process that started it is still there.
PARENT_CHECK_SECONDS = 0.5


def _serve(channels: tuple[str, ...], parent_pid: int) -> None:
    """A render process's start: it will be asked for these channels' listings of each product."""
    _exit_when_gone(parent_pid)
    draw_together(_profile(channel).images for channel in channels)


def _exit_when_gone(parent_pid: int) -> None:
    """Exit once the publishing process is gone. Killed, it closes nothing this process waits on
    (the call queue's pipe has its writing end here too), so the process, and the resource tracker
    that lives until it exits, would stay forever. Its parent pid changes as it is re-parented;
    PR_SET_PDEATHSIG would fire when the thread that started it ends, not the process."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-publisher", daemon=True).start()


class RenderPool:
    def __init__(self, processes: int = 1, *, channels: Iterable[Channel] = ()) -> None:
        """`channels`: those the run publishes to, each product drawn once for all of them."""
        if processes < 0:
            raise ValueError(f"render processes: expected 0 or more, got {processes}")
        together = tuple(sorted({Channel(channel).value for channel in channels})) if processes == 1 else ()
        # spawn, not fork: the publishing process has threads (Prefect's among them)
        self._executor = (
            ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"), initializer=_serve,
                                initargs=(together, os.getpid()))
            if processes else None
        )
        self._lock = threading.Lock()
        self.broken = False

    def submit(self, channel: Channel, product: CatalogueProduct, today: dt.date) -> PendingRender:
        """The listing `channel` receives for `product` (see `render_listing`), started in the pool."""
        return self.submit_many(channel, [product], today)[0]

    def submit_many(self, channel: Channel, products: Sequence[CatalogueProduct], today: dt.date) -> list[PendingRender]:
        """The listings `channel` receives for `products`, started in the pool as one call: each call
        wakes the pool's threads on both sides, which costs more than a listing's text."""
        group = None
        if self._executor is not None and not self.broken and products:
            try:
                group = _Group(self._executor.submit(render_group, channel.value, list(products), today), len(products))
            except BrokenProcessPool as error:
                self.give_up(str(error))
        return [PendingRender(self, group, index, channel.value, product, today) for index, product in enumerate(products)]

    def give_up(self, reason: str) -> None:
        with self._lock:
            if self.broken:
                return
            self.broken = True
        log.warning("render process lost (%s): rendering in the publishing threads from now on", reason)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=not self.broken, cancel_futures=True)

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
