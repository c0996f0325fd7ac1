"""Roles per workspace and what each may do.

A permission is `<area>:<level>`; viewers hold every `read`, members every `read` and
`write`, admins everything (`admin` covers keys, users, settings and other admin-only routes).
Platform admins act as admins in every workspace and alone hold `platform:admin`.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class Permission(StrEnum):
    WORKSPACE_READ = "workspace:read"
    WORKSPACE_WRITE = "workspace:write"
    WORKSPACE_ADMIN = "workspace:admin"
    CONTACTS_READ = "contacts:read"
    CONTACTS_WRITE = "contacts:write"
    CONTACTS_ADMIN = "contacts:admin"
    PIPELINE_READ = "pipeline:read"
    PIPELINE_WRITE = "pipeline:write"
    PIPELINE_ADMIN = "pipeline:admin"
    AUTOMATIONS_READ = "automations:read"
    AUTOMATIONS_WRITE = "automations:write"
    AUTOMATIONS_ADMIN = "automations:admin"
    PLATFORM_ADMIN = "platform:admin"

    @property
    def level(self) -> str:
        return self.value.split(":", 1)[1]


_LEVELS_BY_ROLE: dict[Role, frozenset[str]] = {
    Role.VIEWER: frozenset({"read"}),
    Role.MEMBER: frozenset({"read", "write"}),
    Role.ADMIN: frozenset({"read", "write", "admin"}),
}


def role_allows(role: Role, permission: Permission, *, platform_admin: bool = False) -> bool:
    if permission is Permission.PLATFORM_ADMIN:
        return platform_admin
    if platform_admin:
        return True
    return permission.level in _LEVELS_BY_ROLE[role]
