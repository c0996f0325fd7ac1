"""Programmatic Alembic: upgrade to head and check that the models match the migrations."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

import kindred.migrations
from kindred.models import metadata

MIGRATIONS_DIR = Path(kindred.migrations.__file__).parent


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Upgrades the database at `url` (opens its own event loop: call from sync code)."""
    command.upgrade(alembic_config(url), revision)


def upgrade_on(connection: Connection, revision: str = "heads") -> None:
    """Upgrades through an open connection (from async code, via `run_sync`)."""
    command.upgrade(alembic_config(connection=connection), revision)


def include_object_on(dialect: str) -> Callable[..., bool]:
    """An autogenerate filter that skips objects declared for another dialect only
    (`Index(...).ddl_if(dialect="postgresql")`, e.g. trigram indexes)."""

    def include_object(obj: object, *_args: object) -> bool:
        only_on = getattr(obj, "_ddl_if", None)
        return only_on is None or only_on.dialect in (None, dialect)

    return include_object


def pending_differences(connection: Connection) -> list[object]:
    """What autogenerate would still emit: empty when the migrations match the models."""
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "render_as_batch": True,
            "include_object": include_object_on(connection.dialect.name),
        },
    )
    with warnings.catch_warnings():
        # SQLite cannot reflect expression indexes (e.g. tags' folded name), so both libraries
        # warn and skip them there; PostgreSQL compares them.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        return list(compare_metadata(context, metadata))
