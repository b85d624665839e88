"""The catalogue commands: `sample` writes a sample catalogue, `ingest` loads a file or registry."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import typer

from catalogue.normalise import slug
from catalogue.sample import known_provinces, sample_rows, write_sample
from catalogue.sources import SourceError
from ocop.settings import load_settings

app = typer.Typer(help="The certified OCOP product catalogue.", no_args_is_help=True, add_completion=False)

SHOWN_ISSUES = 10


class SampleFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


@app.command()
def sample(
    province: str = typer.Option("Đồng Tháp", help=f"One of: {', '.join(known_provinces())}"),
    seed: int = typer.Option(1, help="Same seed, same catalogue"),
    products: int = typer.Option(None, help="Number of products (default: the province's real count)"),
    bad_rows: int = typer.Option(0, help="Deliberately invalid or duplicate rows to add"),
    format: SampleFormat = typer.Option(SampleFormat.CSV, "--format", help="csv, xlsx or json"),
    out: Path = typer.Option(None, help="Output file (default: ocop-sample-<province>.<format>)"),
    today: str = typer.Option(None, help="Reference date YYYY-MM-DD for expiries (default: today)"),
) -> None:
    """Write a realistic sample catalogue for a province."""
    try:
        rows = sample_rows(province, seed=seed, products=products, bad_rows=bad_rows,
                           today=dt.date.fromisoformat(today) if today else None)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    path = out or Path(f"ocop-sample-{slug(province).lower()}.{format.value}")
    write_sample(rows, path, format.value, title=f"DANH SÁCH SẢN PHẨM OCOP TỈNH {province.upper()} (MẪU)")
    typer.echo(f"wrote {len(rows)} rows for {province} (seed {seed}) to {path}")


@app.command()
def ingest(
    source: str = typer.Argument(..., help="A CSV or XLSX file, or the OCOP registry's base URL"),
    rejects_dir: Path = typer.Option(None, help="Where the rejects CSV goes (default: $OCOP_HOME/rejects)"),
) -> None:
    """Validate and load certified products into the catalogue; print rows in = accepted + rejected + merged."""
    from catalogue.ingest import ingest as run_ingest
    from ocop.store import make_engine, migrate

    settings = load_settings()
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        summary = run_ingest(engine, source, rejects_dir=rejects_dir or settings.home / "rejects")
    except SourceError as error:
        typer.echo(f"cannot ingest: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(str(summary))
    problems = [issue for issue in summary.issues if issue.severity != "warning"]
    for issue in problems[:SHOWN_ISSUES]:
        typer.echo(f"  {issue.severity:<9} {issue}")
    if len(problems) > SHOWN_ISSUES:
        typer.echo(f"  ... {len(problems) - SHOWN_ISSUES} more in {summary.rejects_path}")
