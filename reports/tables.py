"""The report tables, built once and written three ways (HTML, XLSX, CSV) so the files always agree.

Cells hold typed values (int, date, `Share`, text); each writer formats them its own way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from catalogue.records import CatalogueProduct
from reconcile.classify import Finding, Reconciliation, State
from reconcile.coverage import DIMENSIONS, BreakdownRow, Coverage, Share
from reconcile.history import ALL_CHANNELS, HistoryPoint
from reports.advice import explain
from reports.i18n import Language

GAP_STATES = (State.REJECTED, State.BLOCKED, State.MISSING, State.INACTIVE, State.UNDER_REVIEW, State.UNVERIFIED)
ISSUE_STATES = (State.EXPIRED_LIVE, State.DUPLICATE, State.DRIFT)
# The states of listable products, in the order charts and tables show them.
DENOMINATOR_STATES = (State.LIVE, State.DRIFT, State.DUPLICATE, State.UNDER_REVIEW, State.INACTIVE, State.REJECTED,
                      State.BLOCKED, State.MISSING, State.UNVERIFIED)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"          # text | code (identifiers: never wrapped) | int | pct | date | money


@dataclass(frozen=True)
class Table:
    key: str                    # file name of its CSV
    title: str
    sheet: str                  # XLSX sheet name (at most 31 characters)
    columns: tuple[Column, ...]
    rows: list[tuple] = field(default_factory=list)
    note: str = ""


def province_tables(rec: Reconciliation, coverage: Coverage, history: Sequence[HistoryPoint],
                    lang: Language) -> list[Table]:
    products = {p.product.ocop_code: p for p in rec.products}
    return [
        coverage_table(coverage, lang),
        status_table(coverage, lang),
        *(breakdown_table(coverage, dimension, lang) for dimension in DIMENSIONS),
        findings_table("gaps", lang("gaps"), _sorted(rec.findings, GAP_STATES), products, lang, lang("gaps_note")),
        findings_table("issues", lang("issues"), _sorted(rec.findings, ISSUE_STATES), products, lang, lang("issues_note")),
        orphans_table(rec, lang),
        due_table(coverage, lang),
        excluded_table(rec, lang),
        trend_table(history, lang),
    ]


def coverage_table(coverage: Coverage, lang: Language) -> Table:
    columns = (Column(lang("channel")), Column(lang("shops"), "code"), Column(lang("listable"), "int"),
               Column(lang("live"), "int"), Column(lang("not_live"), "int"), Column(lang("pct_live"), "pct"))
    rows = [(lang.channel(c.channel), ", ".join(c.shops), c.share.listable, c.share.live, c.share.gap, c.share)
            for c in coverage.channels]
    everything = coverage.all_channels
    rows.append((lang("all_channels"), "", everything.listable, everything.live, everything.gap, everything))
    return Table("coverage", lang("at_a_glance"), lang("at_a_glance"), columns, rows, lang("glance_note"))


def status_table(coverage: Coverage, lang: Language) -> Table:
    channels = [c.channel for c in coverage.channels]
    columns = (Column(lang("status")), *(Column(lang.channel(c), "int") for c in channels), Column(lang("total"), "int"))
    rows = []
    for state in (*DENOMINATOR_STATES, State.EXPIRED_LIVE, State.NOT_LISTABLE, State.ORPHAN):
        counts = [coverage.state_counts.get(c, {}).get(state.value, 0) for c in channels]
        rows.append((lang(f"state_{state.value}"), *counts, sum(counts)))
    return Table("status", lang("status_by_channel"), lang("status_by_channel"), columns, rows)


def breakdown_table(coverage: Coverage, dimension: str, lang: Language) -> Table:
    channels = [c.channel for c in coverage.channels]
    columns = (Column(lang(f"col_{dimension}")),
               Column(lang("listable_products"), "int"),
               *(Column(f"{lang.channel(c)} (%)", "pct") for c in channels),
               Column(lang("live_all"), "int"), Column(lang("pct_all"), "pct"))
    rows = [(_slice_label(dimension, row, lang), row.products, *(row.channels[c] for c in channels),
             row.all_channels.live, row.all_channels) for row in coverage.breakdowns[dimension]]
    title = lang(f"dim_{dimension}")
    return Table(f"by_{dimension}", title, title[:31], columns, rows)


def _slice_label(dimension: str, row: BreakdownRow, lang: Language) -> str:
    if dimension == "stars":
        return f"{row.key}★"
    if dimension == "producer_kind":
        return lang(f"kind_{row.key}")
    return row.label or lang("unknown")


def findings_columns(lang: Language) -> tuple[Column, ...]:
    return (Column(lang("ocop_code"), "code"), Column(lang("product")), Column(lang("producer")), Column(lang("channel")),
            Column(lang("shop"), "code"), Column(lang("status")), Column(lang("reason")), Column(lang("what_to_do")),
            Column(lang("platform_says")), Column(lang("remote_id"), "code"))


def findings_table(key: str, title: str, findings: Sequence[Finding], products: dict[str, CatalogueProduct],
                   lang: Language, note: str = "") -> Table:
    rows = []
    for finding in findings:
        item = products[finding.ocop_code]
        advice = explain(finding, item, lang)
        rows.append((finding.ocop_code, item.product.name, item.producer.name, lang.channel(finding.channel),
                     finding.shop_key, lang(f"state_{finding.state.value}"), advice.reason, advice.action,
                     _platform_words(finding), finding.remote_id or finding.ledger_remote_id or ""))
    return Table(key, title, title[:31], findings_columns(lang), rows, note)


def _platform_words(finding: Finding) -> str:
    if finding.state in (State.REJECTED, State.BLOCKED, State.MISSING, State.UNVERIFIED) and finding.reason:
        return f"[{finding.error_code}] {finding.reason}" if finding.error_code else finding.reason
    return ""


def _sorted(findings: Sequence[Finding], states: Sequence[State]) -> list[Finding]:
    order = {state: index for index, state in enumerate(states)}
    chosen = [f for f in findings if f.state in order]
    return sorted(chosen, key=lambda f: (order[f.state], f.producer_key or "", f.ocop_code or "", f.shop_key))


def orphans_table(rec: Reconciliation, lang: Language) -> Table:
    columns = (Column(lang("channel")), Column(lang("shop"), "code"), Column(lang("remote_id"), "code"),
               Column(lang("seller_sku"), "code"),
               Column(lang("title_on_shop")), Column(lang("claims_stars")), Column(lang("status")))
    rows = [(lang.channel(f.channel), f.shop_key, f.remote_id, f.seller_sku or "", f.remote_title or "",
             _claim_text(f), f.platform_status or "")
            for f in sorted(rec.orphans, key=lambda f: (not f.claims_ocop, f.shop_key, f.remote_id or ""))]
    return Table("orphans", lang("orphans"), lang("orphans")[:31], columns, rows, lang("orphans_note"))


def _claim_text(finding: Finding) -> str:
    if not finding.claims_ocop:
        return ""
    return f"★ OCOP {finding.claimed_stars}★" if finding.claimed_stars else "★ OCOP"


def due_table(coverage: Coverage, lang: Language) -> Table:
    columns = (Column(lang("ocop_code"), "code"), Column(lang("product")), Column(lang("producer")),
               Column(lang("stars"), "int"),
               Column(lang("decision")), Column(lang("expires_on"), "date"), Column(lang("days_left"), "int"))
    rows = [(d.ocop_code, d.product_name, d.producer_name, d.stars, d.decision_number, d.expires_on, d.days_left)
            for d in coverage.due]
    return Table("due", lang("due"), lang("due")[:31], columns, rows)


def excluded_table(rec: Reconciliation, lang: Language) -> Table:
    columns = (Column(lang("ocop_code"), "code"), Column(lang("product")), Column(lang("producer")),
               Column(lang("reason")))
    rows = []
    for item in sorted(rec.products, key=lambda p: (p.producer.name, p.product.name)):
        reason = item.not_listable_reason(rec.as_of)
        if reason is not None:
            rows.append((item.product.ocop_code, item.product.name, item.producer.name, lang(reason.value)))
    return Table("excluded", lang("excluded"), lang("excluded")[:31], columns, rows, lang("excluded_note"))


def trend_table(history: Sequence[HistoryPoint], lang: Language) -> Table:
    channels = list(dict.fromkeys(p.channel for p in history if p.channel != ALL_CHANNELS))
    columns = (Column(lang("run_date"), "date"), *(Column(lang.channel(c), "pct") for c in channels),
               Column(lang("all_channels"), "pct"))
    by_run: dict[int, dict[str, HistoryPoint]] = {}
    for point in history:
        by_run.setdefault(point.run_id, {})[point.channel] = point
    rows = []
    for points in by_run.values():
        first = next(iter(points.values()))
        shares = [_share_of(points.get(c)) for c in (*channels, ALL_CHANNELS)]
        rows.append((first.as_of, *shares))
    return Table("trend", lang("trend"), lang("trend")[:31], columns, rows)


def _share_of(point: HistoryPoint | None) -> Share | None:
    return None if point is None else Share(point.listable, point.live)


def as_text(value: object, kind: str, lang: Language) -> str:
    """A cell as the HTML page shows it."""
    if value is None or value == "":
        return "" if kind in ("text", "code") else "–"
    if kind == "pct":
        return lang.percent(value.live, value.listable)
    if kind == "int":
        return lang.number(int(value))
    if kind == "money":
        return lang.money(int(value))
    if kind == "date":
        return lang.date(value) if isinstance(value, dt.date) else str(value)
    return str(value)
