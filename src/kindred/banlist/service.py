"""The banlist: add, list (cursor pages), remove, and the match the consent gate asks for.

Emails are matched lowercased and validated, phones in E.164, so `+1 (555) 123-4567` and
`+15551234567` are the same entry."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.banlist.models import Banned
from kindred.banlist.repository import BannedRepository
from kindred.contacts.values import normalise_email, normalise_phone
from kindred.core.errors import ValidationFailed


class InvalidCursor(ValidationFailed):
    code = "INVALID_CURSOR"
    message = "Invalid cursor"


@dataclass(frozen=True)
class BanPage:
    rows: Sequence[Banned]
    next_cursor: str | None


async def ban(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    email: str | None,
    phone: str | None,
    reason: str | None,
    message_got: str | None = None,
) -> Banned:
    """Adds an entry (an address already banned returns its existing entry)."""
    email, phone = normalise_email(email), normalise_phone(phone)
    if email is None and phone is None:
        raise ValidationFailed(
            details=[{"field": "email", "message": "email or phone is required"}]
        )
    repository = BannedRepository(session, workspace_id)
    existing = await repository.matching([email] if email else [], [phone] if phone else [])
    if existing is not None and (existing.email, existing.phone) == (email, phone):
        return existing
    return await repository.add(
        Banned(email=email, phone=phone, reason=reason, message_got=message_got)
    )


async def unban(session: AsyncSession, workspace_id: uuid.UUID, ban_id: uuid.UUID) -> None:
    repository = BannedRepository(session, workspace_id)
    await repository.delete(await repository.get_or_404(ban_id))


async def banned_entry(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    emails: Sequence[str | None] = (),
    phones: Sequence[str | None] = (),
) -> Banned | None:
    """The entry banning any of these addresses (given normalised), if one does."""
    return await BannedRepository(session, workspace_id).matching(
        [e for e in emails if e], [p for p in phones if p]
    )


async def banned_among(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    emails: Sequence[str | None] = (),
    phones: Sequence[str | None] = (),
) -> set[str]:
    """Which of these addresses (given normalised) are banned, in one query."""
    return await BannedRepository(session, workspace_id).banned_among(emails, phones)


def _cursor(sort_by: str, row: Banned) -> str:
    key = (row.email or "") if sort_by == "email" else ""
    raw = json.dumps([key, str(row.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str | None) -> tuple[str, uuid.UUID] | None:
    if not cursor:
        return None
    try:
        key, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return str(key), uuid.UUID(str(last_id))
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidCursor() from error


async def list_banned(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
    sort_by: str,
    descending: bool,
) -> BanPage:
    repository = BannedRepository(session, workspace_id)
    statement = repository.sorted_after(sort_by, descending, _after(cursor))
    rows = list(await repository.all(statement.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return BanPage(rows=rows, next_cursor=_cursor(sort_by, rows[-1]) if more else None)
