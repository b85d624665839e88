"""`ocop report`: rebuild the reports of a stored reconciliation run, without calling any marketplace;
`ocop reports serve`: serve the built reports over HTTP.

`app`'s command is mounted on `ocop` itself, `reports_app` as `ocop reports`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from reports.serve import DEFAULT_HOST, DEFAULT_PORT

app = typer.Typer(add_completion=False)


@app.command("report")
def report(
    province: str = typer.Option(None, help="The province whose latest run to report (default: the latest run)."),
    run_id: int = typer.Option(None, "--run", help="A stored reconciliation run id instead of the latest."),
    out: Path = typer.Option(None, help="Output folder (default: $OCOP_HOME/reports)."),
    lang: str = typer.Option("vi", help="vi (default) or en."),
    database_url: str = typer.Option(None, help="Database URL (default: $OCOP_DATABASE_URL or the embedded SQLite)."),
    email: bool = typer.Option(False, "--email", help="E-mail each producer their own report, to the address in the "
                                                      "catalogue (mail server: OCOP_SMTP_* or --smtp-block)."),
    resend: bool = typer.Option(False, "--resend", help="With --email: send again the reports already sent for "
                                                        "this run."),
    smtp_block: str = typer.Option(None, help="With --email: the name of an 'OCOP report mail server' Prefect block "
                                              "instead of the OCOP_SMTP_* variables."),
) -> None:
    """Rebuild the province and producer reports from the stored snapshot, catalogue and ledger;
    with --email, send each producer their own."""
    from ocop.settings import load_settings
    from ocop.store import make_engine
    from reports.build import build_reports
    from reports.delivery import MailNotConfigured, email_reports, load_mail_server
    from reports.i18n import LANGUAGES
    from reports.summary import coverage_markdown

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r}: expected one of {', '.join(LANGUAGES)}", param_hint="--lang")
    settings = load_settings()
    try:
        server = load_mail_server(smtp_block, settings) if email else None
    except (MailNotConfigured, ValueError) as error:
        typer.echo(f"--email: {error}", err=True)
        raise typer.Exit(1) from None
    engine = make_engine(database_url or settings.database_url)
    try:
        built = build_reports(engine, out or settings.reports_dir, run_id=run_id, province=province, lang=lang,
                              shop_ids=_shop_ids(settings))
        typer.echo(f"run {built.run_id}")
        typer.echo(f"province report: {built.province.html}")
        typer.echo(f"                 {built.province.xlsx}")
        typer.echo(f"                 {built.province.csv[0].parent}/")
        typer.echo(f"producer reports: {len(built.producers)} in {built.out_dir / 'producers'}/")
        typer.echo(f"evidence:         {built.evidence.manifest}")
        typer.echo(coverage_markdown(built.coverage, lang=lang))
        if server is not None:
            typer.echo(str(email_reports(engine, built, server, lang=lang, resend=resend)))
    except LookupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@app.command("evidence")
def evidence(
    province: str = typer.Option(None, help="The province whose latest run to export (default: the latest run)."),
    run_id: int = typer.Option(None, "--run", help="A stored reconciliation run id instead of the latest."),
    out: Path = typer.Option(..., help="Folder for evidence.csv, evidence.xlsx and manifest.json."),
    database_url: str = typer.Option(None, help="Database URL (default: $OCOP_DATABASE_URL or the embedded SQLite)."),
) -> None:
    """Export the evidence behind the coverage figures: every listable product x shop with its listing
    link, remote id, status, when and by which run it was observed, and why it is not live; with a
    manifest of the files' SHA-256 sums, the run and the figures the rows add up to."""
    from ocop.settings import load_settings
    from ocop.store import make_engine
    from reconcile.run import evaluate_run
    from reports.evidence import write_evidence
    from reports.links import listing_links

    settings = load_settings()
    engine = make_engine(database_url or settings.database_url)
    try:
        result = evaluate_run(engine, run_id, province=province)
    except LookupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    written = write_evidence(result, out, listing_url=listing_links(_shop_ids(settings)))
    figures = ", ".join(f"{c.channel} {c.share.live}/{c.share.listable} live" for c in result.coverage.channels)
    typer.echo(f"reconciliation run {result.run_id}: {written.rows} rows ({figures})")
    typer.echo(f"{written.csv}\n{written.xlsx}\n{written.manifest}")


def _shop_ids(settings) -> dict[str, str | None]:
    from shops.file import platform_shop_ids

    return platform_shop_ids(settings.shops_file) if settings.shops_file else {}


reports_app = typer.Typer(help="The built reports.", no_args_is_help=True, add_completion=False)


@reports_app.command("serve")
def serve(
    host: str = typer.Option(DEFAULT_HOST, help="Address to listen on; 0.0.0.0 opens the reports to the network."),
    port: int = typer.Option(DEFAULT_PORT, help="Port to listen on."),
    folder: Path = typer.Option(None, help="The reports folder (default: $OCOP_HOME/reports)."),
) -> None:
    """Serve the reports folder read-only over HTTP, so that the report links in Prefect's UI open:
    set OCOP_REPORTS_URL to the address printed here wherever the flows run."""
    from ocop.settings import load_settings
    from reports.serve import reports_server

    folder = folder or load_settings().reports_dir
    folder.mkdir(parents=True, exist_ok=True)
    server = reports_server(folder, host, port)
    address = f"http://{host}:{server.server_address[1]}/"
    typer.echo(f"serving {folder.resolve()} (read only) on {address}")
    typer.echo(f"for links from Prefect's UI, run the flows with OCOP_REPORTS_URL={address}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
