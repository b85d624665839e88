"""The `ocop` command: the user's entry point to every part of the pipeline."""

from __future__ import annotations

import typer

app = typer.Typer(help="OCOP listing sync: keep every certified OCOP product listed on the marketplaces, and prove it.",
                  no_args_is_help=True, add_completion=False)


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

    app.add_typer(sandbox_app, name="sandbox", help="Local marketplace and registry sandboxes.")
    app.registered_commands += catalogue_app.registered_commands


_mount_sub_commands()
