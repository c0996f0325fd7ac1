"""Secrets at rest: provider tokens, SMTP passwords, webhook secrets, OAuth tokens.

A model column declared `EncryptedString()` stores Fernet ciphertext and reads back plain
text; the keys come from `KINDRED_SECRETS_KEY` (comma-separated, the first one encrypts, all
of them decrypt) or, in the embedded default, from `<data_dir>/secrets.key`, generated on first
start with owner-only permissions. Each engine carries its own keys (`bind_secrets`), so
nothing is read at import time. A secret never appears in a response: schemas declare
`MaskedSecret`, which shows at most its last four characters.

Rotation: put a new key first (`KINDRED_SECRETS_KEY=new,old`), run
`kindred admin rotate-secrets-key` (re-encrypts every EncryptedString column found in the
metadata with the new key), then drop the old key.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import PlainSerializer
from sqlalchemy import Column, MetaData, Table, Text, bindparam, select, type_coerce, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.types import TypeDecorator

from kindred.core.errors import ServiceUnavailable
from kindred.settings import Settings

log = logging.getLogger("kindred.secrets")

KEY_FILE_NAME = "secrets.key"
MASK = "••••"


class SecretsKeyMismatch(ServiceUnavailable):
    code = "SECRETS_KEY_MISMATCH"
    message = (
        "A stored secret cannot be decrypted with the configured KINDRED_SECRETS_KEY: the key "
        "it was encrypted with is not in the list. Keep the old key after the new one until "
        "`kindred admin rotate-secrets-key` has run."
    )


class SecretBox:
    """Encrypts with the first key, decrypts with any of them."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("KINDRED_SECRETS_KEY names no key")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as error:
            raise ValueError(
                "KINDRED_SECRETS_KEY must be Fernet keys (32 url-safe base64-encoded bytes), "
                "comma-separated; make one with `kindred admin rotate-secrets-key --new-key`"
            ) from error

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        if settings.secrets_key:
            return cls(split_keys(settings.secrets_key))
        if not settings.is_sqlite:
            log.warning("KINDRED_SECRETS_KEY is unset: every process must share the key file")
        return cls(split_keys(_key_file(settings.data_dir)))

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise SecretsKeyMismatch() from error

    def rotate(self, token: str) -> str:
        """The same secret encrypted with the primary key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as error:
            raise SecretsKeyMismatch() from error


def new_key() -> str:
    return Fernet.generate_key().decode()


def split_keys(value: str) -> list[str]:
    return [key.strip() for key in value.split(",") if key.strip()]


def primary_key(settings: Settings) -> str:
    """The key that encrypts (KINDRED_SECRETS_KEY's first, else the data directory's key
    file), for deriving other keys from, e.g. the campaigns' link-signing key."""
    return split_keys(settings.secrets_key or _key_file(settings.data_dir))[0]


def _key_file(data_dir: Path) -> str:
    """The embedded default's key, created owner-readable only (O_EXCL: first starter wins)."""
    path = data_dir / KEY_FILE_NAME
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(new_key())
    return path.read_text()


_BOXES: weakref.WeakKeyDictionary[Dialect, SecretBox] = weakref.WeakKeyDictionary()


def bind_secrets(engine: AsyncEngine, box: SecretBox) -> None:
    """EncryptedString columns read and written through `engine` use `box`."""
    _BOXES[engine.sync_engine.dialect] = box


def box_for(dialect: Dialect) -> SecretBox:
    box = _BOXES.get(dialect)
    if box is None:
        raise RuntimeError("no secrets key bound to this engine: use Database.from_settings")
    return box


class EncryptedString(TypeDecorator[str]):
    """A text column whose value is stored encrypted and read back in plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else box_for(dialect).encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else box_for(dialect).decrypt(value)


def mask_secret(value: str | None) -> str | None:
    """A secret as it may be shown: its last characters (four at most, a quarter at most)."""
    if value is None:
        return None
    shown = min(4, len(value) // 4)
    return MASK + value[len(value) - shown :]


MaskedSecret = Annotated[str | None, PlainSerializer(mask_secret, return_type=str | None)]


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, list[Column[Any]]]]:
    """Every table of `metadata` with EncryptedString columns, and those columns."""
    found = []
    for table in metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, EncryptedString)]
        if columns:
            found.append((table, columns))
    return found


async def _rotate_table(
    session: AsyncSession, box: SecretBox, table: Table, columns: list[Column[Any]]
) -> int:
    keys = list(table.primary_key.columns)
    raw = [type_coerce(column, Text()).label(column.name) for column in columns]
    rows = (await session.execute(select(*keys, *raw))).mappings().all()
    if not rows:
        return 0
    statement = (
        update(table)
        .where(*(key == bindparam(f"pk_{key.name}") for key in keys))
        .values({column.name: bindparam(f"new_{column.name}", type_=Text()) for column in columns})
    )
    params = []
    for row in rows:
        rotated = {f"new_{c.name}": row[c.name] and box.rotate(row[c.name]) for c in columns}
        params.append({f"pk_{key.name}": row[key.name] for key in keys} | rotated)
    await session.execute(statement, params)
    return len(rows)


async def rotate_secrets(session: AsyncSession, box: SecretBox, metadata: MetaData) -> int:
    """Re-encrypts every stored secret with the primary key; the number of rows rewritten."""
    total = 0
    for table, columns in encrypted_columns(metadata):
        total += await _rotate_table(session, box, table, columns)
    return total
