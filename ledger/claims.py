"""Claims on listing bindings: who holds one, whether that holder is still alive, and taking,
renewing and releasing them, so that no two live workers push one listing.

A claim names its owner as `run/host/pid/start`: the pipeline run (the root flow run, so that a
retry of the run inherits its claims), the machine, the process and that process's start time (so
a reused pid is not mistaken for the old process). A claim is abandoned, and may be taken at once,
when its process is gone from this machine or when it belongs to this same run (a previous attempt
of a run that Prefect retries is over). A holder on another machine is trusted while it renews the
claim: its keeper renews every `HEARTBEAT_SECONDS`, and a claim not renewed for `CLAIM_LEASE` is
abandoned too, so a claim outlives a dead worker by seconds, never by minutes.

A batch claims its rows (`claim`), keeps them while it works (`ClaimKeeper`, over `renew`) and
releases them at the end (`release`); those it could not take are named by `holders`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, or_, select, update

from ledger.bindings import Binding
from ledger.models import ListingBinding
from ocop.store import writing

log = logging.getLogger(__name__)

_bindings = ListingBinding.__table__

CLAIM_LEASE = dt.timedelta(seconds=30)
HEARTBEAT_SECONDS = 5.0


@dataclass(frozen=True)
class Claimant:
    run_id: str
    host: str       # a hash of the host name and its boot: pids mean nothing on another machine or boot
    pid: int
    started: str    # the process's start time (clock ticks since boot, base 36), "0" where unknown

    def __str__(self) -> str:
        return f"{self.run_id}/{self.host}/{self.pid}/{self.started}"

    @classmethod
    def parse(cls, owner: str) -> Claimant | None:
        """The claimant an owner string names; None for a foreign or malformed owner."""
        parts = owner.rsplit("/", 3)
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        run_id, host, pid, started = parts
        return cls(run_id, host, int(pid), started)


def claimant(run_id: str) -> str:
    """This process's owner string for `run_id` (at most 64 characters: the ledger's column)."""
    return str(Claimant(run_id[:40], _host_id(), os.getpid(), _start_time(os.getpid()) or "0"))


def run_of(owner: str) -> str:
    """The run an owner string belongs to, for messages ("held by run …")."""
    parsed = Claimant.parse(owner)
    return parsed.run_id if parsed else owner


def abandoned(owner: str, me: str) -> bool:
    """Whether `owner`'s claims may be taken by `me` now, without waiting for the lease to run out."""
    other, mine = Claimant.parse(owner), Claimant.parse(me)
    if other is None or mine is None or owner == me:
        return False
    if other.run_id == mine.run_id:
        return True     # an earlier attempt of this run: Prefect retries a run only once it has ended
    return other.host == mine.host and not _process_alive(other.pid, other.started)


@cache
def _host_id() -> str:
    boot = ""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        pass
    return hashlib.sha1(f"{socket.gethostname()}|{boot}".encode()).hexdigest()[:8]


def _start_time(pid: int) -> str | None:
    """The start time of process `pid` in base 36, None if it does not exist, "" if not readable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):   # killed, waiting to be reaped: gone for our purpose
        return None
    return _base36(int(fields[19]))


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def _process_alive(pid: int, started: str) -> bool:
    if Path("/proc/self/stat").exists():
        now_started = _start_time(pid)
        if now_started is None:
            return False
        return started in ("0", "") or now_started in ("", started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ClaimKeeper:
    """Renews one batch's claims every `HEARTBEAT_SECONDS` from a thread of its own, so that a claim
    lives exactly as long as the batch that holds it, however long one marketplace call takes.

    `renew(product_ids)` is the ledger's renewal: it returns the ids still held (a claim that was
    taken over is lost, and the batch must leave that listing alone).
    """

    def __init__(self, renew: Callable[[set[int]], set[int]], held: Iterable[int]) -> None:
        self._renew = renew
        self._held = set(held)
        self._lock = threading.Lock()
        self._renewed_at = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="claim-keeper", daemon=True)

    def __enter__(self) -> ClaimKeeper:
        if self._held:
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=HEARTBEAT_SECONDS * 2)

    def holds(self, product_id: int, *, renew_after: float) -> bool:
        """Whether the batch still holds the listing; renews first if the keeper has not for `renew_after` s."""
        if time.monotonic() - self._renewed_at > renew_after:
            self.renew_now()
        with self._lock:
            return product_id in self._held

    def renew_now(self) -> None:
        with self._lock:
            held = set(self._held)
        still = self._renew(held)
        with self._lock:
            self._held &= still
            self._renewed_at = time.monotonic()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self.renew_now()
            except Exception:  # noqa: BLE001 (a failed renewal is retried; the lease leaves room for it)
                log.debug("renewing claims failed; retrying in %.0f s", HEARTBEAT_SECONDS, exc_info=True)


def claim(engine: Engine, shop_id: int, product_ids: Sequence[int], owner: str) -> set[int]:
    """Take the bindings no live worker holds; returns the product ids this owner now holds.

    A claim is free when nobody holds it, when its lease ran out, or when its owner is known to be
    gone (`abandoned`: its process died on this machine, or it was an earlier attempt of this same
    run). On PostgreSQL the candidate rows are locked with FOR UPDATE SKIP LOCKED, so two workers
    claiming at once split the rows instead of waiting on or double-taking them. SQLite has a
    single writer, so the conditional UPDATE alone is atomic there.
    """
    now = _now()
    claimed: set[int] = set()
    with writing(engine) as connection:
        for start in range(0, len(product_ids), 500):
            chunk = list(product_ids[start : start + 500])
            free = _free(owner, now, _abandoned_owners(connection, shop_id, chunk, owner, now))
            candidates = select(_bindings.c.id).where(_bindings.c.shop_id == shop_id, _bindings.c.product_id.in_(chunk), free)
            if connection.dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
            ids = list(connection.scalars(candidates))
            if not ids:
                continue
            statement = (
                update(_bindings)
                .where(_bindings.c.id.in_(ids), free)
                .values(claimed_by=owner, claimed_at=now)
                .returning(_bindings.c.product_id)
            )
            claimed.update(connection.scalars(statement))
    return claimed


def _free(owner: str, now: dt.datetime, abandoned_owners: set[str]):
    column = _bindings.c.claimed_by
    conditions = [column.is_(None), column == owner, _bindings.c.claimed_at < now - CLAIM_LEASE]
    if abandoned_owners:
        conditions.append(column.in_(sorted(abandoned_owners)))
    return or_(*conditions)


def _abandoned_owners(connection, shop_id: int, product_ids: list[int], owner: str, now: dt.datetime) -> set[str]:
    """The other owners holding live-looking claims on these rows whose holder is in fact gone."""
    others = select(_bindings.c.claimed_by).distinct().where(
        _bindings.c.shop_id == shop_id, _bindings.c.product_id.in_(product_ids),
        _bindings.c.claimed_by.is_not(None), _bindings.c.claimed_by != owner,
        _bindings.c.claimed_at >= now - CLAIM_LEASE,
    )
    return {other for other in connection.scalars(others) if abandoned(other, owner)}


def holders(connection, shop_id: int, product_ids: Iterable[int]) -> dict[int, str]:
    """Who holds each of these bindings now (those nobody holds are left out)."""
    ids = sorted(product_ids)
    held: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        statement = select(_bindings.c.product_id, _bindings.c.claimed_by).where(
            _bindings.c.shop_id == shop_id, _bindings.c.product_id.in_(ids[start : start + 500]),
            _bindings.c.claimed_by.is_not(None))
        held.update((row.product_id, row.claimed_by) for row in connection.execute(statement))
    return held


def live_holder(binding: Binding, now: dt.datetime) -> str | None:
    """The run holding the binding, unless its claim has lapsed or its process is gone; as a process
    that holds nothing sees it (`ocop ledger --explain`)."""
    if binding.claimed_by is None or binding.claimed_at is None:
        return None
    if binding.claimed_at < now - CLAIM_LEASE or abandoned(binding.claimed_by, claimant("ocop-explain")):
        return None
    return run_of(binding.claimed_by)


def release(engine: Engine, shop_id: int, owner: str, product_ids: set[int]) -> None:
    """Release the rows this batch claimed (other batches of the same run may still hold theirs)."""
    ids = sorted(product_ids)
    with writing(engine) as connection:
        for start in range(0, len(ids), 500):
            connection.execute(
                update(_bindings)
                .where(_bindings.c.shop_id == shop_id, _bindings.c.claimed_by == owner,
                       _bindings.c.product_id.in_(ids[start : start + 500]))
                .values(claimed_by=None, claimed_at=None)
            )


def release_abandoned(engine: Engine, owner: str) -> int:
    """Clear every claim whose holder is known to be gone (`abandoned` for `owner`: a dead process of
    this machine, an earlier attempt of this run), so the ledger never names a dead holder, even on
    rows no one claims again. Returns the bindings released."""
    with writing(engine) as connection:
        others = connection.scalars(select(_bindings.c.claimed_by).distinct()
                                    .where(_bindings.c.claimed_by.is_not(None), _bindings.c.claimed_by != owner))
        gone = sorted(other for other in others if abandoned(other, owner))
        if not gone:
            return 0
        return connection.execute(update(_bindings).where(_bindings.c.claimed_by.in_(gone))
                                  .values(claimed_by=None, claimed_at=None)).rowcount


def renew(connection, shop_id: int, owner: str, product_ids: Iterable[int]) -> set[int]:
    """Refresh this owner's claims; returns the product ids it still holds (a claim that outlived
    the lease may have been taken over by another worker). A batch's `ClaimKeeper` calls it."""
    ids = sorted(product_ids)
    held: set[int] = set()
    for start in range(0, len(ids), 500):
        statement = (
            update(_bindings)
            .where(_bindings.c.shop_id == shop_id, _bindings.c.claimed_by == owner,
                   _bindings.c.product_id.in_(ids[start : start + 500]))
            .values(claimed_at=_now())
            .returning(_bindings.c.product_id)
        )
        held.update(connection.scalars(statement))
    return held


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
