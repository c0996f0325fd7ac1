"""Secrets at rest: stored as ciphertext, read back in plain, rotated, masked in responses."""

from __future__ import annotations

import stat
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import Column, MetaData, Table, Text, Uuid, insert, select, text

from kindred.core.db.session import Database
from kindred.core.secrets import (
    KEY_FILE_NAME,
    EncryptedString,
    MaskedSecret,
    SecretBox,
    SecretsKeyMismatch,
    encrypted_columns,
    mask_secret,
    new_key,
    rotate_secrets,
)
from kindred.settings import Settings

SECRET = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ"

metadata = MetaData()
vault = Table(
    "test_vault",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("token", EncryptedString()),
    Column("password", EncryptedString(), nullable=True),
    Column("label", Text),
)


@pytest.fixture(scope="module")
async def keyed_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"secrets_key": new_key()})


@pytest.fixture
async def db(keyed_settings: Settings) -> AsyncIterator[Database]:
    database = Database.from_settings(keyed_settings)
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


async def store(database: Database, token: str, password: str | None = None) -> uuid.UUID:
    row_id = uuid.uuid4()
    async with database.session_scope() as session:
        values = {"id": row_id, "token": token, "password": password, "label": "smtp"}
        await session.execute(insert(vault).values(**values))
    return row_id


async def read(database: Database, row_id: uuid.UUID) -> tuple[str, str | None]:
    async with database.session_scope() as session:
        row = (await session.execute(select(vault).where(vault.c.id == row_id))).one()
    return row.token, row.password


async def raw(database: Database, row_id: uuid.UUID) -> str:
    async with database.session_scope() as session:
        statement = text("SELECT token FROM test_vault WHERE id = :id")
        value = await session.scalar(statement.bindparams(id=row_id))
    return str(value)


def reopen(settings: Settings, keys: str) -> Database:
    return Database.from_settings(settings.model_copy(update={"secrets_key": keys}))


async def test_encrypted_column_round_trips(db: Database) -> None:
    row_id = await store(db, SECRET, "hunter2")
    assert await read(db, row_id) == (SECRET, "hunter2")


async def test_database_holds_only_ciphertext(db: Database, keyed_settings: Settings) -> None:
    row_id = await store(db, SECRET)
    stored = await raw(db, row_id)
    assert SECRET not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    if keyed_settings.is_sqlite:  # the file itself (and its write-ahead log) never has it
        path = Path(keyed_settings.resolved_database_url.split("///", 1)[1])
        files = [path, path.with_name(path.name + "-wal")]
        assert all(SECRET.encode() not in f.read_bytes() for f in files if f.exists())


async def test_none_stays_none(db: Database) -> None:
    row_id = await store(db, SECRET, None)
    assert (await read(db, row_id))[1] is None


async def test_rotation_re_encrypts_with_the_new_key(
    db: Database, keyed_settings: Settings
) -> None:
    old_key, fresh_key = keyed_settings.secrets_key or "", new_key()
    row_id = await store(db, SECRET, "hunter2")
    before = await raw(db, row_id)
    both = reopen(keyed_settings, f"{fresh_key},{old_key}")
    async with both.session_scope() as session:
        rotated = await rotate_secrets(session, SecretBox([fresh_key, old_key]), metadata)
    await both.dispose()
    assert rotated >= 1
    after = await raw(db, row_id)
    assert after != before
    assert SecretBox([fresh_key]).decrypt(after) == SECRET
    only_new = reopen(keyed_settings, fresh_key)
    assert await read(only_new, row_id) == (SECRET, "hunter2")
    await only_new.dispose()


async def test_a_wrong_key_fails_with_a_message_naming_the_setting(
    db: Database, keyed_settings: Settings
) -> None:
    row_id = await store(db, SECRET)
    wrong = reopen(keyed_settings, new_key())
    with pytest.raises(SecretsKeyMismatch) as raised:
        await read(wrong, row_id)
    await wrong.dispose()
    assert "KINDRED_SECRETS_KEY" in raised.value.message
    assert raised.value.status == 503


def test_encrypted_columns_are_discovered_from_the_metadata() -> None:
    assert [(t.name, [c.name for c in cols]) for t, cols in encrypted_columns(metadata)] == [
        ("test_vault", ["token", "password"])
    ]


def test_embedded_default_generates_an_owner_only_key_file_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secrets_key=None)
    box = SecretBox.from_settings(settings)
    key_file = tmp_path / "data" / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = box.encrypt(SECRET)
    assert SecretBox.from_settings(settings).decrypt(token) == SECRET


def test_a_malformed_key_setting_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="Fernet keys"):
        SecretBox.from_settings(Settings(secrets_key="not-a-key"))


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        (None, None),
        ("", "••••"),
        ("abc", "••••"),
        ("abcdefgh", "••••gh"),
        (SECRET, "••••cXYZ"),
    ],
)
def test_mask_shows_at_most_the_last_four_characters(secret: str | None, shown: str) -> None:
    assert mask_secret(secret) == shown


def test_masked_secret_fields_never_serialise_the_secret() -> None:
    class SmtpRead(BaseModel):
        password: MaskedSecret

    dumped = SmtpRead(password=SECRET).model_dump_json()
    assert SECRET not in dumped
    assert "cXYZ" in dumped
