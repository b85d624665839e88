"""A run's progress: the artifact every 2%, bars per shop on a terminal, log lines under a worker,
and only listings this run settled counted."""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console

from publishing.progress import Progress
from publishing.publisher import BatchResult, ListingOutcome
from publishing.tally import RunTally


class Logger:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message, *args) -> None:
        self.lines.append(message % args)


def test_progress_is_shown_every_two_percent_logged_every_ten_and_counts_settled_listings_only():
    shown, logger = [], Logger()
    progress = Progress({"a": 100}, shown.append, logger, terminal=False)
    tally = RunTally(["a"], on_change=progress.update)
    for product_id in range(100):
        tally.settle("a", product_id, ListingOutcome.FAILED if product_id % 2 else ListingOutcome.DONE)
    assert shown == [float(n) for n in range(1, 51, 2)]     # the failed half is not progress
    assert [line.split(":")[0] for line in logger.lines] == [f"settled {n} of 100 listings ({n}%)" for n in (1, 11, 21, 31, 41)]
    assert logger.lines[-1].endswith("a 41/100 (41 done, 40 failed)")
    for product_id in range(1, 100, 2):                      # another run settled them meanwhile
        tally.settle("a", product_id, ListingOutcome.DONE_ELSEWHERE)
    assert shown[-1] == 100.0 and logger.lines[-1].startswith("settled 50 of 50 listings (100%)")


def test_under_a_worker_a_slow_run_is_logged_every_thirty_seconds_with_each_shops_counts():
    now, logger = [0.0], Logger()
    progress = Progress({"shopee-a": 1000, "lazada-a": 1000}, lambda percent: None, logger, terminal=False,
                        clock=lambda: now[0])
    tally = RunTally(["shopee-a", "lazada-a"], on_change=progress.update)
    tally.settle("shopee-a", 1, ListingOutcome.DONE)          # the first line
    for product_id in range(2, 12):
        now[0] += 5.0
        tally.settle("shopee-a", product_id, ListingOutcome.REFUSED if product_id == 2 else ListingOutcome.DONE)
    tally.settle("lazada-a", 1, ListingOutcome.HELD)
    assert len(logger.lines) == 2                              # at 0 s, then once 30 s had passed
    assert "shopee-a 7/1000 (6 done, 1 refused)" in logger.lines[1] and "lazada-a 0/1000 (nothing settled yet)" in logger.lines[1]
    now[0] += 60.0
    tally.settle("lazada-a", 1, ListingOutcome.HELD)          # 4 more settled since the last line
    assert len(logger.lines) == 3 and "shopee-a 11/1000 (10 done, 1 refused)" in logger.lines[2]
    now[0] += 60.0
    tally.settle("lazada-a", 1, ListingOutcome.HELD)          # nothing moved: no line
    assert len(logger.lines) == 3


def test_on_a_terminal_each_shop_has_a_bar_with_its_counts_and_the_log_stays_quiet(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr("rich.console.Console", lambda **options: Console(file=screen, width=120, force_terminal=False))
    logger = Logger()
    progress = Progress({"shopee-a": 4, "tiktok-a": 2}, lambda percent: None, logger, terminal=True)
    tally = RunTally(["shopee-a", "tiktok-a"], on_change=progress.update)
    for product_id in range(4):
        tally.settle("shopee-a", product_id, ListingOutcome.DONE)
    tally.settle("tiktok-a", 1, ListingOutcome.BLOCKED)
    tally.settle("tiktok-a", 2, ListingOutcome.FAILED)
    tally.add(BatchResult("shopee-a", calls=Counter({"create": 3, "update": 1})))   # its batch ends after its listings
    progress.close()
    assert logger.lines == []
    lines = [line for line in screen.getvalue().splitlines() if line.strip()]
    assert any(line.startswith("shopee-a") and "4/4" in line and "4 done (3 created, 1 updated)" in line for line in lines)
    assert any(line.startswith("tiktok-a") and "1/2" in line and "1 blocked, 1 failed" in line for line in lines)
