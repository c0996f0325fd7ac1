"""Test databases: migrated once per session into a template, copied per test module.

SQLite by default; PostgreSQL when KINDRED_TEST_DATABASE_URL names a server database
(`CREATE DATABASE … TEMPLATE` makes each copy in about a tenth of a second).
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from kindred.core.db import migrate
from kindred.core.db.engine import build_engine
from kindred.settings import Settings, normalise_database_url

POSTGRES_URL = os.environ.get("KINDRED_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("KINDRED_TEST_REDIS_URL")


async def _migrate(url: str, workdir: Path) -> None:
    engine = build_engine(Settings(data_dir=workdir), url)
    async with engine.begin() as connection:
        await connection.run_sync(migrate.upgrade_on)
    await engine.dispose()


@dataclass
class DatabaseFactory:
    workdir: Path
    server_url: str | None = POSTGRES_URL and normalise_database_url(POSTGRES_URL)
    template: str = ""
    created: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    async def _admin(self, statement: str) -> None:
        assert self.server_url
        engine = create_async_engine(self.server_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    def _url_for(self, name: str) -> str:
        if self.server_url:
            return (
                make_url(self.server_url).set(database=name).render_as_string(hide_password=False)
            )
        return f"sqlite+aiosqlite:///{self.workdir / name}.db"

    async def setup(self) -> None:
        self.template = f"kindred_tpl_{uuid.uuid4().hex[:10]}"
        if self.server_url:
            await self._admin(f'CREATE DATABASE "{self.template}"')
            self.created.append(self.template)
        await _migrate(self._url_for(self.template), self.workdir)

    async def fresh(self) -> str:
        """A new, migrated, empty database; its URL."""
        name = f"kindred_t_{uuid.uuid4().hex[:10]}"
        if self.server_url:
            await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self.created.append(name)
        else:
            shutil.copyfile(self.workdir / f"{self.template}.db", self.workdir / f"{name}.db")
        return self._url_for(name)

    async def unmigrated(self) -> str:
        """A new database without a table (to migrate step by step); its URL."""
        name = f"kindred_t_{uuid.uuid4().hex[:10]}"
        if self.server_url:
            await self._admin(f'CREATE DATABASE "{name}"')
            self.created.append(name)
        return self._url_for(name)

    async def teardown(self) -> None:
        for name in reversed(self.created):
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
