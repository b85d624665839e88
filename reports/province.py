"""The province report: one self-contained HTML page, plus the same tables as XLSX and CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalogue.normalise import comparison_key
from catalogue.records import CatalogueProduct
from connectors.tokens import NEEDS_REAUTHORISATION
from reconcile.coverage import DIMENSIONS, Coverage
from reconcile.history import HistoryPoint
from reconcile.run import ReconcileResult
from rendering.package_estimate import NoPackageBasis, PackageData, load_package_rules
from reports.charts import (
    BarChart,
    LineChart,
    StackedChart,
    coverage_bars,
    status_stacks,
    trend_lines,
)
from reports.files import write_csv, write_xlsx
from reports.i18n import Language
from reports.pages import render_page
from reports.tables import Table, as_text, province_tables
from shops.token_store import ShopTokenState

# Long tables are cut on the page (the XLSX and CSV files always hold every row).
HTML_ROW_LIMIT = 500
# A run over more provinces than this is headed by their number, not their names.
NAMED_PROVINCES = 3


@dataclass(frozen=True)
class ProvinceReport:
    province: str               # whose report it is, as its heading names it
    html: Path
    xlsx: Path
    csv: tuple[Path, ...]
    tables: tuple[Table, ...]
    estimated_listings: int     # listings whose weight and box are estimated, not stated by the catalogue
    shop_alerts: tuple[str, ...] = ()   # shops that stopped or will stop: re-authorisation needed or due


def estimated_package(item: CatalogueProduct) -> PackageData | None:
    """The package rendering gives the product (by the shipped rules), or None when it has no basis."""
    try:
        return load_package_rules().package_for(item.product)
    except NoPackageBasis:
        return None


def estimated_listings(result: ReconcileResult) -> int:
    """Listings that count toward coverage and rely on an estimated weight and box."""
    rec = result.reconciliation
    estimated = {item.product.ocop_code for item in rec.products
                 if (package := estimated_package(item)) is not None and package.estimated}
    return sum(1 for finding in rec.findings if finding.in_denominator and finding.ocop_code in estimated)


def province_heading(result: ReconcileResult, lang: Language,
                     shop_provinces: Mapping[str, str | None] | None = None) -> str:
    """The run's province. A run without one (a deployment's, by default) covers the province its
    shops are all declared for (`shop_provinces`: shop key -> the shops file's `province`), or else
    its catalogue's provinces."""
    if result.run.province:
        return result.run.province
    declared = {(shop_provinces or {}).get(shop.key) for shop in result.reconciliation.shops}
    if len(declared) == 1 and None not in declared:
        return declared.pop()
    provinces = sorted({item.producer.address.province for item in result.reconciliation.products}, key=comparison_key)
    if not provinces:
        return lang("all_provinces")
    if len(provinces) > NAMED_PROVINCES:
        return lang("provinces_counted", count=len(provinces))
    return ", ".join(provinces)


# An authorisation ending within this many days is named in the report (Shopee warns 7 days ahead,
# Lazada 48 hours, TikTok 30 days).
AUTHORISATION_WARNING_DAYS = 30


def shop_alerts(result: ReconcileResult, states: Mapping[str, ShopTokenState], lang: Language) -> tuple[str, ...]:
    """The run's shops that need someone: a connected shop whose authorisation the platform refused
    (it stopped), or whose authorisation a platform said ends soon."""
    alerts = []
    taken_at = result.run.started_at.timestamp()
    for shop in result.reconciliation.shops:
        state = states.get(shop.key)
        if state is None:
            continue
        if state.status == NEEDS_REAUTHORISATION:
            alerts.append(lang("shop_reauthorise", shop=shop.key, reason=state.reason or "invalid grant"))
        elif state.authorisation_ends_at and state.authorisation_ends_at - taken_at < AUTHORISATION_WARNING_DAYS * 86400:
            ends = dt.datetime.fromtimestamp(state.authorisation_ends_at, dt.UTC).date()
            alerts.append(lang("shop_authorisation_ends", shop=shop.key, date=lang.date(ends),
                               source=state.authorisation_warned_by or "the platform"))
    return tuple(alerts)


def write_province_report(result: ReconcileResult, history: Sequence[HistoryPoint], out_dir: Path, *,
                          lang: Language, province: str | None = None,
                          shop_states: Mapping[str, ShopTokenState] | None = None,
                          evidence: str | None = None) -> ProvinceReport:
    """`province`: the heading, by default `province_heading` without the shops' provinces;
    `shop_states`: connected shops' token states (`shops.token_store`); `evidence`: the evidence
    manifest's path relative to `out_dir`, linked from the page."""
    province = province or province_heading(result, lang)
    alerts = shop_alerts(result, shop_states or {}, lang)
    estimated = estimated_listings(result)
    tables = province_tables(result.reconciliation, result.coverage, history, lang)
    by_key = {table.key: table for table in tables}
    html = render_page(
        "province.html.j2",
        lang=lang,
        province=province,
        run=result.run,
        coverage=result.coverage,
        tables=by_key,
        breakdowns=[by_key[f"by_{d}"] for d in DIMENSIONS],
        charts=_charts(result.coverage, history, lang),
        cell=lambda value, kind: as_text(value, kind, lang),
        row_limit=HTML_ROW_LIMIT,
        shop_alerts=alerts,
        estimated=estimated,
        evidence=evidence,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"province-{lang.code}.html"
    html_path.write_text(html, encoding="utf-8")
    xlsx_path = write_xlsx(tables, out_dir / f"province-{lang.code}.xlsx")
    csv_paths = tuple(write_csv(table, out_dir / f"province-csv-{lang.code}" / f"{table.key}.csv") for table in tables)
    return ProvinceReport(province, html_path, xlsx_path, csv_paths, tuple(tables), estimated, alerts)


@dataclass(frozen=True)
class _Charts:
    bars: BarChart
    stacks: StackedChart
    trend: LineChart


def _charts(coverage: Coverage, history: Sequence[HistoryPoint], lang: Language) -> _Charts:
    return _Charts(coverage_bars(coverage, lang), status_stacks(coverage, lang),
                   trend_lines(history, coverage.target_pct, lang))
