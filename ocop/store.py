"""The database: engine, sessions and schema migrations (Alembic).

SQLite is the embedded default; PostgreSQL (`OCOP_DATABASE_URL=postgresql+psycopg://...`) is the
production store. The schema is only ever created by migrations, never by `create_all`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (creating the file for SQLite) in one transaction:
    a migration killed half-way leaves the database as it was."""
    engine = _migration_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _migration_engine(url: str) -> Engine:
    """On SQLite, an engine whose transactions cover DDL too (SQLAlchemy's recipe for pysqlite).

    pysqlite opens a transaction only before INSERT, UPDATE or DELETE, so each CREATE TABLE of a
    migration committed on its own: a kill during the first one left tables without a version and
    every later run failed on `table ... already exists`. Here pysqlite opens none and each
    transaction starts with BEGIN IMMEDIATE, which also makes a second process migrating the same
    new file wait for the first, then find the schema done. The pragmas still run outside it.
    """
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _no_implicit_transactions)
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _no_implicit_transactions(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


_factories: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """One factory per engine: building a sessionmaker per transaction costs a class per call."""
    factory = _factories.get(engine)
    if factory is None:
        factory = _factories[engine] = sessionmaker(engine, expire_on_commit=False)
    return factory


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed if the block ends normally, rolled back whole otherwise."""
    with session_factory(engine).begin() as session:
        yield session


_write_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_locks_lock = threading.Lock()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A short write transaction on a Core connection, committed at the end of the block.

    SQLite allows one writer at a time. Threads of one process that meet at its lock fall into its
    busy handler, which sleeps between polls (1 ms, growing to 100 ms) while the holder waits for
    the interpreter lock: under many publishing threads most of the time went there. On SQLite
    the threads take turns on a lock here instead; PostgreSQL locks rows, and needs none.
    """
    with _write_lock(engine), engine.begin() as connection:
        yield connection


def _write_lock(engine: Engine):
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _locks_lock:
        lock = _write_locks.get(engine)
        if lock is None:
            lock = _write_locks[engine] = threading.Lock()
    return lock
