"""`build_reports`: the province and producer reports of the latest reconciliation, from the database alone."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_link_artifact

from flows.context import pipeline_context
from reports.build import build_reports as write_all_reports


@flow(name="build_reports")
def build_reports(province: str | None = None, run_id: int | None = None, lang: str = "vi") -> dict:
    context = pipeline_context()
    built = write_all_reports(context.engine, context.settings.reports_dir, run_id=run_id, province=province, lang=lang)
    create_link_artifact(built.province.html.as_uri(), link_text="Province coverage report (HTML)", key="province-report")
    create_link_artifact(built.province.xlsx.as_uri(), link_text="Province coverage report (XLSX)", key="province-report-xlsx")
    return {
        "run_id": built.run_id,
        "province_html": str(built.province.html),
        "province_xlsx": str(built.province.xlsx),
        "producer_reports": len(built.producers),
        "producers_dir": str(built.out_dir / "producers"),
    }
