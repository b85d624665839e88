"""Ingest: one source (file or registry) into producers, products and certifications, in one transaction.

    read -> validate every row -> resolve duplicates -> write (bulk) -> record the run and its rejects

A source that cannot be read at all raises SourceError before anything is written. Otherwise the
valid rows land and the rejected ones are listed in `ingest_rejects` and a rejects CSV; always
rows_in = accepted + rejected + merged. Re-ingesting the same input changes nothing: a product is
only rewritten when its content hash changes, and a recognition only added when its decision is new.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import requests
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from catalogue.dedup import KnownProduct, Resolution, resolve_duplicates
from catalogue.models import Certification, IngestReject, IngestRun, Producer, Product, RegistrySyncState
from catalogue.records import CertificationRecord, ProducerRecord, ProductRecord, expiry_of
from catalogue.sources import SourceRow, SourceTable, read_file
from catalogue.sources.columns import CANONICAL_COLUMNS
from catalogue.sources.registry import RegistryState, is_registry_url, pull_registry, registry_key
from catalogue.store import transaction
from catalogue.validation import Issue, ValidRow, validate_row
from ocop.settings import load_settings

REJECTS_CSV_COLUMNS = ("row", "severity", "field", "value", "rule", "ocop_code", "product_name")


@dataclass(frozen=True)
class IngestSummary:
    run_id: int
    source: str
    rows_in: int
    accepted: int        # rows that define a product: inserted + updated + unchanged
    rejected: int
    merged: int          # rows folded into another product as duplicates
    inserted: int
    updated: int
    unchanged: int
    warnings: int
    not_modified: bool = False     # the registry answered 304
    rejects_path: Path | None = None
    detail: str = ""
    issues: tuple[Issue, ...] = ()

    def __str__(self) -> str:
        if self.not_modified:
            return f"ingest #{self.run_id} {self.source}: not modified since the last pull (nothing to do)"
        lines = [
            f"ingest #{self.run_id} {self.source} ({self.detail})",
            f"  rows in   {self.rows_in:>8}  = accepted {self.accepted} + rejected {self.rejected} + merged {self.merged}",
            f"  products  inserted {self.inserted}, updated {self.updated}, unchanged {self.unchanged}",
            f"  warnings  {self.warnings}",
        ]
        if self.rejects_path:
            lines.append(f"  rejects   {self.rejects_path}")
        return "\n".join(lines)


def ingest(engine: Engine, source: str | Path, *, rejects_dir: Path | None = None, today: dt.date | None = None,
           http: requests.Session | None = None) -> IngestSummary:
    """Ingest a CSV/XLSX file or pull a registry URL. Raises SourceError, writing nothing, if unreadable."""
    if is_registry_url(source):
        return _ingest_registry(engine, str(source), rejects_dir=rejects_dir, today=today, http=http)
    table = read_file(source)
    return ingest_table(engine, table, rejects_dir=rejects_dir, today=today)


def ingest_rows(engine: Engine, rows: Iterable[Mapping[str, object]], *, source: str = "rows",
                rejects_dir: Path | None = None, today: dt.date | None = None) -> IngestSummary:
    """Ingest canonical rows given in memory (e.g. `catalogue.sample.sample_rows`), numbered from 1."""
    source_rows = [SourceRow(number, {k: row[k] for k in CANONICAL_COLUMNS if k in row})
                   for number, row in enumerate(rows, start=1)]
    return ingest_table(engine, SourceTable(source=source, rows=source_rows),
                        rejects_dir=rejects_dir, today=today)


def ingest_table(engine: Engine, table: SourceTable, *, rejects_dir: Path | None = None,
                 today: dt.date | None = None, registry_state: tuple[str, RegistryState] | None = None,
                 not_modified: bool = False) -> IngestSummary:
    """Validate every row of a readable source, then write the catalogue changes in one transaction."""
    checked = _validate(table, today or dt.date.today())
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        run = IngestRun(source=table.source[:1024], started_at=now)
        session.add(run)
        session.flush()
        existing = _Existing.load(session)
        resolution = resolve_duplicates(checked.valid, existing.known)
        counts = _CatalogueWriter(session, existing, now).write(resolution)
        issues = checked.issues + resolution.issues
        _add_context(checked, resolution)
        summary = _summarise(run.id, table, checked.rows_in, issues, resolution, counts, not_modified)
        _record_run(session, run, summary)
        if registry_state is not None:
            _store_registry_state(session, *registry_state, now)
    path = _write_rejects_csv(summary, checked.context, rejects_dir) if issues else None
    return replace(summary, rejects_path=path)


def _ingest_registry(engine: Engine, url: str, *, rejects_dir: Path | None, today: dt.date | None,
                     http: requests.Session | None) -> IngestSummary:
    key = registry_key(url)
    with transaction(engine) as session:
        stored = session.get(RegistrySyncState, key)
        state = RegistryState(etag=stored.etag, updated_since=stored.updated_since) if stored else RegistryState()
    pull = pull_registry(url, state, http=http)
    return ingest_table(engine, pull.table, rejects_dir=rejects_dir, today=today,
                        registry_state=(key, pull.state), not_modified=pull.not_modified)


@dataclass
class _Checked:
    valid: list[ValidRow]
    issues: list[Issue]
    rows_in: int
    context: dict[int, tuple[str, str]]   # row -> (ocop_code, product_name) as given, for rows with issues


def _validate(table: SourceTable, today: dt.date) -> _Checked:
    """Consumes the (possibly streamed) rows once, keeping only the compact validated records."""
    checked = _Checked(valid=[], issues=[], rows_in=0, context={})
    producers: dict[ProducerRecord, ProducerRecord] = {}   # one object per distinct producer, not per row
    for row in table.rows:
        checked.rows_in += 1
        record, row_issues = validate_row(row, today=today)
        if record is not None:
            producer = producers.setdefault(record.producer, record.producer)
            checked.valid.append(record if producer is record.producer else replace(record, producer=producer))
        if row_issues:
            checked.issues.extend(row_issues)
            checked.context[row.number] = (str(row.values.get("ocop_code") or ""),
                                           str(row.values.get("product_name") or ""))
    return checked


def _add_context(checked: _Checked, resolution: Resolution) -> None:
    flagged = {issue.row for issue in resolution.issues}
    for row in checked.valid:
        if row.row in flagged:
            checked.context[row.row] = (row.product.ocop_code, row.product.name)


def content_hash(product: ProductRecord) -> str:
    """Fingerprint of everything stored about a product itself (its recognitions are compared one by one)."""
    payload = [product.name, product.group_code, product.producer_key, product.gtin, product.pack_size,
               product.net_weight_g, product.price_vnd, product.stock, list(product.images), product.description]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _producer_fields(producer: ProducerRecord) -> dict[str, object]:
    address = producer.address
    return {"name": producer.name, "kind": producer.kind.value, "tax_code": producer.tax_code,
            "province": address.province, "commune": address.commune, "street": address.street,
            "province_old": address.province_old, "district_old": address.district_old,
            "commune_old": address.commune_old}


_PRODUCER_COLUMNS = ("name", "kind", "tax_code", "province", "commune", "street", "province_old", "district_old",
                     "commune_old")
_CERTIFICATION_COLUMNS = ("decision_number", "signed_on", "authority", "stars", "score", "expires_on", "revoked")


def _product_fields(product: ProductRecord, name_key: str) -> dict[str, object]:
    return {"name": product.name, "name_key": name_key, "group_code": product.group_code, "gtin": product.gtin,
            "pack_size": product.pack_size, "net_weight_g": product.net_weight_g, "price_vnd": product.price_vnd,
            "stock": product.stock, "images": list(product.images), "description": product.description,
            "content_hash": content_hash(product)}


def _certification_fields(certification: CertificationRecord) -> dict[str, object]:
    return {"decision_number": certification.decision_number, "signed_on": certification.signed_on,
            "authority": certification.authority, "stars": certification.stars, "score": certification.score,
            "expires_on": expiry_of(certification.signed_on), "revoked": certification.revoked}


@dataclass
class _Existing:
    """The catalogue as it stands, loaded in a few bulk queries; values as tuples to keep 100k rows small."""

    producers: dict[str, tuple[int, tuple]]                  # key -> (id, values of _PRODUCER_COLUMNS)
    products: dict[str, tuple[int, str]]                     # ocop_code -> (id, content_hash)
    certifications: dict[tuple[int, str], tuple[int, tuple]]  # (product id, decision) -> (id, _CERTIFICATION_COLUMNS)
    known: list[KnownProduct]

    @classmethod
    def load(cls, session: Session) -> _Existing:
        producer_columns = [getattr(Producer, name) for name in _PRODUCER_COLUMNS]
        producers = {key: (producer_id, tuple(values)) for producer_id, key, *values
                     in session.execute(select(Producer.id, Producer.key, *producer_columns))}
        key_of = {producer_id: key for key, (producer_id, _) in producers.items()}
        products: dict[str, tuple[int, str]] = {}
        known: list[KnownProduct] = []
        for row in session.execute(select(Product.id, Product.ocop_code, Product.content_hash, Product.producer_id,
                                          Product.gtin, Product.name_key, Product.pack_size, Product.seller_sku)):
            products[row.ocop_code] = (row.id, row.content_hash)
            known.append(KnownProduct(row.ocop_code, key_of[row.producer_id], row.gtin, row.name_key,
                                      row.pack_size, row.seller_sku))
        certification_columns = [getattr(Certification, name) for name in _CERTIFICATION_COLUMNS]
        certifications = {(product_id, values[0]): (certification_id, tuple(values)) for certification_id, product_id, *values
                          in session.execute(select(Certification.id, Certification.product_id, *certification_columns))}
        return cls(producers, products, certifications, known)


@dataclass
class _Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class _Batch:
    """Parameter sets for one bulk statement, executed every SIZE rows so memory stays bounded."""

    SIZE = 2_000

    def __init__(self, session: Session, statement):
        self.session = session
        self.statement = statement
        self.rows: list[dict[str, object]] = []
        self.count = 0

    def add(self, params: dict[str, object]) -> None:
        self.rows.append(params)
        self.count += 1
        if len(self.rows) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.session.execute(self.statement, self.rows)
            self.rows = []


class _CatalogueWriter:
    """Applies a resolution to the catalogue with bulk INSERT/UPDATE statements (no per-row round trips)."""

    def __init__(self, session: Session, existing: _Existing, now: dt.datetime):
        self.session = session
        self.existing = existing
        self.now = now

    def write(self, resolution: Resolution) -> _Counts:
        producer_ids = self._write_producers(resolution.primaries.values())
        product_ids, changed = self._write_products(resolution.primaries, producer_ids)
        touched = self._write_certifications(resolution.certifications, product_ids)
        self._touch(touched - changed, product_ids)
        counts = _Counts()
        for code in resolution.primaries:
            if code not in self.existing.products:
                counts.inserted += 1
            elif code in changed or code in touched:
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts

    def _write_producers(self, rows: Iterable[ValidRow]) -> dict[str, int]:
        new, changed, seen = _Batch(self.session, insert(Producer.__table__)), _Batch(self.session, update(Producer)), set()
        for row in rows:
            key = row.producer.key
            if key in seen:
                continue
            seen.add(key)
            fields = _producer_fields(row.producer)
            stored = self.existing.producers.get(key)
            if stored is None:
                new.add({"key": key, **fields, "created_at": self.now, "updated_at": self.now})
            elif stored[1] != tuple(fields[name] for name in _PRODUCER_COLUMNS):
                changed.add({"id": stored[0], **fields, "updated_at": self.now})
        new.flush()
        changed.flush()
        ids = {key: producer_id for key, (producer_id, _) in self.existing.producers.items()}
        if new.count:
            ids.update(self.session.execute(select(Producer.key, Producer.id)).all())
        return ids

    def _write_products(self, primaries: Mapping[str, ValidRow],
                        producer_ids: dict[str, int]) -> tuple[dict[str, int], set[str]]:
        new, updates, changed = _Batch(self.session, insert(Product.__table__)), _Batch(self.session, update(Product)), set()
        for code, row in primaries.items():
            fields = _product_fields(row.product, row.name_key)
            fields["producer_id"] = producer_ids[row.producer.key]
            stored = self.existing.products.get(code)
            if stored is None:
                new.add({"ocop_code": code, "seller_sku": row.product.seller_sku, **fields,
                         "created_at": self.now, "updated_at": self.now})
            elif stored[1] != fields["content_hash"]:
                updates.add({"id": stored[0], **fields, "updated_at": self.now})
                changed.add(code)
        new.flush()
        updates.flush()
        ids = {code: product_id for code, (product_id, _) in self.existing.products.items()}
        if new.count:
            ids.update(self.session.execute(select(Product.ocop_code, Product.id)).all())
        return ids, changed

    def _write_certifications(self, wanted: dict[str, dict[str, CertificationRecord]],
                              product_ids: dict[str, int]) -> set[str]:
        """Adds new decisions and corrects changed ones; decisions missing from the input stay (history)."""
        new, changed = _Batch(self.session, insert(Certification.__table__)), _Batch(self.session, update(Certification))
        touched = set()
        for code, decisions in wanted.items():
            product_id = product_ids[code]
            for number, certification in decisions.items():
                fields = _certification_fields(certification)
                stored = self.existing.certifications.get((product_id, number))
                if stored is None:
                    new.add({"product_id": product_id, **fields})
                    touched.add(code)
                elif stored[1] != tuple(fields[name] for name in _CERTIFICATION_COLUMNS):
                    changed.add({"id": stored[0], **fields})
                    touched.add(code)
        new.flush()
        changed.flush()
        return touched

    def _touch(self, codes: set[str], product_ids: dict[str, int]) -> None:
        """A product whose recognitions changed is changed too: move its updated_at."""
        batch = _Batch(self.session, update(Product))
        for code in codes:
            if code in self.existing.products:
                batch.add({"id": product_ids[code], "updated_at": self.now})
        batch.flush()


def _summarise(run_id: int, table: SourceTable, rows_in: int, issues: list[Issue], resolution: Resolution,
               counts: _Counts, not_modified: bool) -> IngestSummary:
    invalid_rows = {issue.row for issue in issues if issue.severity == "error"}
    rejected = len(invalid_rows | resolution.rejected_rows)
    merged = len(resolution.merged_rows)
    accepted = len(resolution.primaries)
    summary = IngestSummary(
        run_id=run_id, source=table.source, rows_in=rows_in, accepted=accepted, rejected=rejected,
        merged=merged, inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged,
        warnings=sum(1 for issue in issues if issue.severity == "warning"), not_modified=not_modified,
        detail=_detail(table), issues=tuple(sorted(issues, key=lambda issue: issue.row)))
    if summary.rows_in != accepted + rejected + merged:
        raise AssertionError(f"ingest counts do not balance: {summary}")
    return summary


def _detail(table: SourceTable) -> str:
    if not table.ignored_columns:
        return table.detail
    return f"{table.detail}; ignored columns: {', '.join(table.ignored_columns)}"


def _record_run(session: Session, run: IngestRun, summary: IngestSummary) -> None:
    for name in ("rows_in", "accepted", "rejected", "merged", "inserted", "updated", "unchanged", "warnings"):
        setattr(run, name, getattr(summary, name))
    run.finished_at = dt.datetime.now(dt.UTC)
    rejects = _Batch(session, insert(IngestReject.__table__))
    for issue in summary.issues:
        rejects.add({"run_id": run.id, "row_number": issue.row, "field": issue.field, "value": issue.value,
                     "rule": issue.rule, "severity": issue.severity})
    rejects.flush()


def _store_registry_state(session: Session, base: str, state: RegistryState, now: dt.datetime) -> None:
    session.merge(RegistrySyncState(source_url=base, etag=state.etag, updated_since=state.updated_since, pulled_at=now))


def _write_rejects_csv(summary: IngestSummary, context: dict[int, tuple[str, str]], rejects_dir: Path | None) -> Path:
    if rejects_dir is None:
        rejects_dir = load_settings().home / "rejects"
    rejects_dir.mkdir(parents=True, exist_ok=True)
    path = rejects_dir / f"ingest-{summary.run_id}-rejects.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:   # BOM: Excel opens it as UTF-8
        writer = csv.writer(handle)
        writer.writerow(REJECTS_CSV_COLUMNS)
        for issue in summary.issues:
            ocop_code, product_name = context.get(issue.row, ("", ""))
            writer.writerow([issue.row, issue.severity, issue.field, issue.value or "", issue.rule, ocop_code,
                             product_name])
    return path
