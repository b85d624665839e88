"""Publishing tests work on a small stocked catalogue."""

from __future__ import annotations

import datetime as dt

import pytest

from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from ocop.store import make_engine


@pytest.fixture
def engine(database_url):
    """The migrated database of `database_url` (both backends), holding eight sample products of Đồng Tháp."""
    engine = make_engine(database_url)
    today = dt.date.today()
    ingest_rows(engine, sample_rows("Đồng Tháp", products=8, seed=3, today=today), today=today)
    yield engine
    engine.dispose()
