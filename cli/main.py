"""The `ocop` command: the user's entry point to every part of the pipeline."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import typer

app = typer.Typer(help="OCOP listing sync: keep every certified OCOP product listed on the marketplaces, and prove it.",
                  no_args_is_help=True, add_completion=False)


@app.command()
def demo(
    province: str = typer.Option("Đồng Tháp", help="Province whose sample catalogue to use."),
    products: int = typer.Option(None, help="Number of sample products (default: the province's real count)."),
    runs: int = typer.Option(2, min=1, help="Pipeline runs; the second shows a re-run makes no write call."),
    faults: bool = typer.Option(True, help="Mild faults in the sandboxes (some 5xx, a rate limit)."),
    realistic: bool = typer.Option(False, help="The sample as real provincial lists write it: photos by URL, no "
                                               "shipping weights, claims in names, contact details in descriptions."),
    every_channel: bool = typer.Option(False, help="Every channel with a sandbox (Tiki and Sendo too), not only "
                                                   "Shopee, Lazada and TikTok Shop."),
) -> None:
    """The main job: the whole pipeline on the embedded default (SQLite, Prefect ephemeral, local sandboxes)."""
    _prepare_prefect()
    from flows.demo import run_demo, summary_lines, where_lines
    from ocop.settings import load_settings

    settings = load_settings()
    runs_done = run_demo(settings, province=province, products=products, runs=runs, faults=faults, echo=typer.echo,
                         realistic=realistic, every_channel=every_channel)
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
    _prepare_prefect()
    from flows.sync import ocop_sync
    from ocop.settings import load_settings
    from publishing.workbook import workbook_target, workbooks_written

    steps = ["publish", "reconcile", "report"] if source is None else ["pull", "publish", "reconcile", "report"]
    started = dt.datetime.now(dt.UTC)
    typer.echo(ocop_sync(source=source, province=province, dry_run=dry_run, steps=steps))
    for workbook in workbooks_written(workbook_target(load_settings()), started):
        shop = workbook.parent.name
        typer.echo(f"{shop}: workbook written, awaiting upload: {workbook}\n  upload it in the seller centre, download "
                   f"the product export, then run: ocop reconcile --import EXPORT --shop {shop}")


@app.command()
def reconcile(
    import_file: Path = typer.Option(None, "--import", exists=True, dir_okay=False, metavar="FILE",
                                     help="The product export (XLSX or CSV) downloaded from the seller centre of a "
                                          "shop without an API: read first as what that shop holds."),
    shop: str = typer.Option(None, help="The shop the export is of (needed when several shops have no API)."),
    province: str = typer.Option(None),
    target_pct: float = typer.Option(100.0, help="Coverage below this percentage is reported as a shortfall."),
) -> None:
    """Read what every shop holds, measure coverage and tell the ledger; the shops without an API as
    their latest imported export shows them."""
    _prepare_prefect()
    from flows.reconcile_listings import reconcile_listings

    if import_file is not None:
        _import_export(import_file, shop)
    typer.echo(reconcile_listings(province=province, target_pct=target_pct)["summary"])


def _import_export(path: Path, shop_key: str | None) -> None:
    from connectors.workbook import ExportError, shop_layout
    from flows.context import pipeline_context
    from reconcile.imported import exports_dir, import_export

    context = pipeline_context()
    try:
        shops = [shop for shop in context.select_shops(shops=[shop_key] if shop_key else None)
                 if shop_layout(shop) is not None]
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--shop") from None
    if len(shops) != 1:
        named = ", ".join(shop.key for shop in shops) or "none"
        raise typer.BadParameter(f"name the shop the export is of; shops without an API: {named}", param_hint="--shop")
    (shop,) = shops
    layout = shop_layout(shop)
    try:
        kept, items = import_export(path, shop, layout, exports_dir(context.settings))
    except ExportError as error:
        typer.echo(f"ocop reconcile --import: {path} not imported ({layout.platform} export layout, "
                   f"connectors/workbooks/{layout.name}.toml):", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{shop.key}: {items} items imported from {path} (kept as {kept})")


# Seconds Prefect waits for its ephemeral API server to answer; its default, 20, ran out once on a
# loaded machine.
EPHEMERAL_SERVER_STARTUP_SECONDS = 120


def _prepare_prefect() -> None:
    """Before Prefect is imported: no telemetry or analytics (there may be no internet), a
    project-local Prefect home and a longer start-up wait for the ephemeral server, unless set.
    Then the ephemeral server, if one is used, is started and made to end with this command."""
    from ocop.settings import load_settings

    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", str(EPHEMERAL_SERVER_STARTUP_SECONDS))
    home = load_settings().home / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))
    if sys.stderr.isatty():
        # Someone is watching: the terminal shows progress bars and what needs a human (warnings);
        # every line still reaches Prefect's API, and so the run's logs in the UI.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    _end_ephemeral_server_with_this_command()


# A small process of its own runs this: once the `ocop` command is gone, however it ended (even
# SIGKILLed: the pipe on its stdin reads end-of-file), it stops the server whose pid and start time
# it was given, if that process still runs. Prefect stops the server only from an atexit handler.
_STOP_SERVER_WHEN_ORPHANED = r"""
import os, signal, sys, time

pid, started = int(sys.argv[1]), sys.argv[2]
signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the command's to handle
sys.stdin.buffer.read()


def running():
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == started and fields[0] != "Z"


for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 0.0)):
    if not running():
        break
    os.kill(pid, sig)
    deadline = time.monotonic() + grace
    while running() and time.monotonic() < deadline:
        time.sleep(0.1)
"""

_server_guards: list[subprocess.Popen] = []   # held for the command's life: the pipe must stay open


def _end_ephemeral_server_with_this_command() -> None:
    """Without PREFECT_API_URL, Prefect runs an API server in a subprocess that outlived a killed
    `ocop` command. It is started here, as Prefect would on first use (the same instance), so that
    a guard can be given its pid. Linux only (it reads /proc); elsewhere Prefect starts it later."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value() or not Path("/proc/self/stat").exists():
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    pid = server.server_process.pid
    started = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    _server_guards.append(subprocess.Popen([sys.executable, "-c", _STOP_SERVER_WHEN_ORPHANED, str(pid), started],
                                           stdin=subprocess.PIPE))


@app.command()
def ledger(seller_sku: str = typer.Option(None, help="History of one product (all shops)"),
           run_id: str = typer.Option(None, help="What one flow run did"),
           explain: str = typer.Option(None, metavar="SKU", help="Why one product's listing was or was not sent: "
                                       "its binding per shop, the next publish's verdict, its last events")) -> None:
    """Show the listing ledger's event log for a product or a run, or explain one product's listings."""
    from flows.context import pipeline_context
    from ledger import events
    from ocop.store import transaction

    if explain:
        _explain(explain)
        return
    if not seller_sku and not run_id:
        raise typer.BadParameter("give --seller-sku, --run-id or --explain")
    with transaction(pipeline_context().engine) as session:
        rows = events(session, run_id=run_id, seller_sku=seller_sku)
    for row in rows:
        error = f" [{row.error_code}] {row.message}" if row.error_code else ""
        typer.echo(f"{row.at:%Y-%m-%d %H:%M:%S} {row.shop_key:<22} {row.seller_sku:<30} {row.operation:<12} {row.outcome}{error}")
    typer.echo(f"{len(rows)} events")


def _explain(seller_sku: str) -> None:
    from flows.context import pipeline_context
    from publishing.explain import UnknownSku, explain, explanation_lines

    context = pipeline_context()
    try:
        explanation = explain(context.engine, seller_sku.strip(), today=context.today)
    except UnknownSku as error:
        typer.echo(f"ocop ledger --explain: {error}", err=True)
        raise typer.Exit(1) from None
    for line in explanation_lines(explanation):
        typer.echo(line)


def _mount_sub_commands() -> None:
    from catalogue.cli import app as catalogue_app
    from cli.sandboxes import app as sandbox_app
    from reports.cli import app as report_app
    from reports.cli import reports_app

    app.add_typer(sandbox_app, name="sandbox", help="Local marketplace and registry sandboxes.")
    app.add_typer(reports_app, name="reports", help="The built reports: serve them over HTTP.")
    from cli.shops import app as shop_app
    app.add_typer(shop_app, name="shop", help="Connect real shops (authorise, connect) and list their tokens' state.")
    from cli.webhooks import app as webhooks_app
    app.add_typer(webhooks_app, name="webhooks", help="Receive the marketplaces' status pushes.")
    from cli.categories import app as categories_app
    app.add_typer(categories_app, name="categories", help="Check the category maps against a shop's tree; suggest leaves.")
    app.registered_commands += catalogue_app.registered_commands + report_app.registered_commands


_mount_sub_commands()
