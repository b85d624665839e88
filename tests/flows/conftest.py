"""End-to-end fixtures: Prefect's test harness once per session, the sandboxes, and a pipeline
environment (database, shops file, credentials) pointed at them."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from flows.context import VIETNAM
from ocop.channels import OFFICIAL_SHOPS
from ocop.settings import load_settings
from ocop.store import make_engine
from publishing.candidates import load_products
from sandboxes.fleet import SandboxFleet, running_sandboxes
from shops.file import credentials_environment, write_shops_file
from tests.databases import migrated_database

TODAY = dt.datetime.now(VIETNAM).date()


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path) -> str:
    """End-to-end tests run on SQLite; those that matter for the production store also run on
    PostgreSQL with `@pytest.mark.parametrize("database_url", BOTH_BACKENDS, indirect=True)`."""
    return migrated_database(request, tmp_path, request.param)


BOTH_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", autouse=True)
def prefect_harness():
    with prefect_test_harness(server_startup_timeout=60):
        yield


@dataclass
class Pipeline:
    fleet: SandboxFleet
    database_url: str
    home: Path

    def engine(self):
        return make_engine(self.database_url)

    def listable_codes(self) -> set[str]:
        engine = self.engine()
        try:
            return {p.product.ocop_code for p in load_products(engine).values() if p.is_listable(TODAY)}
        finally:
            engine.dispose()

    def ingest(self, rows: list[dict]) -> None:
        engine = self.engine()
        try:
            ingest_rows(engine, rows, today=TODAY)
        finally:
            engine.dispose()


def start_pipeline(tmp_path: Path, monkeypatch, database_url: str, fleet: SandboxFleet, shop_keys=None) -> Pipeline:
    shops = [shop for shop in fleet.shops if shop_keys is None or shop.key in shop_keys]
    home = tmp_path / "home"
    monkeypatch.setenv("OCOP_HOME", str(home))
    monkeypatch.setenv("OCOP_DATABASE_URL", database_url)
    monkeypatch.setenv("OCOP_SHOPS_FILE", str(write_shops_file(shops, home / "shops.toml")))
    for name, value in credentials_environment(shops).items():
        monkeypatch.setenv(name, value)
    return Pipeline(fleet, database_url, home)


@pytest.fixture
def pipeline(tmp_path, monkeypatch, database_url):
    """30 sample products of Đồng Tháp, ingested and served by the registry; the official shop on each channel."""
    rows = sample_rows("Đồng Tháp", products=30, seed=7, today=TODAY)
    with running_sandboxes(tmp_path / "sandboxes", registry_rows=rows) as fleet:
        pipeline = start_pipeline(tmp_path, monkeypatch, database_url, fleet, OFFICIAL_SHOPS)
        pipeline.ingest(rows)
        yield pipeline


@pytest.fixture
def demo_home(tmp_path, monkeypatch, database_url):
    """A pipeline home and database for the demo; the shops file and credentials it points the
    pipeline at (in os.environ, as the `ocop demo` command does) are taken back afterwards."""
    monkeypatch.setenv("OCOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OCOP_DATABASE_URL", database_url)
    saved = dict(os.environ)
    yield load_settings()
    os.environ.clear()
    os.environ.update(saved)
