"""Fault injection for one sandbox: a per-shop rate limit, random 5xx, latency, timeouts and
commit-then-drop.

Random faults are drawn from a generator seeded by `FaultConfig.seed`, always the same number of
draws per request, so a given seed and request order give the same faults on every run.
The rate limit is a token bucket per shop (burst = one second's worth), answered the platform's
way by the platform module.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Callable

from sandboxes.config import FaultConfig

SERVER_ERROR_STATUSES = (500, 502, 503)


@dataclass(frozen=True)
class FaultPlan:
    """What happens to one request."""

    latency_seconds: float = 0.0
    error_status: int | None = None      # answer this 5xx instead of handling the request
    timeout: bool = False                # hold the request past the client's patience, not applied
    drop: bool = False                   # apply a write, then cut the connection before the answer


NO_FAULT = FaultPlan()


class FaultInjector:
    def __init__(self, config: FaultConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        """Switch to new faults; the random sequence and the rate-limit buckets start afresh."""
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
            self._buckets: dict[str, tuple[float, float]] = {}

    def plan(self, *, is_write: bool) -> FaultPlan:
        c = self.config
        if not (c.error_rate or c.timeout_rate or c.drop_rate or c.latency_ms or c.latency_jitter_ms):
            return NO_FAULT
        with self._lock:
            error, timeout, drop, jitter, status = (self._random.random() for _ in range(5))
        latency = (c.latency_ms + jitter * c.latency_jitter_ms) / 1000.0
        return FaultPlan(
            latency_seconds=latency,
            error_status=SERVER_ERROR_STATUSES[int(status * len(SERVER_ERROR_STATUSES))] if error < c.error_rate else None,
            timeout=timeout < c.timeout_rate,
            drop=is_write and drop < c.drop_rate,
        )

    def admit(self, shop_key: str) -> bool:
        """Take one token from the shop's bucket; False when the shop is over its limit."""
        rate = self.config.rate_limit_per_second
        if not rate:
            return True
        capacity = max(1.0, rate)
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(shop_key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            admitted = tokens >= 1.0
            self._buckets[shop_key] = (tokens - 1.0 if admitted else tokens, now)
        return admitted
