"""Catalogue tables: producers, products, certification history, ingest runs and their rejects."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ocop.store import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Producer(Base):
    """A chủ thể OCOP: cooperative, enterprise, cooperative group or household business."""

    __tablename__ = "producers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    tax_code: Mapped[str | None] = mapped_column(String(16))
    province: Mapped[str] = mapped_column(String(100))
    commune: Mapped[str] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(255))
    province_old: Mapped[str | None] = mapped_column(String(100))
    district_old: Mapped[str | None] = mapped_column(String(100))
    commune_old: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))   # RFC 5321's longest address
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    products: Mapped[list[Product]] = relationship(back_populates="producer")


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    ocop_code: Mapped[str] = mapped_column(String(64), unique=True)
    seller_sku: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # canonical form for comparisons
    group_code: Mapped[str] = mapped_column(String(8))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    pack_size: Mapped[str | None] = mapped_column(String(64))
    net_weight_g: Mapped[int | None] = mapped_column(Integer)
    price_vnd: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(Integer, default=100)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    producer: Mapped[Producer] = relationship(back_populates="products")
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="product", order_by="Certification.signed_on", cascade="all, delete-orphan"
    )


class Certification(Base):
    """One recognition decision; a product's history is all of its rows (re-ratings, renewals)."""

    __tablename__ = "certifications"
    __table_args__ = (UniqueConstraint("product_id", "decision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    decision_number: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    authority: Mapped[str] = mapped_column(String(255))
    stars: Mapped[int] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    expires_on: Mapped[dt.date] = mapped_column(Date, index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    product: Mapped[Product] = relationship(back_populates="certifications")


class IngestRun(Base):
    """One ingest of one source; the counts always satisfy rows_in = accepted + rejected + merged."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1024))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    rows_in: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)

    rejects: Mapped[list[IngestReject]] = relationship(back_populates="run", cascade="all, delete-orphan")


class IngestReject(Base):
    """A row that did not land (or a warning on one that did), with the field, value and rule."""

    __tablename__ = "ingest_rejects"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id"), index=True)
    sheet: Mapped[str | None] = mapped_column(String(100))   # the workbook's sheet, when several were read
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16), default="error")  # error | warning | duplicate

    run: Mapped[IngestRun] = relationship(back_populates="rejects")


class RegistrySyncState(Base):
    """Per registry URL: the ETag and `updated_since` cursor that make a re-pull move only changes."""

    __tablename__ = "registry_sync_state"

    source_url: Mapped[str] = mapped_column(String(1024), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(255))
    updated_since: Mapped[str | None] = mapped_column(String(64))
    pulled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, server_default=func.now())
