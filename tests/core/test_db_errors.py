"""Which database errors are worth trying again (core/db/errors.py)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from kindred.core.db.errors import is_transient


class _PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def _wrapped(kind: type[DBAPIError], orig: Exception) -> DBAPIError:
    return kind("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(DBAPIError, _PostgresError("40P01")),  # deadlock detected
        _wrapped(DBAPIError, _PostgresError("40001")),  # serialization failure
        _wrapped(DBAPIError, _PostgresError("55P03")),  # lock not available
        _wrapped(DBAPIError, _PostgresError("57014")),  # statement timeout
        _wrapped(DBAPIError, _PostgresError("08006")),  # connection failure
        _wrapped(OperationalError, sqlite3.OperationalError("database is locked")),
    ],
    ids=["deadlock", "serialization", "lock-timeout", "statement-timeout", "connection", "busy"],
)
def test_contention_and_lost_connections_are_transient(error: DBAPIError) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(IntegrityError, _PostgresError("23505")),  # unique violation
        _wrapped(ProgrammingError, _PostgresError("42703")),  # undefined column
        _wrapped(OperationalError, sqlite3.OperationalError("no such column: nickname")),
        RuntimeError("a bug"),
    ],
    ids=["unique", "undefined-column", "sqlite-no-such-column", "not-a-database-error"],
)
def test_bad_data_and_bugs_are_not_transient(error: Exception) -> None:
    assert not is_transient(error)
