"""A publish run's progress, shown where someone is looking: the Prefect progress artifact, and
either one bar per shop on a terminal or log lines at a sensible rate under a worker.

Progress counts only listings this run settled (done, unchanged, refused, blocked); failed, held
and not-attempted listings are not progress, and those another run settled meanwhile leave the
count of what this run had to do. Every figure is read from the run's tally, the one source of its
summary too.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from publishing.publisher import ListingOutcome
from publishing.tally import RunTally, ShopTally

ARTIFACT_STEP = 2.0       # percent between two updates of the progress artifact
LOG_STEP = 10.0           # percent between two progress lines in the log...
LOG_INTERVAL_S = 30.0     # ...or seconds, whichever comes first, when something moved


@dataclass(frozen=True)
class ShopProgress:
    """One shop's listings so far in this run."""

    settled: int
    total: int            # what the run set out to do, less what other runs settled meanwhile
    done: int             # listings whose calls all succeeded, as they go
    created: int          # calls made, counted as each batch ends
    updated: int
    unchanged: int
    refused: int
    blocked: int
    failed: int
    held: int

    def words(self) -> str:
        made = ", ".join(f"{n} {name}" for name, n in (("created", self.created), ("updated", self.updated)) if n)
        counts = {"done" + (f" ({made})" if made else ""): self.done, "unchanged": self.unchanged,
                  "refused": self.refused, "blocked": self.blocked, "failed": self.failed, "held": self.held}
        return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing settled yet"


def shop_progress(shop: ShopTally, planned: int) -> ShopProgress:
    outcomes, calls = shop.outcomes, shop.calls
    return ShopProgress(
        settled=sum(outcomes[name] for name in ListingOutcome.SETTLED),
        total=max(planned - outcomes[ListingOutcome.DONE_ELSEWHERE], 0),
        done=outcomes[ListingOutcome.DONE],
        created=calls["create"] + calls["adopt"],
        updated=calls["update"] + calls["price_stock"] + calls["relist"] + calls["unlist"],
        unchanged=outcomes[ListingOutcome.UNCHANGED],
        refused=outcomes[ListingOutcome.REFUSED], blocked=outcomes[ListingOutcome.BLOCKED],
        failed=outcomes[ListingOutcome.FAILED], held=outcomes[ListingOutcome.HELD],
    )


class Progress:
    """Fed by the run's tally (`update`, from many threads); `close` when the run is over.

    `planned` is each shop's number of candidate listings. `show(percent)` updates the progress
    artifact at most every 2%. On a terminal (`terminal`, default: standard error is one) each shop
    has a bar with its counts; otherwise a line per shop is logged every 10% or 30 s.
    """

    def __init__(self, planned: Mapping[str, int], show: Callable[[float], None], logger, *,
                 terminal: bool | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.planned = dict(planned)
        self._show = show
        self._logger = logger
        self._clock = clock
        self._lock = threading.Lock()
        self._shown = self._logged = -100.0
        self._logged_at = clock()
        self._logged_settled = 0
        self._bars = _TerminalBars(self.planned) if (sys.stderr.isatty() if terminal is None else terminal) else None
        self._tally: RunTally | None = None

    def update(self, tally: RunTally) -> None:
        self._tally = tally
        shops = self._read(tally)
        settled = sum(shop.settled for shop in shops.values())
        total = max(sum(shop.total for shop in shops.values()), 1)
        percent = 100.0 * settled / total
        with self._lock:
            if percent - self._shown >= ARTIFACT_STEP or settled == total:
                self._shown = percent
                self._show(percent)
            if self._bars is not None:
                self._bars.update(shops)
            elif self._log_due(percent, settled, total):
                self._logged, self._logged_at, self._logged_settled = percent, self._clock(), settled
                self._logger.info("settled %d of %d listings (%.0f%%): %s", settled, total, percent,
                                  "; ".join(f"{key} {shop.settled}/{shop.total} ({shop.words()})" for key, shop in shops.items()))

    def close(self) -> None:
        """The last figures (the calls of the batches that ended after the last listing), then stop."""
        if self._bars is not None:
            if self._tally is not None:
                self._bars.update(self._read(self._tally))
            self._bars.stop()

    def _read(self, tally: RunTally) -> dict[str, ShopProgress]:
        with tally.lock:
            return {key: shop_progress(tally.shops[key], planned) for key, planned in self.planned.items()}

    def _log_due(self, percent: float, settled: int, total: int) -> bool:
        if settled == total:
            return self._logged < 100.0
        moved = settled > self._logged_settled
        return percent - self._logged >= LOG_STEP or (moved and self._clock() - self._logged_at >= LOG_INTERVAL_S)


class _TerminalBars:
    """One rich progress bar per shop on standard error, started at the first update."""

    def __init__(self, planned: Mapping[str, int]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                                  console=Console(stderr=True), transient=False)
        self._tasks = {key: self._progress.add_task(key, total=planned[key], counts="") for key in planned}
        self._started = False

    def update(self, shops: Mapping[str, ShopProgress]) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
        for key, shop in shops.items():
            self._progress.update(self._tasks[key], completed=shop.settled, total=shop.total, counts=shop.words())

    def stop(self) -> None:
        if self._started:
            self._progress.stop()
