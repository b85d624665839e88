"""A migration killed half-way leaves the database as it was, and the next run makes the whole schema."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from ocop.store import alembic_config, make_engine, migrate

REPO = Path(__file__).resolve().parents[2]

# Migrates the database given as argv[1], and stops dead after the first table of the schema is created.
MIGRATE_AND_HANG = """
import sys, time
from sqlalchemy import Engine, event
from ocop.store import migrate

def hang_after_first_table(connection, cursor, statement, *args):
    if statement.lstrip().upper().startswith("CREATE TABLE") and "alembic_version" not in statement:
        print("first table created", flush=True)
        time.sleep(600)

event.listen(Engine, "after_cursor_execute", hang_after_first_table)
migrate(sys.argv[1])
"""

MIGRATE = "import sys; from ocop.store import migrate; migrate(sys.argv[1])"


def _schema(url: str) -> tuple[set[str], str | None]:
    """The database's tables, and its schema version."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            version = (connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                       if "alembic_version" in tables else None)
    finally:
        engine.dispose()
    return tables, version


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, text=True, **kwargs)


def test_a_first_migration_killed_half_way_leaves_nothing_and_the_next_run_makes_the_whole_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    killed = _python(MIGRATE_AND_HANG, url, stdout=subprocess.PIPE)
    try:
        assert killed.stdout.readline() == "first table created\n"
    finally:
        killed.kill()
        killed.wait()

    assert _schema(url) == (set(), None)              # not even the version table: it was all one transaction

    again = _python(MIGRATE, url, stderr=subprocess.PIPE)
    _, errors = again.communicate(timeout=120)
    assert again.returncode == 0, errors
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    migrate(reference)
    assert _schema(url) == _schema(reference)
    assert _schema(url)[1] == _head()


def _half_made_by_an_earlier_version(path: Path, *, rows: bool = False) -> None:
    """What a kill during the first migration left before migrations were one transaction on SQLite."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        connection.execute("CREATE TABLE ingest_runs (id INTEGER NOT NULL PRIMARY KEY, source VARCHAR(1024))")
        connection.execute("CREATE TABLE producers (id INTEGER NOT NULL PRIMARY KEY)")
        if rows:
            connection.execute("INSERT INTO ingest_runs (id, source) VALUES (1, 'dong-thap.xlsx')")


def test_a_schema_left_half_made_by_an_earlier_version_is_made_whole(tmp_path):
    _half_made_by_an_earlier_version(tmp_path / "ocop.db")
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    migrate(url)
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    migrate(reference)
    assert _schema(url) == _schema(reference)


def test_tables_holding_rows_without_a_schema_version_are_never_dropped(tmp_path):
    _half_made_by_an_earlier_version(tmp_path / "ocop.db", rows=True)
    with pytest.raises(RuntimeError, match="ingest_runs holding rows but no schema version"):
        migrate(f"sqlite:///{tmp_path / 'ocop.db'}")
    with sqlite3.connect(tmp_path / "ocop.db") as connection:
        assert connection.execute("SELECT source FROM ingest_runs").fetchall() == [("dong-thap.xlsx",)]


def test_migrating_a_migrated_database_again_changes_nothing(database_url):
    before = _schema(database_url)
    migrate(database_url)
    assert _schema(database_url) == before
    assert before[1] == _head()



def test_the_migrations_make_the_schema_the_models_describe(engine):
    """The migrations are hand-written and need no model; this is where they are held to the tables
    every package declares (a column added to a model without its migration fails here)."""
    import catalogue.models  # noqa: F401  (each package's tables join Base.metadata when imported)
    import ledger.models  # noqa: F401
    import reconcile.models  # noqa: F401
    import shops.token_store  # noqa: F401
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ocop.store import Base

    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
