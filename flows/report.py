"""`build_reports`: the province and producer reports of the latest reconciliation, from the database alone."""

from __future__ import annotations

import tomllib
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_link_artifact, create_markdown_artifact

from flows.context import pipeline_context
from ocop.settings import Settings
from reports.build import ReportSet
from reports.build import build_reports as write_all_reports
from reports.serve import report_url
from reports.summary import report_markdown
from shops.file import platform_shop_ids


@flow(name="build_reports")
def build_reports(province: str | None = None, run_id: int | None = None, lang: str = "vi") -> dict:
    context = pipeline_context()
    settings = context.settings
    built = write_all_reports(context.engine, settings.reports_dir, run_id=run_id, province=province, lang=lang,
                              shop_provinces=declared_provinces(settings.shops_file),
                              shop_ids=platform_shop_ids(settings.shops_file) if settings.shops_file else {})
    publish_report_artifacts(built, settings, lang=lang)
    return {
        "run_id": built.run_id,
        "province": built.province.province,
        "province_html": str(built.province.html),
        "province_xlsx": str(built.province.xlsx),
        "producer_reports": len(built.producers),
        "producers_dir": str(built.out_dir / "producers"),
        "evidence": str(built.evidence.manifest),
    }


def publish_report_artifacts(built: ReportSet, settings: Settings, *, lang: str = "vi") -> None:
    """Links to the reports where `ocop reports serve` serves them (OCOP_REPORTS_URL); without it, the
    province report itself as markdown. Never a file:// link: the UI's browser opens none."""
    if settings.reports_url is None:
        create_markdown_artifact(report_markdown(built, lang=lang), key="province-report",
                                 description=f"Province coverage report, reconciliation run {built.run_id}")
        return
    links = [("province-report", "Province coverage report (HTML)", built.province.html),
             ("province-report-xlsx", "Province coverage report (XLSX)", built.province.xlsx),
             ("producer-reports", "Producer reports", built.out_dir / "producers"),
             ("coverage-evidence", "Evidence behind the coverage figures (manifest)", built.evidence.manifest)]
    for key, text, path in links:
        create_link_artifact(report_url(settings.reports_url, settings.reports_dir, path), link_text=text, key=key)


def declared_provinces(shops_file: Path | None) -> dict[str, str | None]:
    """Each shop's `province` in the shops file, read without its credentials: this flow calls no shop."""
    if shops_file is None:
        return {}
    try:
        document = tomllib.loads(shops_file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        get_run_logger().warning("shops file %s unreadable (%s): the report names the catalogue's provinces", shops_file, error)
        return {}
    return {entry["key"]: entry.get("province") for entry in document.get("shops", []) if "key" in entry}
