"""Contact imports: CSV files (document 000) and mapped JSON rows (document 002).

Each row is normalised in Python (no ORM objects), matched against existing contacts by email,
else by CRM id and source, in a few set-based lookups, then written with the bulk repository.
A bad row becomes `{"row", "error"}` (row numbers count data rows from 1) and the good rows are
kept. Imports above BACKGROUND_ABOVE rows run as a task and report progress on their job.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import tags
from kindred.contacts.errors import InvalidContactField, InvalidImport
from kindred.contacts.fields import FieldChecker
from kindred.contacts.models import ImportJob
from kindred.contacts.repository import ImportJobRepository
from kindred.contacts.repository.bulk import INSERT_COLUMNS, ContactBulkRepository
from kindred.contacts.values import normalise_email, normalise_phone
from kindred.core.db import utcnow, uuid7
from kindred.core.jobs import enqueue

BACKGROUND_ABOVE = 10_000
BATCH = 5_000
TEXT_FIELDS = ("first_name", "last_name", "company", "title", "role", "notes", "language")
# Header spellings (lowercased, without spaces, dashes and underscores) -> contact field.
HEADER_FIELDS = {
    "firstname": "first_name",
    "first": "first_name",
    "givenname": "first_name",
    "lastname": "last_name",
    "last": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "email": "email",
    "emailaddress": "email",
    "phone": "phone",
    "phonenumber": "phone",
    "mobile": "phone",
    "company": "company",
    "companyname": "company",
    "organization": "company",
    "title": "title",
    "jobtitle": "title",
    "role": "role",
    "notes": "notes",
    "language": "language",
    "source": "source",
    "crmid": "crm_id",
    "crmsource": "crm_source",
    "tags": "tags",
}
CUSTOM_PREFIXES = ("customfields.", "custom_fields.", "custom.")


def header_key(header: str) -> str:
    return re.sub(r"[\s_\-]", "", header).lower()


def target_of(name: str) -> str | None:
    """The contact field a column or mapping target names: a field, `custom:<key>`, or None."""
    stripped = name.strip()
    if not stripped or stripped.lower() in ("_skip", "skip", "ignore"):
        return None
    for prefix in CUSTOM_PREFIXES:
        if stripped.lower().startswith(prefix):
            return "custom:" + stripped[len(prefix) :]
    if stripped.lstrip("_").lower() == "tags":
        return "tags"
    return HEADER_FIELDS.get(header_key(stripped), "custom:" + stripped)


@dataclass(frozen=True)
class ImportOptions:
    mapping: dict[str, str] = field(default_factory=dict)
    constant_values: dict[str, Any] = field(default_factory=dict)
    skip_duplicates: bool = False
    tag_all: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "mapping": self.mapping,
            "constant_values": self.constant_values,
            "skip_duplicates": self.skip_duplicates,
            "tag_all": list(self.tag_all),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportOptions:
        return cls(
            mapping=data.get("mapping") or {},
            constant_values=data.get("constant_values") or {},
            skip_duplicates=bool(data.get("skip_duplicates")),
            tag_all=tuple(data.get("tag_all") or ()),
        )


@dataclass
class Tally:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_result(cls, result: dict[str, Any], total: int) -> Tally:
        """The counters a job has recorded so far (empty before its first chunk)."""
        return cls(
            total=total,
            created=result.get("created", 0),
            updated=result.get("updated", 0),
            skipped=result.get("skipped", 0),
            errors=list(result.get("errors", [])),
        )

    def as_result(self) -> dict[str, Any]:
        return {
            "success": True,
            "total": self.total,
            "imported": self.created + self.updated,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": len(self.errors),
            "errors": self.errors,
        }


def read_csv(content: bytes) -> list[dict[str, Any]]:
    """Rows of a CSV file keyed by header (UTF-8, a byte-order mark tolerated)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidImport("The file is not UTF-8 text") from error
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise InvalidImport("The file has no header row")
    return [{k: v for k, v in row.items() if k is not None} for row in reader]


def _split_tags(value: Any) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[;,]", str(value))
    return [str(item).strip() for item in items if str(item).strip()]


class RowReader:
    """Turns one input row into normalised contact values (or raises InvalidContactField)."""

    def __init__(self, options: ImportOptions, checker: FieldChecker) -> None:
        self.options = options
        self.checker = checker
        self.constants = {target_of(k): v for k, v in options.constant_values.items()}
        self.targets: dict[str, str | None] = {}

    def _target(self, name: str) -> str | None:
        """target_of, resolved once per column name (every row repeats the same headers)."""
        if name not in self.targets:
            self.targets[name] = target_of(name)
        return self.targets[name]

    def _targets(self, row: dict[str, Any]) -> list[tuple[str, Any]]:
        if self.options.mapping:
            pairs = [
                (self.options.mapping[c], v) for c, v in row.items() if c in self.options.mapping
            ]
        else:
            pairs = list(row.items())
        found = [(self._target(name), value) for name, value in pairs]
        return [(t, v) for t, v in found if t is not None] + [
            (t, v) for t, v in self.constants.items() if t is not None
        ]

    def read(self, row: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {"custom_fields": {}, "tags": list(self.options.tag_all)}
        for target, value in self._targets(row):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if target == "tags":
                values["tags"] += _split_tags(value)
            elif target.startswith("custom:"):
                values["custom_fields"][target[7:]] = value
            else:
                values[target] = str(value).strip()
        values["email"] = normalise_email(values.get("email"))
        values["phone"] = normalise_phone(values.get("phone"))
        values["custom_fields"] = self.checker.check(values["custom_fields"])
        if values.get("crm_id") and not values.get("crm_source"):
            raise InvalidContactField("crm_source", "crm_source is required when crm_id is given")
        if not any(values.get(k) for k in ("first_name", "last_name", "email", "phone", "crm_id")):
            raise InvalidContactField("row", "Row has no name, email, phone or CRM id")
        return values


def _crm_key(values: dict[str, Any]) -> tuple[str, str] | None:
    if values.get("crm_id") and values.get("crm_source"):
        return (values["crm_source"], values["crm_id"])
    return None


def _new_row(
    workspace_id: uuid.UUID, owner_id: uuid.UUID | None, values: dict[str, Any]
) -> dict[str, Any]:
    now = utcnow()
    row: dict[str, Any] = dict.fromkeys(INSERT_COLUMNS)
    row.update(
        id=uuid7(),
        workspace_id=workspace_id,
        owner_id=owner_id,
        created_at=now,
        updated_at=now,
        is_primary=False,
        globally_unsubscribed=False,
        communication_preferences={},
        total_tasks_run=0,
        source="import",
    )
    row.update({k: v for k, v in values.items() if k in row and v is not None})
    return row


class BatchWriter:
    """One batch: match rows to existing contacts and in-batch duplicates, then write."""

    def __init__(
        self,
        session: AsyncSession,
        workspace_id: uuid.UUID,
        owner_id: uuid.UUID | None,
        options: ImportOptions,
    ) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.owner_id = owner_id
        self.options = options
        self.bulk = ContactBulkRepository(session, workspace_id)

    async def write(self, parsed: Sequence[tuple[int, dict[str, Any]]], tally: Tally) -> None:
        by_email = await self.bulk.existing_by_email([v["email"] for _, v in parsed if v["email"]])
        crm_keys = [key for _, v in parsed if (key := _crm_key(v))]
        by_crm = await self.bulk.existing_by_crm(crm_keys)
        inserts: dict[uuid.UUID, dict[str, Any]] = {}
        updates: dict[uuid.UUID, dict[str, Any]] = {}
        tag_names: dict[uuid.UUID, list[str]] = {}
        for _, values in parsed:
            crm = _crm_key(values)
            match = by_email.get(values["email"]) if values["email"] else None
            match = match or (by_crm.get(crm) if crm else None)
            if match is not None and self.options.skip_duplicates:
                tally.skipped += 1
                continue
            if match is None:
                row = _new_row(self.workspace_id, self.owner_id, values)
                inserts[row["id"]] = row
                contact_id, custom = row["id"], row["custom_fields"]
                tally.created += 1
            else:
                contact_id, custom = match
                # An earlier row of this import may have created it: merge into that row.
                target = inserts.get(contact_id) or updates.setdefault(
                    contact_id, {"id": contact_id}
                )
                tally.updated += 1
                custom = {**custom, **values["custom_fields"]}
                target.update({k: v for k, v in values.items() if v is not None and k != "tags"})
                target["custom_fields"] = custom
                target["updated_at"] = utcnow()
            if values["email"]:
                by_email[values["email"]] = (contact_id, custom)
            if crm:
                by_crm[crm] = (contact_id, custom)
            tag_names.setdefault(contact_id, []).extend(values["tags"])
        await self.bulk.insert_rows(list(inserts.values()))
        await self.bulk.update_rows(list(updates.values()))
        await self._tag(tag_names)

    async def _tag(self, tag_names: dict[uuid.UUID, list[str]]) -> None:
        names = sorted({name for names in tag_names.values() for name in names})
        if not names:
            return
        found = await tags.ensure_tags(self.session, self.workspace_id, names)
        by_name = {name: tag.id for name, tag in zip(names, found, strict=True)}
        pairs = [(cid, by_name[name]) for cid, names in tag_names.items() for name in set(names)]
        await tags.tag_contacts(self.session, self.workspace_id, pairs)


async def _import_into(
    tally: Tally,
    session: AsyncSession,
    job: tuple[uuid.UUID, uuid.UUID | None],
    rows: Sequence[dict[str, Any]],
    options: ImportOptions,
    first_number: int = 1,
) -> None:
    """Imports rows in batches into `tally`; `first_number` numbers the first row's errors."""
    workspace_id, owner_id = job
    reader = RowReader(options, await FieldChecker.load(session, workspace_id))
    writer = BatchWriter(session, workspace_id, owner_id, options)
    await writer.bulk.plan_per_execution()
    for start in range(0, len(rows), BATCH):
        parsed: list[tuple[int, dict[str, Any]]] = []
        for number, row in enumerate(rows[start : start + BATCH], start=first_number + start):
            try:
                parsed.append((number, reader.read(row)))
            except InvalidContactField as error:
                tally.errors.append({"row": number, "error": error.message})
        await writer.write(parsed, tally)


async def import_rows(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    owner_id: uuid.UUID | None,
    rows: Sequence[dict[str, Any]],
    options: ImportOptions,
) -> dict[str, Any]:
    """Imports rows now, in batches, inside the caller's transaction; the result counters."""
    tally = Tally(total=len(rows))
    await _import_into(tally, session, (workspace_id, owner_id), rows, options)
    return tally.as_result()


async def start_import(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    owner_id: uuid.UUID | None,
    rows: list[dict[str, Any]],
    options: ImportOptions,
) -> ImportJob:
    """Records a background import and enqueues it (published after this transaction)."""
    job = await ImportJobRepository(session, workspace_id).add(
        ImportJob(user_id=owner_id, options=options.as_json(), rows=rows, total=len(rows))
    )
    await enqueue(
        session,
        "contacts.run_import",
        workspace_id=workspace_id,
        workspace=str(workspace_id),
        job_id=str(job.id),
    )
    return job


async def import_job_chunks(
    session: AsyncSession, workspace_id: uuid.UUID, job_id: uuid.UUID, chunk_size: int = BATCH
) -> AsyncIterator[ImportJob]:
    """Imports a recorded job chunk by chunk, yielding after each one is flushed.

    The caller commits at every yield, so a chunk's contacts and the job's `processed`
    counter become durable together: a poll sees progress, and a retry after a crash starts
    from the last committed chunk without writing its rows twice. Progress and counters are
    re-read under a row lock before each chunk, so two runs of one job (a worker presumed
    dead that was not) never import the same chunk nor lose each other's counts.
    A finished job (a re-delivery) yields nothing.
    """
    repository = ImportJobRepository(session, workspace_id)
    job = await repository.get(job_id)
    if job is None or job.rows is None:
        return
    rows = job.rows
    options = ImportOptions.from_json(job.options)
    while (progress := await repository.locked_progress(job_id)) and progress[0] < job.total:
        start, result = progress
        tally = Tally.from_result(result, total=job.total)
        chunk = rows[start : start + chunk_size]
        await _import_into(
            tally, session, (workspace_id, job.user_id), chunk, options, first_number=start + 1
        )
        job.processed = start + len(chunk)
        job.result = tally.as_result()
        job.status = "running"
        if job.processed >= job.total:
            job.status, job.rows = "completed", None
        await session.flush()
        yield job


async def get_import_job(
    session: AsyncSession, workspace_id: uuid.UUID, job_id: uuid.UUID
) -> ImportJob:
    return await ImportJobRepository(session, workspace_id).get_or_404(job_id)
