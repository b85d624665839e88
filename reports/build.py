"""Building every report of a run: the thin call behind the `build_reports` flow and `ocop report`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from catalogue.records import CatalogueProduct
from ocop.store import transaction
from reconcile.coverage import Coverage
from reconcile.history import HistoryPoint, load_history
from reconcile.run import ReconcileResult, evaluate_run
from reports.evidence import Evidence, write_evidence
from reports.i18n import Language
from reports.links import listing_links
from reports.producer import ProducerReport, write_producer_reports
from reports.province import ProvinceReport, province_heading, write_province_report
from shops.token_store import ShopTokenState, shop_token_states


@dataclass(frozen=True)
class ReportSet:
    run_id: int
    out_dir: Path
    coverage: Coverage
    province: ProvinceReport
    producers: tuple[ProducerReport, ...]
    evidence: Evidence


def write_reports(result: ReconcileResult, history: Sequence[HistoryPoint], out_dir: Path, *,
                  lang: str = "vi", shop_provinces: Mapping[str, str | None] | None = None,
                  shop_ids: Mapping[str, str | None] | None = None,
                  shop_states: Mapping[str, ShopTokenState] | None = None) -> ReportSet:
    """Province report (HTML, XLSX, CSV) in `out_dir`, producer reports in `out_dir/producers`, the
    evidence behind the coverage figures in `out_dir/evidence`.

    `shop_provinces` (shop key -> its declared province) names the province of a run made without one;
    `shop_ids` (shop key -> its id on the platform) completes the listing links that need it;
    `shop_states` (connected shops' token states) names the shops that need re-authorising.
    """
    language = Language(lang)
    link = listing_links(shop_ids or {})
    evidence = write_evidence(result, out_dir / "evidence", listing_url=link)
    heading = province_heading(result, language, shop_provinces)
    province = write_province_report(result, history, out_dir, lang=language, province=heading, shop_states=shop_states,
                                     evidence=evidence.manifest.relative_to(out_dir).as_posix())
    producers = write_producer_reports(result, out_dir / "producers", lang=language, listing_link=link)
    return ReportSet(result.run_id, out_dir, result.coverage, province, tuple(producers), evidence)


def build_reports(engine: Engine, out_dir: Path, *, run_id: int | None = None, province: str | None = None,
                  lang: str = "vi", catalogue: Sequence[CatalogueProduct] | None = None,
                  shop_provinces: Mapping[str, str | None] | None = None,
                  shop_ids: Mapping[str, str | None] | None = None) -> ReportSet:
    """Rebuild the reports of a stored run (default: the province's latest) from the database alone."""
    result = evaluate_run(engine, run_id, province=province, catalogue=catalogue)
    with transaction(engine) as session:
        history = load_history(session, result.run.province, up_to_run=result.run_id)
    return write_reports(result, history, out_dir, lang=lang, shop_provinces=shop_provinces, shop_ids=shop_ids,
                         shop_states=shop_token_states(engine))
