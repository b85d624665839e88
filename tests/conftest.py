"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and a quiet, offline Prefect.

Storage tests take the `database_url` fixture and run once per backend. PostgreSQL is the server at
127.0.0.1:5432 (database `test`); each test session gets its own schema, dropped at the end. Where
the server is missing the PostgreSQL cases skip locally, and fail under CI=true.
"""

from __future__ import annotations

import os
import tempfile
import uuid

# Before anything imports Prefect: no telemetry, no analytics, a private home (there is no internet).
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="ocop-prefect-home-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Whatever a test writes by default (rejects CSVs, reports) lands in a temporary home, never the checkout.
os.environ.setdefault("OCOP_HOME", tempfile.mkdtemp(prefix="ocop-test-home-"))

import pytest
from sqlalchemy import create_engine, text

from ocop.store import make_engine
from tests.databases import migrated_database

POSTGRES_BASE_URL = os.environ.get("OCOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_base_url() -> str | None:
    """The first of postgres/root that can connect, or None."""
    candidates = [POSTGRES_BASE_URL, POSTGRES_BASE_URL.replace("//postgres@", "//root@")]
    for url in candidates:
        try:
            engine = create_engine(url)
            with engine.connect():
                pass
            engine.dispose()
            return url
        except Exception:
            continue
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL whose search_path is a fresh schema for this test session."""
    base = _postgres_base_url()
    if base is None:
        message = f"PostgreSQL is not reachable at {POSTGRES_BASE_URL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the PostgreSQL storage tests must run)")
        pytest.skip(message)
    schema = f"ocop_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{base}?options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """An empty, migrated database: a SQLite file, or a fresh PostgreSQL schema."""
    return migrated_database(request, tmp_path, request.param)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
