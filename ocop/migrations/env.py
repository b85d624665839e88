"""Alembic environment: runs on the connection `ocop.store.migrate` hands over, or on the URL."""

from alembic import context
from sqlalchemy import Connection, engine_from_config, inspect, pool

config = context.config
# The migrations are written by hand (versions/); the schema they make is checked against every
# package's models by tests/test_store.py, so this file needs no model and the store imports no
# domain package.


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


def _run(connection: Connection) -> None:
    context.configure(connection=connection, render_as_batch=True)
    if connection.dialect.name == "sqlite" and context.get_context().get_current_revision() is None:
        _drop_unfinished_first_migration(connection)
    with context.begin_transaction():
        context.run_migrations()


def _drop_unfinished_first_migration(connection: Connection) -> None:
    """Tables without a version: a first migration killed half-way by a version before migrations
    ran in one transaction on SQLite. Empty, they are dropped and made again; holding rows, they
    are not ours to drop. (An OCOP SQLite file holds only this schema's tables.)"""
    leftovers = sorted(name for name in inspect(connection).get_table_names() if name != "alembic_version")
    holding_rows = [name for name in leftovers if connection.exec_driver_sql(f'SELECT 1 FROM "{name}" LIMIT 1').first()]
    if holding_rows:
        raise RuntimeError(f"the database has tables {', '.join(holding_rows)} holding rows but no schema version "
                           "(alembic_version is empty): it was not made by these migrations; use another database")
    for name in leftovers:
        connection.exec_driver_sql(f'DROP TABLE "{name}"')


run_migrations_online()
