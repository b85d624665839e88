"""The ledger's tables: shops, one binding per product x shop, the append-only event log, the images
uploaded to each shop, and each shop's shared rate limit. Only the ledger package reads or writes
them; everything else gets plain records (`ledger.Binding`, `ledger.EventView`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Double, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.models import Product, _now
from ocop.store import Base


class Shop(Base):
    """One seller account on one channel; credentials live in Secret blocks or the environment."""

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    province: Mapped[str | None] = mapped_column(String(100))


class ListingBinding(Base):
    __tablename__ = "listing_bindings"
    __table_args__ = (
        UniqueConstraint("product_id", "shop_id"),
        UniqueConstraint("shop_id", "seller_sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    seller_sku: Mapped[str] = mapped_column(String(50))
    remote_id: Mapped[str | None] = mapped_column(String(64))
    remote_sku_id: Mapped[str | None] = mapped_column(String(64))
    # A create request the platform reviews before it is an item (Tiki's track id): remote_id is None
    # until it is approved.
    tracking_id: Mapped[str | None] = mapped_column(String(64))
    remote_status: Mapped[str | None] = mapped_column(String(32))      # our vocabulary: live, under_review, ...
    platform_status: Mapped[str | None] = mapped_column(String(64))    # the platform's own word
    rendered_hash: Mapped[str | None] = mapped_column(String(64))
    pushed_hash: Mapped[str | None] = mapped_column(String(64))        # only ever set by a success
    pushed_price_vnd: Mapped[int | None] = mapped_column(BigInteger)
    pushed_stock: Mapped[int | None] = mapped_column(Integer)
    source_fingerprint: Mapped[str | None] = mapped_column(String(64))  # render inputs when last settled
    package_estimated: Mapped[bool | None] = mapped_column(Boolean)     # weight and box last sent were estimated
    blocked_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    last_error_class: Mapped[str | None] = mapped_column(String(32))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
    last_pushed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    product: Mapped[Product] = relationship()
    shop: Mapped[Shop] = relationship()


class ListingEvent(Base):
    """Append-only: one row per marketplace call (or decision not to call), never updated."""

    __tablename__ = "listing_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    binding_id: Mapped[int] = mapped_column(ForeignKey("listing_bindings.id"), index=True)
    run_id: Mapped[str | None] = mapped_column(String(64), index=True)
    operation: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(128))
    error_code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class ImageUpload(Base):
    """An image already uploaded to a shop, by content hash, so it is never uploaded twice."""

    __tablename__ = "image_uploads"
    __table_args__ = (UniqueConstraint("shop_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    remote_ref: Mapped[str] = mapped_column(String(1024))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ShopRateLimit(Base):
    """A shop's next free call slot, shared by every process that calls the shop (see
    `ledger.shop_rate_limit`). Keyed by the shop's key, so a limiter works before the ledger has
    a `shops` row for it."""

    __tablename__ = "shop_rate_limits"

    shop_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_slot: Mapped[float] = mapped_column(Double)     # seconds since the epoch, on the database's clock
