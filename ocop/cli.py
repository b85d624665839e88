"""The `ocop` command: the user's entry point to every part of the pipeline."""

from __future__ import annotations

import typer

app = typer.Typer(help="OCOP listing sync: keep every certified OCOP product listed on the marketplaces, and prove it.",
                  no_args_is_help=True, add_completion=False)


@app.command()
def demo(
    province: str = typer.Option("Đồng Tháp", help="Province whose sample catalogue to use."),
    products: int = typer.Option(None, help="Number of sample products (default: the province's real count)."),
    runs: int = typer.Option(2, min=1, help="Pipeline runs; the second shows a re-run makes no write call."),
    faults: bool = typer.Option(True, help="Mild faults in the sandboxes (some 5xx, a rate limit)."),
) -> None:
    """The main job: the whole pipeline on the embedded default (SQLite, Prefect ephemeral, local sandboxes)."""
    _quiet_prefect()
    from flows.demo import run_demo, summary_lines, where_lines
    from ocop.settings import load_settings

    settings = load_settings()
    runs_done = run_demo(settings, province=province, products=products, runs=runs, faults=faults, echo=typer.echo)
    for line in summary_lines(settings, province) + where_lines(settings, runs_done[-1]):
        typer.echo(line)
    if runs > 1 and runs_done[-1].write_calls:
        typer.echo(f"a re-run made {runs_done[-1].write_calls} write calls; expected none", err=True)
        raise typer.Exit(1)


@app.command()
def sync(
    source: str = typer.Option(None, help="Registry URL or CSV/XLSX path; leave out to skip the pull."),
    province: str = typer.Option(None),
    dry_run: bool = typer.Option(False, help="Print the publish plan; write nothing."),
) -> None:
    """Run the pipeline once against the shops in OCOP_SHOPS_FILE (what the nightly deployment runs)."""
    _quiet_prefect()
    from flows.sync import ocop_sync

    steps = ["publish", "reconcile", "report"] if source is None else ["pull", "publish", "reconcile", "report"]
    typer.echo(ocop_sync(source=source, province=province, dry_run=dry_run, steps=steps))


def _quiet_prefect() -> None:
    """No telemetry or analytics (there may be no internet), and a project-local Prefect home by default."""
    import os

    from ocop.settings import load_settings

    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    home = load_settings().home / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))


@app.command()
def ledger(seller_sku: str = typer.Option(None, help="History of one product (all shops)"),
           run_id: str = typer.Option(None, help="What one flow run did")) -> None:
    """Show the listing ledger's event log for a product or a run."""
    from catalogue.store import transaction
    from flows.context import pipeline_context
    from listings.ledger import events

    if not seller_sku and not run_id:
        raise typer.BadParameter("give --seller-sku or --run-id")
    with transaction(pipeline_context().engine) as session:
        rows = events(session, run_id=run_id, seller_sku=seller_sku)
    for row in rows:
        error = f" [{row.error_code}] {row.message}" if row.error_code else ""
        typer.echo(f"{row.at:%Y-%m-%d %H:%M:%S} {row.shop_key:<22} {row.seller_sku:<30} {row.operation:<12} {row.outcome}{error}")
    typer.echo(f"{len(rows)} events")


def _mount_sub_commands() -> None:
    from catalogue.cli import app as catalogue_app
    from connectors.sandboxes.cli import app as sandbox_app
    from reports.cli import app as reports_app

    app.add_typer(sandbox_app, name="sandbox", help="Local marketplace and registry sandboxes.")
    app.registered_commands += catalogue_app.registered_commands + reports_app.registered_commands


_mount_sub_commands()
