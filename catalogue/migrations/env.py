"""Alembic environment: runs on the connection `catalogue.store.migrate` hands over, or on the URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import catalogue.models  # noqa: F401  (registers the tables on Base.metadata)
import listings.models  # noqa: F401
import reconcile.models  # noqa: F401
from catalogue.store import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
