"""Every query on campaigns and their recipient ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Update

from kindred.campaigns.errors import CampaignNotFound
from kindred.campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus
from kindred.contacts.models import Contact
from kindred.core.db.dialect import cached_plans, is_postgres
from kindred.core.repository import Repository, WorkspaceRepository

Recipient = CampaignRecipient


class CampaignRepository(WorkspaceRepository[Campaign]):
    """The workspace's campaigns, deleted ones left out."""

    model = Campaign
    not_found = CampaignNotFound

    def base(self) -> Select[Campaign]:
        return super().base().where(Campaign.deleted_at.is_(None))

    def listed(self, type_: str | None, statuses: set[str] | None) -> Select[Campaign]:
        statement = self.base().order_by(Campaign.created_at.desc(), Campaign.id.desc())
        if type_:
            statement = statement.where(Campaign.type == type_.upper())
        if statuses:
            statement = statement.where(Campaign.status.in_(sorted(statuses)))
        return statement

    async def locked_or_404(self, campaign_id: uuid.UUID) -> Campaign:
        """The campaign, its row locked until the transaction ends and read afresh once the
        lock is granted (PostgreSQL; SQLite runs one writer at a time anyway): an edit, a
        delete, a send or a status move then waits for a concurrent one and decides by what
        it left (an edit no longer writes over a campaign that started sending meanwhile, a
        send no longer freezes the audience an edit just replaced)."""
        found = await self.session.scalar(
            self.base()
            .where(Campaign.id == campaign_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if found is None:
            raise self.not_found()
        return found

    async def claim_status(self, campaign_id: uuid.UUID, old: str, new: str) -> bool:
        """Moves the campaign from `old` to `new` only if it is still `old` (one winner)."""
        result = await self.session.execute(
            update(Campaign)
            .where(
                Campaign.workspace_id == self.workspace_id,
                Campaign.id == campaign_id,
                Campaign.status == old,
            )
            .values(status=new)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

    async def names_with_segment(self, segment_id: uuid.UUID, statuses: set[str]) -> list[str]:
        """The names of the campaigns in `statuses`, not started yet, whose audience is the
        segment."""
        names = await self.session.scalars(
            self.base()
            .with_only_columns(Campaign.name)
            .where(Campaign.segment_id == segment_id, Campaign.status.in_(statuses))
            .where(Campaign.started_at.is_(None))
            .order_by(Campaign.created_at)
        )
        return list(names)

    async def filters_not_started(self, statuses: set[str]) -> list[tuple[str, Any]]:
        """(name, inline audience filter) of the campaigns in `statuses` not started yet."""
        rows = await self.session.execute(
            self.base()
            .with_only_columns(Campaign.name, Campaign.filter)
            .where(Campaign.filter.is_not(None), Campaign.status.in_(statuses))
            .where(Campaign.started_at.is_(None))
            .order_by(Campaign.created_at)
        )
        return [(row.name, row.filter) for row in rows]

    async def count_completed(self, start: datetime, end: datetime) -> int:
        """Campaigns that finished sending in [start, end)."""
        return await self.count(
            self.base().where(
                Campaign.status == CampaignStatus.SENT.value,
                Campaign.completed_at >= start,
                Campaign.completed_at < end,
            )
        )

    async def add_to_counters(self, campaign_id: uuid.UUID, **deltas: int) -> None:
        """Adds to counters (`sent=3, failed=1`, by column name without `_count`) in one
        statement: O(1) where a recount of a large audience would be O(audience), and safe
        beside concurrent batches and events."""
        changes = {
            f"{name}_count": getattr(Campaign, f"{name}_count") + delta
            for name, delta in deltas.items()
            if delta
        }
        if changes:
            await self.session.execute(
                update(Campaign)
                .where(Campaign.workspace_id == self.workspace_id, Campaign.id == campaign_id)
                .values(changes)
                .execution_options(synchronize_session="fetch")
            )


class AnyCampaigns(Repository[Campaign]):
    """Lookups across workspaces: the scheduler, and signed links whose token names the
    campaign (the workspace comes from the row; a deleted campaign's links still resolve)."""

    model = Campaign
    not_found = CampaignNotFound

    async def due(self, now: datetime, limit: int) -> Sequence[Campaign]:
        """The SCHEDULED campaigns whose time has come, locked for the tick; one locked by an
        edit, a delete or a status move is left for the next tick (SKIP LOCKED): waited
        for, it could be gone or changed by the time the tick claims it."""
        statement = (
            self.base()
            .where(Campaign.status == CampaignStatus.SCHEDULED.value, Campaign.scheduled_at <= now)
            .where(Campaign.deleted_at.is_(None))
            .order_by(Campaign.scheduled_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await self.all(statement)


class RecipientRepository:
    def __init__(self, session: AsyncSession, workspace_id: uuid.UUID) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def _of(self, campaign_id: uuid.UUID) -> ColumnElement[bool]:
        return and_(
            Recipient.workspace_id == self.workspace_id, Recipient.campaign_id == campaign_id
        )

    async def freeze_batch(
        self, campaign_id: uuid.UUID, where: ColumnElement[bool], after: uuid.UUID | None, size: int
    ) -> uuid.UUID | None:
        """Inserts the next `size` matching contacts (by id, after `after`) as PENDING rows with
        one INSERT … SELECT; the last contact id inserted, None when none were left."""
        chosen = (
            select(
                literal(campaign_id, Recipient.campaign_id.type),
                Contact.id,
                literal(self.workspace_id, Recipient.workspace_id.type),
                literal(RecipientStatus.PENDING.value),
            )
            .where(Contact.workspace_id == self.workspace_id, where)
            .order_by(Contact.id)
            .limit(size)
        )
        if after is not None:
            chosen = chosen.where(Contact.id > after)
        columns = ["campaign_id", "contact_id", "workspace_id", "status"]
        async with cached_plans(self.session):
            await self.session.execute(insert(Recipient).from_select(columns, chosen))
        last: uuid.UUID | None = await self.session.scalar(  # the primary key serves it
            select(Recipient.contact_id)
            .where(self._of(campaign_id))
            .order_by(Recipient.contact_id.desc())
            .limit(1)
        )
        return None if last == after else last

    async def claim(
        self, campaign_id: uuid.UUID, size: int, after: uuid.UUID | None = None
    ) -> Sequence[uuid.UUID]:
        """Takes up to `size` PENDING rows (in contact id order, after `after`) for this
        transaction and returns their contact ids; a rollback gives them back, so a crashed
        batch is simply pending again. The primary key serves the scan: status is not indexed
        (recording outcomes stays a HOT update), and `after` keeps a lane from re-reading the
        rows already sent.

        PostgreSQL: row locks, skipped by other batches (SKIP LOCKED); the rows are then
        updated once, with their outcome. SQLite serialises writers: the rows are marked
        SENDING so that a later statement of another batch cannot take them."""
        pending = (
            select(Recipient.contact_id)
            .where(self._of(campaign_id), Recipient.status == RecipientStatus.PENDING.value)
            .order_by(Recipient.contact_id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
        if after is not None:
            pending = pending.where(Recipient.contact_id > after)
        # Two statements: inlined in an UPDATE, PostgreSQL may re-run a LIMIT … SKIP LOCKED
        # subquery and claim more than `size` rows.
        picked = list(await self.session.scalars(pending))
        if not picked or is_postgres(self.session):
            return picked
        result = await self.session.execute(
            update(Recipient)
            .where(self._of(campaign_id), Recipient.contact_id.in_(picked))
            .where(Recipient.status == RecipientStatus.PENDING.value)
            .values(status=RecipientStatus.SENDING.value)
            .returning(Recipient.contact_id)
        )
        return sorted(result.scalars().all())

    async def record(self, campaign_id: uuid.UUID, outcomes: Sequence[dict[str, Any]]) -> None:
        """Each row's outcome (`contact_id` and the columns to set, the same for every row):
        on PostgreSQL one UPDATE joined to the outcomes unnested from one array per column,
        on SQLite an executemany UPDATE by primary key."""
        if not outcomes:
            return
        table = cast(Table, Recipient.__table__)
        columns = [name for name in outcomes[0] if name != "contact_id"]
        if is_postgres(self.session):
            await self.session.execute(self._record_unnested(table, campaign_id, outcomes))
            return
        statement = (
            update(table)
            .where(
                table.c.workspace_id == self.workspace_id,
                table.c.campaign_id == campaign_id,
                table.c.contact_id == bindparam("row_contact_id"),
            )
            .values({name: bindparam(f"row_{name}") for name in columns})
        )
        rows = [{f"row_{name}": value for name, value in outcome.items()} for outcome in outcomes]
        await self.session.execute(statement, rows)

    def _record_unnested(
        self, table: Table, campaign_id: uuid.UUID, outcomes: Sequence[dict[str, Any]]
    ) -> Update:
        names = list(outcomes[0])
        arrays = [
            bindparam(
                f"all_{name}",
                [outcome[name] for outcome in outcomes],
                type_=postgresql.ARRAY(table.c[name].type),
            )
            for name in names
        ]
        given = func.unnest(*arrays).table_valued(*names).render_derived().alias("given")
        return (
            update(table)
            .where(
                table.c.workspace_id == self.workspace_id,
                table.c.campaign_id == campaign_id,
                table.c.contact_id == given.c.contact_id,
            )
            .values({name: given.c[name] for name in names if name != "contact_id"})
        )

    async def get(self, campaign_id: uuid.UUID, contact_id: uuid.UUID) -> Recipient | None:
        """The row by its primary key, within this workspace only."""
        row = await self.session.get(Recipient, (campaign_id, contact_id))
        return row if row is not None and row.workspace_id == self.workspace_id else None

    async def stamp_first(
        self, row: Recipient, column: str, when: datetime, *, status: str | None = None
    ) -> bool:
        """Sets the row's `column` (`opened_at`...) to `when` unless it is set (or, given a
        `status`, unless the row is in another); whether this call set it. One conditional
        UPDATE, so of concurrent callers exactly one wins."""
        stamp = getattr(Recipient, column)
        where = and_(self._in_status(row.campaign_id, status), stamp.is_(None))
        return await self._update_row(row, where, {column: when})

    async def fail_sent(self, row: Recipient, reason: str) -> str | None:
        """Turns the row FAILED for `reason`, its delivery undone, if it is still SENT and not
        opened (an open proves receipt); which counter it left (`delivered` when a delivery
        had been reported, else `sent`), None when it did not change. Of concurrent callers
        one wins.

        On PostgreSQL the row is locked (SELECT … FOR UPDATE) before the decision, so that a
        delivery stamped by a transaction not yet committed is waited for and read: two
        conditional UPDATEs (delivered, then not) could each miss the row under READ
        COMMITTED and lose the bounce. SQLite has no row lock: there the UPDATE repeats the
        condition read, and a row changed in between is read again."""
        still_sent = and_(
            self._in_status(row.campaign_id, RecipientStatus.SENT.value),
            Recipient.contact_id == row.contact_id,
            Recipient.opened_at.is_(None),
        )
        failed = {"status": RecipientStatus.FAILED.value, "reason": reason, "delivered_at": None}
        while True:
            locked = await self.session.execute(
                select(Recipient.delivered_at).where(still_sent).with_for_update()
            )
            found = locked.one_or_none()
            if found is None:
                return None
            delivered = found.delivered_at is not None
            stamp = Recipient.delivered_at
            as_read = stamp.is_not(None) if delivered else stamp.is_(None)
            if await self._update_row(row, and_(still_sent, as_read), failed):
                return "delivered" if delivered else "sent"

    async def _update_row(
        self, row: Recipient, where: ColumnElement[bool], values: dict[str, Any]
    ) -> bool:
        result = await self.session.execute(
            update(Recipient)
            .where(where, Recipient.contact_id == row.contact_id)
            .values(values)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

    def _in_status(self, campaign_id: uuid.UUID, status: str | None) -> ColumnElement[bool]:
        where = self._of(campaign_id)
        return where if status is None else and_(where, Recipient.status == status)

    async def count(self, campaign_id: uuid.UUID, status: str | None = None) -> int:
        """The campaign's rows, or those in `status`."""
        where = self._in_status(campaign_id, status)
        total = await self.session.scalar(select(func.count()).select_from(Recipient).where(where))
        return int(total or 0)

    async def page(
        self, campaign_id: uuid.UUID, limit: int, offset: int, status: str | None = None
    ) -> tuple[Sequence[Recipient], int]:
        total = await self.count(campaign_id, status)
        where = self._in_status(campaign_id, status)
        rows = await self.session.scalars(
            select(Recipient)
            .where(where)
            .order_by(Recipient.contact_id)
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), total

    async def skip_pending(self, campaign_id: uuid.UUID, reason: str) -> None:
        """Every row still PENDING becomes SKIPPED for `reason`, but those a batch under way
        has claimed (locked, on PostgreSQL; SENDING on SQLite): that batch records what it
        sent. Waiting for it instead would deadlock, the caller holding the campaign's row,
        which the batch updates (its counters) before it commits."""
        pending = (
            select(Recipient.contact_id)
            .where(self._of(campaign_id), Recipient.status == RecipientStatus.PENDING.value)
            .with_for_update(skip_locked=True)
        )
        await self.session.execute(
            update(Recipient)
            .where(self._of(campaign_id), Recipient.contact_id.in_(pending.scalar_subquery()))
            .values(status=RecipientStatus.SKIPPED.value, reason=reason)
        )

    async def has_pending(self, campaign_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            select(Recipient.contact_id)
            .where(self._of(campaign_id), Recipient.status == RecipientStatus.PENDING.value)
            .limit(1)
        )
        return found is not None

    async def tallies(self, campaign_id: uuid.UUID) -> dict[str, int]:
        """The counters, computed from the rows in one aggregate query."""

        def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        row = (
            await self.session.execute(
                select(
                    func.count(),
                    counted(Recipient.status == RecipientStatus.SENT.value),
                    counted(Recipient.status == RecipientStatus.FAILED.value),
                    counted(Recipient.status == RecipientStatus.SKIPPED.value),
                    counted(Recipient.delivered_at.is_not(None)),
                    counted(Recipient.opened_at.is_not(None)),
                    counted(Recipient.clicked_at.is_not(None)),
                    counted(Recipient.unsubscribed_at.is_not(None)),
                ).where(self._of(campaign_id))
            )
        ).one()
        names = (
            "recipients", "sent", "failed", "skipped", "delivered", "opened", "clicked",
            "unsubscribed",
        )  # fmt: skip
        return dict(zip(names, (int(value) for value in row), strict=True))
