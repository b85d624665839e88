"""`build_reports`: the province and producer reports of the latest reconciliation, from the database alone;
with `email`, each producer is sent their own (reports.delivery)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_link_artifact, create_markdown_artifact

from flows.context import pipeline_context
from ocop.settings import Settings
from reports.build import ReportSet
from reports.build import build_reports as write_all_reports
from reports.delivery import DeliverySummary, Outcome, email_reports, load_mail_server
from reports.serve import report_url
from reports.summary import report_markdown
from shops.file import platform_shop_ids


@flow(name="build_reports")
def build_reports(province: str | None = None, run_id: int | None = None, lang: str = "vi", email: bool = False,
                  resend: bool = False, smtp_block: str | None = None) -> dict:
    """`email` sends each producer their report (mail server: the `smtp_block` block, else OCOP_SMTP_*), except
    those already sent for this run unless `resend`."""
    context = pipeline_context()
    settings = context.settings
    server = load_mail_server(smtp_block, settings) if email else None
    built = write_all_reports(context.engine, settings.reports_dir, run_id=run_id, province=province, lang=lang,
                              shop_provinces=declared_provinces(settings.shops_file),
                              shop_ids=platform_shop_ids(settings.shops_file) if settings.shops_file else {})
    publish_report_artifacts(built, settings, lang=lang)
    results = {
        "run_id": built.run_id,
        "province": built.province.province,
        "province_html": str(built.province.html),
        "province_xlsx": str(built.province.xlsx),
        "producer_reports": len(built.producers),
        "producers_dir": str(built.out_dir / "producers"),
        "evidence": str(built.evidence.manifest),
    }
    if server is not None:
        delivery = email_reports(context.engine, built, server, lang=lang, resend=resend)
        get_run_logger().info("%s", delivery)
        create_markdown_artifact("\n".join(f"- {line.strip()}" for line in delivery.lines()), key="report-delivery",
                                 description=f"Producer reports e-mailed, reconciliation run {built.run_id}")
        results["email"] = delivery_counts(delivery)
    return results


def delivery_counts(delivery: DeliverySummary) -> dict:
    """What the e-mail step did: counts, each failure with the server's answer, and where the lists are."""
    return {"sent": len(delivery.of(Outcome.SENT)), "skipped": len(delivery.of(Outcome.SKIPPED)),
            "failed": [{"producer": d.producer, "email": d.email, "smtp_code": d.smtp_code,
                        "smtp_message": d.smtp_message} for d in delivery.of(Outcome.FAILED)],
            "without_address": len(delivery.of(Outcome.NO_ADDRESS)), "print_list": str(delivery.print_list),
            "log": str(delivery.log)}


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
