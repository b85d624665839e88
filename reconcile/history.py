"""Coverage across runs: stored once per run and channel, read back for the trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from reconcile.coverage import Coverage
from reconcile.models import CoveragePointRow, ReconcileRun

ALL_CHANNELS = "all"


@dataclass(frozen=True)
class HistoryPoint:
    run_id: int
    as_of: dt.date
    taken_at: dt.datetime
    channel: str                       # a channel, or "all" for live on every shop at once
    listable: int
    live: int

    @property
    def pct(self) -> float | None:
        return None if self.listable == 0 else 100.0 * self.live / self.listable


def record_coverage(session: Session, run_id: int, coverage: Coverage) -> None:
    """Store (or replace) the run's coverage per channel and on all channels."""
    session.execute(delete(CoveragePointRow).where(CoveragePointRow.run_id == run_id))
    rows = [{"run_id": run_id, "channel": c.channel, "listable": c.share.listable, "live": c.share.live}
            for c in coverage.channels]
    rows.append({"run_id": run_id, "channel": ALL_CHANNELS, "listable": coverage.all_channels.listable,
                 "live": coverage.all_channels.live})
    session.execute(insert(CoveragePointRow), rows)


def load_history(session: Session, province: str | None, *, up_to_run: int | None = None,
                 runs: int = 30) -> list[HistoryPoint]:
    """The last `runs` recorded runs of the province (up to and including `up_to_run`), oldest first."""
    run_ids = select(ReconcileRun.id).where(ReconcileRun.province.is_(province) if province is None
                                            else ReconcileRun.province == province)
    if up_to_run is not None:
        run_ids = run_ids.where(ReconcileRun.id <= up_to_run)
    recorded = run_ids.where(ReconcileRun.id.in_(select(CoveragePointRow.run_id)))
    chosen = list(session.scalars(recorded.order_by(ReconcileRun.id.desc()).limit(runs)))
    statement = (
        select(CoveragePointRow, ReconcileRun.as_of, ReconcileRun.started_at)
        .join(ReconcileRun, CoveragePointRow.run_id == ReconcileRun.id)
        .where(CoveragePointRow.run_id.in_(chosen))
        .order_by(CoveragePointRow.run_id, CoveragePointRow.id)
    )
    return [HistoryPoint(point.run_id, as_of, started_at, point.channel, point.listable, point.live)
            for point, as_of, started_at in session.execute(statement)]
