"""Reconciliation tables: each run's snapshot of what the shops really hold, and coverage over time.

A run is one reading of a set of shops on one day. The snapshot rows keep only what
classification needs (not descriptions), so a report can be rebuilt later without any
marketplace call; the OCOP claim found in the description is kept as two columns.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.models import _now
from ocop.store import Base


class ReconcileRun(Base):
    __tablename__ = "reconcile_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str | None] = mapped_column(String(100), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)                  # the day listability is judged on
    target_pct: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    pulls: Mapped[list[ShopPullRow]] = relationship(back_populates="run", cascade="all, delete-orphan",
                                                    order_by="ShopPullRow.id")


class ShopPullRow(Base):
    """How reading one shop went: a shop that could not be read fully proves nothing about its items."""

    __tablename__ = "reconcile_shop_pulls"
    __table_args__ = (UniqueConstraint("run_id", "shop_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconcile_runs.id"), index=True)
    shop_key: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    listings: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    run: Mapped[ReconcileRun] = relationship(back_populates="pulls")


class SnapshotListingRow(Base):
    __tablename__ = "snapshot_listings"
    __table_args__ = (Index("ix_snapshot_listings_run_shop", "run_id", "shop_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconcile_runs.id"))
    shop_key: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str] = mapped_column(String(64))
    remote_sku_id: Mapped[str | None] = mapped_column(String(64))
    tracking_id: Mapped[str | None] = mapped_column(String(64))   # set while the item is a create request
    seller_sku: Mapped[str | None] = mapped_column(String(255))   # sellers type their own (Shopee allows 100)
    status: Mapped[str] = mapped_column(String(32))
    platform_status: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    price_vnd: Mapped[int | None] = mapped_column(BigInteger)
    stock: Mapped[int | None] = mapped_column(Integer)
    gtin: Mapped[str | None] = mapped_column(String(64))         # as the shop holds it, not validated
    reject_reason: Mapped[str | None] = mapped_column(Text)
    claims_ocop: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_stars: Mapped[int | None] = mapped_column(Integer)
    remote_updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CoveragePointRow(Base):
    """One run's coverage on one channel (`channel = "all"`: live on every shop at once)."""

    __tablename__ = "coverage_history"
    __table_args__ = (UniqueConstraint("run_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconcile_runs.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    listable: Mapped[int] = mapped_column(Integer)
    live: Mapped[int] = mapped_column(Integer)
