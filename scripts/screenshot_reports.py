"""Open the province report and a producer report in headless Chromium and save PNG screenshots.

    .venv/bin/python scripts/screenshot_reports.py OUT_DIR --reports ocop-data/reports
    .venv/bin/python scripts/screenshot_reports.py OUT_DIR --database-url sqlite:///ocop-data/ocop.db

With `--reports` the pages already built in that folder are shot; otherwise the reports of the
latest stored run are rebuilt into a temporary folder first (no marketplace is called). OUT_DIR
must lie outside the repository: screenshots are output, not source.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import typer
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
WIDTH = 1280
# The exit status of a refusal (an output folder, reports folder or browser that will not do).
REFUSED = 2


def main(
    out_dir: Path = typer.Argument(..., help="where the PNG files go (outside the repository)"),
    reports: Path | None = typer.Option(None, help="a folder holding built reports (province-*.html, producers/)"),
    database_url: str | None = typer.Option(None, help="rebuild the latest run's reports from this database"),
    province: str | None = typer.Option(None, help="with --database-url: the province's latest run"),
    lang: str = typer.Option("vi", help="vi or en"),
    height: int = typer.Option(6000, help="viewport height in pixels; the blank below the page is trimmed"),
    chromium: str = typer.Option("/usr/bin/chromium", help="the Chromium binary"),
) -> None:
    out_dir = out_dir.resolve()
    if out_dir.is_relative_to(REPO):
        refuse(f"{out_dir} is inside the repository {REPO}; choose a folder outside it")
    if not Path(chromium).exists():
        refuse(f"{chromium} not found: apt-get update && apt-get install -y chromium")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ocop-reports-") as scratch:
        folder = reports.resolve() if reports else _rebuild(Path(scratch), database_url, province, lang)
        for page in _pages(folder, lang):
            png = out_dir / f"{page.name.removesuffix('.html')}.png"
            shoot(chromium, page, png, height=height)
            typer.echo(str(png))


def refuse(reason: str) -> NoReturn:
    """One plain line on stderr (typer's framed errors wrap with the terminal's width) and exit 2."""
    typer.echo(f"screenshot_reports: {reason}", err=True)
    raise typer.Exit(REFUSED)


def _rebuild(scratch: Path, database_url: str | None, province: str | None, lang: str) -> Path:
    from ocop.settings import load_settings
    from ocop.store import make_engine
    from reports.build import build_reports

    engine = make_engine(database_url or load_settings().database_url)
    try:
        build_reports(engine, scratch, province=province, lang=lang)
    finally:
        engine.dispose()
    return scratch


def _pages(folder: Path, lang: str) -> list[Path]:
    province = folder / f"province-{lang}.html"
    producers = sorted((folder / "producers").glob(f"*.{lang}.html"))
    if not province.exists() or not producers:
        refuse(f"{folder} holds no province-{lang}.html and producers/*.{lang}.html")
    return [province, producers[0]]


def shoot(chromium: str, page: Path, png: Path, *, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="ocop-chromium-") as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},{height}",
                   f"--screenshot={png}", page.as_uri()]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    if not png.exists() or png.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no screenshot of {page} to {png}")
    _trim_blank_bottom(png)


def _trim_blank_bottom(png: Path, margin: int = 32) -> None:
    """Headless Chromium shoots the whole viewport; cut the white below the page's last content."""
    with Image.open(png) as image:
        content = ImageOps.invert(image.convert("L")).getbbox()
        if content is None or content[3] + margin >= image.height:
            return
        trimmed = image.crop((0, 0, image.width, content[3] + margin))
    trimmed.save(png)


if __name__ == "__main__":
    typer.run(main)
