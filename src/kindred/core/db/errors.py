"""Which database errors are transient: the same work, tried again later, may well succeed."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, OperationalError

# PostgreSQL SQLSTATEs (or their class, by prefix): 40 transaction rollback (serialization
# failure, deadlock), 08 connection exception, 55P03 lock not available (lock_timeout),
# 57014 query canceled (statement_timeout).
TRANSIENT_SQLSTATES = ("40", "08", "55P03", "57014")
SQLITE_BUSY = ("database is locked", "database table is locked")


def is_transient(error: BaseException) -> bool:
    """Whether `error` is a database error worth retrying rather than a bug or bad data: a
    lost connection, a PostgreSQL deadlock, serialization failure, lock or statement
    timeout, SQLite's busy database, any other DB-API OperationalError.

    The SQLSTATE is read from the driver's error (`sqlstate` for asyncpg, as SQLAlchemy's
    adapter and psycopg 3 expose it; `pgcode` for psycopg2). sqlite3 raises its
    OperationalError for SQL mistakes too ("no such column"): of those only a locked
    database counts."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(TRANSIENT_SQLSTATES):
        return True
    if isinstance(error.orig, sqlite3.OperationalError):
        return str(error.orig).startswith(SQLITE_BUSY)
    return isinstance(error, OperationalError)
