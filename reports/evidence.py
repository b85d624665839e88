"""The evidence behind a coverage figure, for an inspector who wants to check "963/963 live".

One row per listable product and shop (live or not): where the listing can be seen (its public
URL), its remote id, its status as the shop reported it, when it was observed and how (the
reconciliation run's full reading, or a status the platform pushed since); the ones not live carry
the reason. Written as CSV and XLSX, with a manifest
holding each file's SHA-256, the run it came from and the figures the rows add up to, so that a
figure in the report can be traced to the rows, and the rows to the files handed over.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from reconcile.classify import Finding
from reconcile.run import ReconcileResult
from reports.files import write_csv, write_xlsx
from reports.links import ListingLink
from reports.tables import Column, Table

MANIFEST = "manifest.json"
COLUMNS = (
    Column("ocop_code", "code"), Column("product"), Column("producer"), Column("stars", "int"),
    Column("channel", "code"), Column("shop", "code"), Column("live"), Column("state", "code"),
    Column("listing_url", "code"), Column("remote_id", "code"), Column("platform_status", "code"),
    Column("observed_at", "code"), Column("observed_by", "code"), Column("reconcile_run", "int"), Column("reason"),
)


@dataclass(frozen=True)
class Evidence:
    out_dir: Path
    csv: Path
    xlsx: Path
    manifest: Path
    rows: int


def write_evidence(result: ReconcileResult, out_dir: Path, *, listing_url: ListingLink) -> Evidence:
    """The evidence of one reconciliation run in `out_dir` (evidence.csv, evidence.xlsx, manifest.json)."""
    rec = result.reconciliation
    products = {p.product.ocop_code: p for p in rec.products}
    observed_at = rec.taken_at.isoformat(timespec="seconds")
    findings = sorted((f for f in rec.findings if f.in_denominator),
                      key=lambda f: (f.ocop_code or "", f.channel, f.shop_key))
    pushed = {(notice.shop_key, notice.remote_id): notice for notice in result.notices}
    rows = [_row(finding, products.get(finding.ocop_code), listing_url, _observed(finding, pushed, observed_at), result.run_id)
            for finding in findings]
    table = Table("evidence", "Evidence", "Evidence", COLUMNS, rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = write_csv(table, out_dir / "evidence.csv")
    xlsx_path = write_xlsx([table], out_dir / "evidence.xlsx")
    manifest = {
        "province": result.run.province,
        "as_of": result.run.as_of.isoformat(),
        "reconcile_run": result.run_id,
        "snapshot_taken_at": observed_at,
        "statuses_pushed_since": len(result.notices),
        "figures": _figures(result),
        "rows": len(rows),
        "files": {path.name: {"sha256": sha256_of(path), "bytes": path.stat().st_size} for path in (csv_path, xlsx_path)},
        "how_to_check": "sha256sum evidence.csv evidence.xlsx; each channel's live figure is the number of "
                        "products (ocop_code) with live=yes on one of its shops, of those listed for it",
    }
    manifest_path = out_dir / MANIFEST
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Evidence(out_dir, csv_path, xlsx_path, manifest_path, len(rows))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _observed(finding: Finding, pushed: dict, snapshot_at: str) -> tuple[str, str]:
    """When the row's status was observed, and how: by the reconciliation's full reading, or a push
    (or a sweep that found one missed) after it."""
    notice = pushed.get((finding.shop_key, finding.remote_id))
    if notice is None:
        return snapshot_at, "reconciliation"
    return notice.at.isoformat(timespec="seconds"), notice.source


def _row(finding: Finding, product, listing_url: ListingLink, observed: tuple[str, str], run_id: int) -> tuple:
    name = product.product.name if product else ""
    producer = product.producer.name if product else ""
    stars = product.certification.stars if product and product.certification else None
    return (finding.ocop_code, name, producer, stars, finding.channel, finding.shop_key,
            "yes" if finding.live else "no", finding.state.value,
            (listing_url(finding) or "") if finding.remote_id else "", finding.remote_id or "",
            finding.platform_status or finding.remote_status or "", *observed, run_id,
            "" if finding.live else (finding.reason or finding.state.value))


def _figures(result: ReconcileResult) -> dict[str, dict[str, int]]:
    coverage = result.coverage
    figures = {c.channel: {"live": c.share.live, "listable": c.share.listable} for c in coverage.channels}
    figures["all_channels"] = {"live": coverage.all_channels.live, "listable": coverage.all_channels.listable}
    return figures
