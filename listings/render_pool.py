"""Rendering listings for the publishing threads: in a worker process, ahead of need, or in the thread.

Drawing a listing's images is the costliest step of a publish, and it holds the interpreter lock.
A publish is many threads that mostly wait on marketplaces; with rendering among them, they queue
for the lock instead. A `RenderPool` with processes draws in other interpreters while the threads
send, and the publisher asks for each batch's renders a few listings ahead (`Publisher`'s
`RENDER_AHEAD`). With `processes=0` it renders in the calling thread (tests, tiny runs).

One process is the default: it serves every channel of the run, so it draws each product once and
encodes it for every channel's look (`listings.images.draw_together`), keeping what the other
channels will ask for in the render cache of `listings.images`, which lives in that process. With
more processes, a product's channels may be rendered in different ones: each draws what it is asked.

A render process that dies or stops answering costs speed, never the run: the pool is marked
broken, and every render still waited on, and every later one, is drawn in the asking thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache

from catalogue.records import CatalogueProduct
from connectors.types import Channel
from listings.images import draw_together
from listings.profiles import ChannelProfile, load_profile
from listings.render import Blocked, RenderedListing, render_listing


log = logging.getLogger(__name__)

# A render not back after this long means the render process is stuck: the pool is given up.
RENDER_WAIT_SECONDS = 120.0


def render_for_channel(channel: str, product: CatalogueProduct, today: dt.date) -> RenderedListing | Blocked:
    """What a worker process runs: the channel's profile is loaded (and kept) there."""
    return render_listing(product, _profile(channel), today=today)


@cache
def _profile(channel: str) -> ChannelProfile:
    # `load_profile` resolves its file paths on every call (about 0.2 ms); a render needs none of that
    return load_profile(channel)


class PendingRender:
    """One listing being rendered; `result()` waits for it, or draws it here if the pool broke."""

    def __init__(self, pool: RenderPool, future: Future | None, channel: str, product: CatalogueProduct,
                 today: dt.date) -> None:
        self._pool = pool
        self._future = future
        self._call = (channel, product, today)

    def result(self) -> RenderedListing | Blocked:
        waited = 0.0
        while self._future is not None and not self._pool.broken:
            try:
                return self._future.result(timeout=1.0)
            except TimeoutError:
                waited += 1.0
                if waited >= RENDER_WAIT_SECONDS:
                    self._pool.give_up(f"no render back after {waited:.0f} s")
            except BrokenProcessPool as error:
                self._pool.give_up(str(error))
        return render_for_channel(*self._call)

    def cancel(self) -> None:
        if self._future is not None:
            self._future.cancel()


def _serve(channels: tuple[str, ...]) -> None:
    """A render process's start: it will be asked for these channels' listings of each product."""
    draw_together(_profile(channel).images for channel in channels)


class RenderPool:
    def __init__(self, processes: int = 1, *, channels: Iterable[Channel] = ()) -> None:
        """`channels`: those the run publishes to, each product drawn once for all of them."""
        if processes < 0:
            raise ValueError(f"render processes: expected 0 or more, got {processes}")
        together = tuple(sorted({Channel(channel).value for channel in channels})) if processes == 1 else ()
        # spawn, not fork: the publishing process has threads (Prefect's among them)
        self._executor = (
            ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"), initializer=_serve,
                                initargs=(together,))
            if processes else None
        )
        self._lock = threading.Lock()
        self.broken = False

    def submit(self, channel: Channel, product: CatalogueProduct, today: dt.date) -> PendingRender:
        """The listing `channel` receives for `product` (see `render_listing`), started in the pool."""
        future = None
        if self._executor is not None and not self.broken:
            try:
                future = self._executor.submit(render_for_channel, channel.value, product, today)
            except BrokenProcessPool as error:
                self.give_up(str(error))
        return PendingRender(self, future, channel.value, product, today)

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
