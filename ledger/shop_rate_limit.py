"""One rate limit per shop, shared through the store by every process that calls the shop.

It is the ledger's because it is shop state in the pipeline's database that every process calling
the shop writes, like the claims: one package owns every table the publish and the reconciliation
write. The store knows engines and migrations, not shops; the connectors take any `RateLimiter`
and never touch the database.

A connector's own `TokenBucket` paces only its process: two runs publishing to one shop sent it
twice its limit. Here a shop has one row, its next free call slot (GCRA's "theoretical arrival
time"), and a call takes a slot with one atomic statement, then sleeps until the slot comes:

    UPDATE shop_rate_limits SET next_slot = max(next_slot, now) + 1 / rate ... RETURNING ...

Slots are 1 / rate apart whoever takes them, so the shop receives at most `rate` calls per second
in all, however many threads, processes or hosts publish to it. `now` is the database's clock and
the wait is computed there, so hosts whose clocks disagree still agree on the slots. A platform's
ban (`hold`) pushes the next slot past its end for every process.

A process takes `BLOCK_SECONDS` worth of slots at a time (at least one, at most `MAX_BLOCK`) and
hands them to its threads in turn: at the rates platforms grant (10 to 50 per second) that is one
statement per call, at hundreds per second (a benchmark lifting the limit) one statement serves
several calls.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

from sqlalchemy import Engine, text

from connectors.types import ShopConfig
from ocop.store import writing

# Seconds since the epoch on the database's clock. PostgreSQL's clock_timestamp() is the time when
# it is read (now() would be the transaction's start); SQLite's 'now' is fixed for one statement.
_NOW = {
    "postgresql": "EXTRACT(EPOCH FROM clock_timestamp())::float8",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}

BLOCK_SECONDS = 0.02
MAX_BLOCK = 64

# Takes the next `span` seconds of slots; returns the seconds from now until the first begins
# (negative: it has begun).
_TAKE_SLOTS = {
    "postgresql": """
        UPDATE shop_rate_limits AS r SET next_slot = GREATEST(r.next_slot, c.now) + :span
        FROM (SELECT {now} AS now) AS c
        WHERE r.shop_key = :shop_key
        RETURNING r.next_slot - :span - c.now""",
    "sqlite": """
        UPDATE shop_rate_limits SET next_slot = MAX(next_slot, {now}) + :span
        WHERE shop_key = :shop_key
        RETURNING next_slot - :span - {now}""",
}

_HOLD = {
    "postgresql": "UPDATE shop_rate_limits SET next_slot = GREATEST(next_slot, {now} + :seconds) WHERE shop_key = :shop_key",
    "sqlite": "UPDATE shop_rate_limits SET next_slot = MAX(next_slot, {now} + :seconds) WHERE shop_key = :shop_key",
}

_ADD_SHOP = "INSERT INTO shop_rate_limits (shop_key, next_slot) VALUES (:shop_key, 0) ON CONFLICT (shop_key) DO NOTHING"


class SharedRateLimiter:
    """`rate` calls per second to one shop, counted over every process using the same database.

    The `RateLimiter` of `connectors.types`: hand it to `connectors.by_channel.connector_for`.
    """

    def __init__(self, engine: Engine, shop_key: str, rate: float, *, block_seconds: float = BLOCK_SECONDS,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError(f"shop {shop_key!r}: requests_per_second must be positive, got {rate!r}")
        dialect = engine.dialect.name
        if dialect not in _NOW:
            raise ValueError(f"no shared rate limit on a {dialect} database; expected one of {', '.join(_NOW)}")
        self.shop_key = shop_key
        self.rate = rate
        self._engine = engine
        self._interval = 1.0 / rate
        self._block = max(1, min(MAX_BLOCK, int(rate * block_seconds)))
        self._take_slots = text(_TAKE_SLOTS[dialect].format(now=_NOW[dialect]))
        self._hold = text(_HOLD[dialect].format(now=_NOW[dialect]))
        self._sleep = sleep
        self._clock = clock
        self._slots: deque[float] = deque()    # taken by this process and not used yet, on `clock`
        self._held_until = 0.0                 # the latest ban announced in this process, on `clock`
        self._lock = threading.Lock()
        with writing(engine) as connection:
            connection.execute(text(_ADD_SHOP), {"shop_key": shop_key})

    def __repr__(self) -> str:
        return f"SharedRateLimiter(shop={self.shop_key!r}, rate={self.rate}, database={self._engine.dialect.name})"

    def acquire(self) -> float:
        """Take the shop's next slot and sleep until it comes; returns the seconds slept."""
        waited = 0.0
        while True:
            wait = self._next_slot() - self._clock()
            if wait > 0:
                self._sleep(wait)
                waited += wait
            with self._lock:
                held = self._clock() < self._held_until
            if not held:
                return waited
            # A ban announced in this process while this caller slept covers its slot: take one
            # after the ban (the row has been pushed past it) rather than call into the ban.

    def _next_slot(self) -> float:
        """When this caller may call, on `clock`: the next slot this process holds, else a new block's first."""
        with self._lock:
            now = self._clock()
            while self._slots and self._slots[0] < now - self._interval:
                self._slots.popleft()      # nobody used it in time; used late, it would make a burst
            if not self._slots:
                span = self._block * self._interval
                with writing(self._engine) as connection:
                    first = connection.execute(self._take_slots, {"shop_key": self.shop_key, "span": span}).scalar_one()
                # the clock is read after the answer, so a slot is never early here
                start = self._clock() + first
                self._slots.extend(start + number * self._interval for number in range(self._block))
            return self._slots.popleft()

    def hold(self, seconds: float) -> None:
        """No call to the shop from any process before `seconds` from now (the platform's ban)."""
        # Read before the database's clock is, so the ban here never ends after the shared one.
        until = self._clock() + seconds
        with writing(self._engine) as connection:
            connection.execute(self._hold, {"shop_key": self.shop_key, "seconds": float(seconds)})
        with self._lock:
            self._held_until = max(self._held_until, until)
            self._slots.clear()            # taken before the ban; the row now starts after it


def shared_rate_limiter(engine: Engine, shop: ShopConfig) -> SharedRateLimiter:
    """The shop's limiter at its configured `requests_per_second`, shared through `engine`'s database."""
    return SharedRateLimiter(engine, shop.key, shop.requests_per_second)
