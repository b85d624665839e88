"""The catalogue commands: `sample` writes a sample catalogue, `ingest` loads a file or registry (and maps a file's
own headers once, in a columns file beside it)."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer

from catalogue.normalise import slug
from catalogue.sample import SAMPLE_IMAGE_BASE, known_provinces, sample_rows, write_sample
from catalogue.sources import ColumnMapping, MissingColumns, SourceError, load_mapping, mapping_beside, read_file
from catalogue.sources.columns import CANONICAL_COLUMNS
from catalogue.sources.mapping import default_mapping_path, suggest_column, write_mapping
from catalogue.sources.registry import is_registry_url
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
    realistic: bool = typer.Option(False, help="As real provincial lists write it: photos by URL, no shipping weights, "
                                   "no producer kinds, claims in names, contact details in descriptions"),
    image_base: str = typer.Option(SAMPLE_IMAGE_BASE, help="Where --realistic photo URLs point (`ocop sandbox serve` "
                                   "draws them at its registry's /images)"),
) -> None:
    """Write a realistic sample catalogue for a province."""
    try:
        rows = sample_rows(province, seed=seed, products=products, bad_rows=bad_rows,
                           today=dt.date.fromisoformat(today) if today else None, realistic=realistic,
                           image_base=image_base)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    path = out or Path(f"ocop-sample-{slug(province).lower()}.{format.value}")
    write_sample(rows, path, format.value, title=f"DANH SÁCH SẢN PHẨM OCOP TỈNH {province.upper()} (MẪU)")
    how = f", as real lists write them, photos under {image_base}" if realistic else ""
    typer.echo(f"wrote {len(rows)} rows for {province} (seed {seed}{how}) to {path}")


@app.command()
def ingest(
    source: str = typer.Argument(..., help="A CSV or XLSX file, or the OCOP registry's base URL"),
    rejects_dir: Path = typer.Option(None, help="Where the rejects CSV goes (default: $OCOP_HOME/rejects)"),
    columns_file: Path = typer.Option(None, "--map", help="Columns file mapping the file's own headers onto the "
                                      "documented columns (TOML or CSV; default: <source>.columns.toml beside it)"),
    write_map: bool = typer.Option(False, "--write-map", help="Write the columns file for the headers the source "
                                   "does not name as documented, with suggested columns, and stop"),
    ask: bool = typer.Option(None, "--ask/--no-ask", help="Ask which column each unknown header is, and keep the "
                             "answers in the columns file (default: when run in a terminal)"),
) -> None:
    """Validate and load certified products into the catalogue; print rows in = accepted + rejected + merged."""
    if (columns_file or write_map) and is_registry_url(source):
        raise typer.BadParameter("a columns file maps a CSV, XLSX or JSON file's headers, not the registry's")
    if write_map:
        _write_columns_file(source, columns_file)
        return
    try:
        summary = _run_ingest(source, rejects_dir, columns_file)
    except MissingColumns as refusal:
        if not refusal.unknown or not (sys.stdin.isatty() if ask is None else ask):
            _refuse(refusal)
        columns_file = _ask_columns(source, refusal.unknown, columns_file)
        try:
            summary = _run_ingest(source, rejects_dir, columns_file)
        except SourceError as error:
            _refuse(error)
    except SourceError as error:
        _refuse(error)
    typer.echo(str(summary))
    problems = [issue for issue in summary.issues if issue.severity != "warning"]
    for issue in problems[:SHOWN_ISSUES]:
        typer.echo(f"  {issue.severity:<9} {issue}")
    if len(problems) > SHOWN_ISSUES:
        typer.echo(f"  ... {len(problems) - SHOWN_ISSUES} more in {summary.rejects_path}")


def _run_ingest(source: str, rejects_dir: Path | None, columns_file: Path | None):
    from catalogue.ingest import ingest as run_ingest
    from ocop.store import make_engine, migrate

    settings = load_settings()
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        return run_ingest(engine, source, rejects_dir=rejects_dir or settings.home / "rejects",
                          columns_file=columns_file)
    finally:
        engine.dispose()


def _refuse(error: SourceError) -> NoReturn:
    typer.echo(f"cannot ingest: {error}", err=True)
    raise typer.Exit(1)


def _current_columns(source: str, columns_file: Path | None) -> tuple[Path, ColumnMapping | None]:
    """Where the source's columns file is (or goes), and what it maps already."""
    existing = columns_file if columns_file and columns_file.is_file() else mapping_beside(source)
    if columns_file is None and existing is None:
        return default_mapping_path(source), None
    try:
        return columns_file or existing, load_mapping(existing) if existing else None
    except SourceError as error:
        _refuse(error)


def _write_columns_file(source: str, columns_file: Path | None) -> None:
    path, mapping = _current_columns(source, columns_file)
    try:
        table = read_file(source, mapping)
        unknown = table.unknown_columns
        rows = iter(table.rows)
        next(rows, None)               # a reader opens its file on the first row; closing the stream closes it
        getattr(rows, "close", lambda: None)()
    except MissingColumns as refusal:
        unknown = refusal.unknown
    except SourceError as error:
        _refuse(error)
    counts = write_mapping(path, source, dict(mapping.columns) if mapping else {}, list(unknown))
    typer.echo(f"wrote {path}: {counts['suggested']} headers with a suggested column to check, "
               f"{counts['unsuggested']} without one (commented out), {counts['given']} mapped already; "
               f"`ocop ingest {source}` uses it from now on")


def _ask_columns(source: str, unknown: tuple[str, ...], columns_file: Path | None) -> Path:
    """Which documented column each unknown header is, asked once and kept beside the source."""
    path, mapping = _current_columns(source, columns_file)
    typer.echo(f"{source}: {len(unknown)} headers are not documented column names. For each, type its column "
               f"({', '.join(CANONICAL_COLUMNS)}), or '-' to leave it out.")
    answers = dict(mapping.columns) if mapping else {}
    for header in unknown:
        answer = None
        while answer is None:
            typed = typer.prompt(f"  '{header}'", default=suggest_column(header) or "-").strip()
            answer = "" if typed == "-" else typed if typed in CANONICAL_COLUMNS else None
            if answer is None:
                typer.echo(f"    not a documented column: {typed!r}")
        answers[header] = answer
    write_mapping(path, source, answers)
    typer.echo(f"wrote {path}: used on every ingest of {source}")
    return path
