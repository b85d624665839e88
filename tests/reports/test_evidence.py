"""The evidence export: every listable product x shop with where to see it, the files' hashes in a
manifest an inspector can recompute, and figures the rows add up to."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict

from openpyxl import load_workbook

from reports.evidence import write_evidence


def _url(finding) -> str:
    return f"https://market.example/{finding.shop_key}/{finding.remote_id}"


def test_the_manifest_holds_each_files_sha256_and_the_run(result, tmp_path):
    evidence = write_evidence(result, tmp_path / "evidence", listing_url=_url)
    manifest = json.loads(evidence.manifest.read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"evidence.csv", "evidence.xlsx"}
    for name, entry in manifest["files"].items():
        data = (evidence.out_dir / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert manifest["reconcile_run"] == result.run_id
    assert manifest["snapshot_taken_at"] == result.reconciliation.taken_at.isoformat(timespec="seconds")


def test_every_listable_product_and_shop_is_a_row_and_the_rows_add_up_to_the_reports_figures(result, tmp_path):
    evidence = write_evidence(result, tmp_path / "evidence", listing_url=_url)
    with evidence.csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    listable = [f for f in result.reconciliation.findings if f.in_denominator]
    assert len(rows) == len(listable) == evidence.rows
    assert {(r["ocop_code"], r["shop"]) for r in rows} == {(f.ocop_code, f.shop_key) for f in listable}

    live, listed = defaultdict(set), defaultdict(set)
    for row in rows:
        listed[row["channel"]].add(row["ocop_code"])
        if row["live"] == "yes":
            live[row["channel"]].add(row["ocop_code"])
    manifest = json.loads(evidence.manifest.read_text(encoding="utf-8"))
    for channel in result.coverage.channels:
        figure = manifest["figures"][channel.channel]
        assert figure == {"live": channel.share.live, "listable": channel.share.listable}
        assert (len(live[channel.channel]), len(listed[channel.channel])) == (figure["live"], figure["listable"])


def test_a_live_row_links_to_its_listing_and_a_row_not_live_says_why(result, tmp_path):
    evidence = write_evidence(result, tmp_path / "evidence", listing_url=_url)
    with evidence.csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    live = [r for r in rows if r["live"] == "yes"]
    assert live and all(r["listing_url"] == f"https://market.example/{r['shop']}/{r['remote_id']}" for r in live)
    assert all(r["reconcile_run"] == str(result.run_id) and r["observed_at"] for r in rows)
    not_live = [r for r in rows if r["live"] == "no"]
    assert not_live and all(r["reason"] for r in not_live)
    assert all(r["listing_url"] == "" for r in rows if not r["remote_id"])


def test_the_workbook_holds_the_same_rows_as_the_csv(result, tmp_path):
    evidence = write_evidence(result, tmp_path / "evidence", listing_url=_url)
    sheet = load_workbook(evidence.xlsx, read_only=True).worksheets[0]
    assert sheet.max_row - 1 == evidence.rows
