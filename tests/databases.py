"""Migrated test databases: a SQLite file, or a fresh PostgreSQL schema dropped after the test."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text

from ocop.store import migrate


def migrated_database(request, tmp_path, backend: str) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'ocop.db'}"
    else:
        session_url = request.getfixturevalue("postgres_url")
        url = _fresh_postgres_schema(session_url, request)
    migrate(url)
    return url


def _fresh_postgres_schema(session_url: str, request) -> str:
    base, _, _ = session_url.partition("?")
    schema = f"ocop_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    request.addfinalizer(drop)
    return f"{base}?options=-csearch_path%3D{schema}"
