"""`pull_catalogue`: pull the certified catalogue from the registry or a provincial workbook, validate, store."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from catalogue.ingest import ingest
from flows.context import pipeline_context


@flow(name="pull_catalogue")
def pull_catalogue(source: str) -> dict:
    """Ingest `source` (registry URL, CSV or XLSX path); rejected rows go to the rejects table and CSV."""
    context = pipeline_context()
    summary = ingest(context.engine, source, rejects_dir=context.settings.home / "rejects", today=context.today)
    get_run_logger().info("%s", summary)
    create_markdown_artifact(f"```\n{summary}\n```", key="catalogue-pull", description="Catalogue ingest summary")
    return {
        "rows_in": summary.rows_in, "accepted": summary.accepted, "rejected": summary.rejected, "merged": summary.merged,
        "inserted": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged,
        "not_modified": summary.not_modified, "rejects": str(summary.rejects_path) if summary.rejects_path else None,
    }
