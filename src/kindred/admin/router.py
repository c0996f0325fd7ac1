"""Platform-admin routes (document 000 `/api/admin/...`)."""

from __future__ import annotations

from fastapi import APIRouter

from kindred.admin.stats import stats_for
from kindred.core.db.session import DbSession
from kindred.core.deps import PlatformAdmin
from kindred.core.schemas import PageMeta, Paging
from kindred.users import service as users
from kindred.users.schemas import PlatformUserList, PlatformUserRead, UserStats

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get(
    "/users", response_model=PlatformUserList, summary="Every user on the platform, with stats"
)
async def list_all_users(_: PlatformAdmin, session: DbSession, paging: Paging) -> PlatformUserList:
    found, total = await users.all_users(session, paging.offset, paging.limit)
    stats = await stats_for(session, [user.id for user in found])
    return PlatformUserList.model_validate(
        {
            "users": [
                PlatformUserRead(
                    id=user.id,
                    email=user.email,
                    name=user.name,
                    role="ADMIN" if user.is_platform_admin else "USER",
                    created_at=user.created_at,
                    stats=UserStats(**stats[user.id]),
                )
                for user in found
            ],
            **PageMeta.of(paging, total),
        }
    )
