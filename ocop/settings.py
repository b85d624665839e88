"""Settings read from the environment, with embedded defaults that need no configuration.

| variable            | default                          | meaning                                  |
|---------------------|----------------------------------|------------------------------------------|
| OCOP_HOME           | ./ocop-data                      | where the database, reports and sandbox state live |
| OCOP_DATABASE_URL   | sqlite:///$OCOP_HOME/ocop.db     | SQLAlchemy URL; PostgreSQL in production |
| OCOP_SHOPS_FILE     | (the local sandboxes' shops)     | TOML file declaring the shops to publish to |
| OCOP_CATALOGUE_SOURCE | (none)                         | registry URL or CSV/XLSX path the scheduled pull reads |
| OCOP_RENDER_PROCESSES | 1                              | processes drawing listings during a publish (0: in the publishing threads) |
| OCOP_REPORTS_URL    | (none)                           | where `ocop reports serve` serves the reports folder, for links in Prefect's UI |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    shops_file: Path | None
    catalogue_source: str | None = None
    render_processes: int = 1
    reports_url: str | None = None

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def sandbox_dir(self) -> Path:
        return self.home / "sandboxes"


def load_settings() -> Settings:
    home = Path(os.environ.get("OCOP_HOME", "ocop-data")).resolve()
    database_url = os.environ.get("OCOP_DATABASE_URL") or f"sqlite:///{home / 'ocop.db'}"
    shops_file = os.environ.get("OCOP_SHOPS_FILE")
    return Settings(
        home=home,
        database_url=database_url,
        shops_file=Path(shops_file) if shops_file else None,
        catalogue_source=os.environ.get("OCOP_CATALOGUE_SOURCE") or None,
        render_processes=_whole_number("OCOP_RENDER_PROCESSES", default=1),
        reports_url=_http_url("OCOP_REPORTS_URL"),
    )


def _whole_number(name: str, *, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ValueError(f"{name}={value!r}: expected a whole number of 0 or more")
    return int(value)


def _http_url(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{name}={value!r}: expected an http:// or https:// URL, such as http://127.0.0.1:8790/")
    return value.rstrip("/") + "/"
