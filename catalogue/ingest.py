"""Ingest: one source (file or registry) into producers, products and certifications, in one transaction.

    read -> validate every row -> resolve duplicates -> write (bulk) -> record the run and its rejects

A source that cannot be read at all raises SourceError before anything is written. Otherwise the
valid rows land and the rejected ones are listed in `ingest_rejects` and a rejects CSV; always
rows_in = accepted + rejected + merged. Re-ingesting the same input changes nothing: a product is
only rewritten when its content hash changes, and a recognition only added when its decision is new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import requests
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from catalogue.bulk_write import BulkBatch, CatalogueWriter, StoredCatalogue, WriteCounts, load_product_fields
from catalogue.dedup import Producers, Resolution, describe_catalogue_merges, resolve_duplicates
from catalogue.issues import Issue
from catalogue.messages import summarise
from catalogue.models import IngestReject, IngestRun, RegistrySyncState
from catalogue.sources import SourceRow, SourceTable, load_mapping, mapping_beside, read_file
from catalogue.sources.columns import CANONICAL_COLUMNS
from catalogue.sources.registry import RegistryState, is_registry_url, pull_registry, registry_key
from catalogue.validation import ValidRow, validate_row
from ocop.settings import load_settings
from ocop.spreadsheets import write_csv_rows
from ocop.store import transaction
from ocop.text import visible

REJECTS_CSV_COLUMNS = ("sheet", "row", "severity", "field", "value", "rule", "ocop_code", "product_name")
SHEET_NAME_LENGTH = IngestReject.sheet.type.length


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
           http: requests.Session | None = None, columns_file: Path | None = None) -> IngestSummary:
    """Ingest a CSV/XLSX file or pull a registry URL. Raises SourceError, writing nothing, if unreadable.

    A file's own headers are mapped by `columns_file`, else by the columns file beside it (`<source>.columns.toml`).
    """
    if is_registry_url(source):
        return _ingest_registry(engine, str(source), rejects_dir=rejects_dir, today=today, http=http)
    columns_file = columns_file or mapping_beside(source)
    table = read_file(source, load_mapping(columns_file) if columns_file else None)
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
        run = IngestRun(source=visible(table.source)[:1024], started_at=now)
        session.add(run)
        session.flush()
        stored = StoredCatalogue.load(session)
        resolution = _resolve(session, checked.valid, stored)
        counts = CatalogueWriter(session, stored, now).write(resolution)
        issues = checked.issues + resolution.issues
        _add_context(checked, resolution)
        summary = _summarise(run.id, table, checked.rows_in, issues, resolution, counts, not_modified)
        _record_run(session, run, summary)
        if registry_state is not None:
            _store_registry_state(session, *registry_state, now)
    path = _write_rejects_csv(summary, checked.context, rejects_dir) if issues else None
    return replace(summary, rejects_path=path)


def _resolve(session: Session, rows: list[ValidRow], stored: StoredCatalogue) -> Resolution:
    """Duplicates resolved; a row merged into a stored product is told which of its values were not stored."""
    resolution = resolve_duplicates(rows, stored.known)
    targets = {code for _, _, code in resolution.catalogue_merges}
    if targets:
        describe_catalogue_merges(resolution, load_product_fields(session, targets))
    return resolution


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
    context: dict[tuple[str, int], tuple[str, str]]   # row key -> (ocop_code, product_name), for rows with issues


def _validate(table: SourceTable, today: dt.date) -> _Checked:
    """Consumes the (possibly streamed) rows once, keeping only the compact validated records."""
    checked = _Checked(valid=[], issues=[], rows_in=0, context={})
    producers = Producers()   # one object per producer, not per row: the first row's
    for row in table.rows:
        checked.rows_in += 1
        record, row_issues = validate_row(row, today=today)
        if record is not None:
            record, conflicts = producers.adopt(record)
            checked.valid.append(record)
            row_issues += conflicts
        if row_issues:
            checked.issues.extend(row_issues)
            checked.context[row.key] = (visible(str(row.values.get("ocop_code") or "")),
                                        visible(str(row.values.get("product_name") or "")))
    return checked


def _add_context(checked: _Checked, resolution: Resolution) -> None:
    flagged = {issue.key for issue in resolution.issues}
    for row in checked.valid:
        if row.key in flagged:
            checked.context[row.key] = (row.product.ocop_code, row.product.name)


def _summarise(run_id: int, table: SourceTable, rows_in: int, issues: list[Issue], resolution: Resolution,
               counts: WriteCounts, not_modified: bool) -> IngestSummary:
    invalid_rows = {issue.key for issue in issues if issue.severity == "error"}
    rejected = len(invalid_rows | resolution.rejected_rows)
    merged = len(resolution.merged_rows)
    accepted = len(resolution.primaries)
    summary = IngestSummary(
        run_id=run_id, source=table.source, rows_in=rows_in, accepted=accepted, rejected=rejected,
        merged=merged, inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged,
        warnings=sum(1 for issue in issues if issue.severity == "warning"), not_modified=not_modified,
        detail=_detail(table), issues=tuple(sorted(issues, key=_reading_order(table))))
    if summary.rows_in != accepted + rejected + merged:
        raise AssertionError(f"ingest counts do not balance: {summary}")
    return summary


def _reading_order(table: SourceTable):
    sheets = {sheet: position for position, sheet in enumerate(table.sheets)}
    return lambda issue: (sheets.get(issue.sheet, 0), issue.row)


def _detail(table: SourceTable) -> str:
    if not table.ignored_columns:
        return table.detail
    return f"{table.detail}; ignored columns: {summarise(table.ignored_columns)}"


def _record_run(session: Session, run: IngestRun, summary: IngestSummary) -> None:
    for name in ("rows_in", "accepted", "rejected", "merged", "inserted", "updated", "unchanged", "warnings"):
        setattr(run, name, getattr(summary, name))
    run.finished_at = dt.datetime.now(dt.UTC)
    rejects = BulkBatch(session, insert(IngestReject.__table__))
    for issue in summary.issues:
        rejects.add({"run_id": run.id, "sheet": issue.sheet and issue.sheet[:SHEET_NAME_LENGTH],
                     "row_number": issue.row, "field": issue.field, "value": issue.value, "rule": issue.rule,
                     "severity": issue.severity})
    rejects.flush()


def _store_registry_state(session: Session, base: str, state: RegistryState, now: dt.datetime) -> None:
    session.merge(RegistrySyncState(source_url=base, etag=state.etag, updated_since=state.updated_since, pulled_at=now))


def _write_rejects_csv(summary: IngestSummary, context: dict[int, tuple[str, str]], rejects_dir: Path | None) -> Path:
    if rejects_dir is None:
        rejects_dir = load_settings().home / "rejects"
    rejects_dir.mkdir(parents=True, exist_ok=True)
    rows = ([issue.sheet or "", issue.row, issue.severity, issue.field, issue.value or "", issue.rule,
             *context.get(issue.key, ("", ""))] for issue in summary.issues)
    return write_csv_rows(rejects_dir / f"ingest-{summary.run_id}-rejects.csv", REJECTS_CSV_COLUMNS, rows)
