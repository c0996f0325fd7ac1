"""A tenant for the matrices: a workspace with an admin (cookie and API key), a member and a
viewer, and one object per registered case, all made through the API."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI

from tests.factories import Actor, signup
from tests.safety.registry import ObjectCase, Params, Registry


@dataclass
class Tenant:
    admin: Actor
    key_client: httpx.AsyncClient
    member: Actor
    viewer: Actor
    objects: dict[ObjectCase, Params] = field(default_factory=dict)

    @property
    def workspace_id(self) -> str:
        return self.admin.workspace_id

    def ids(self) -> set[str]:
        """Every id this tenant owns that must never show up in another tenant's responses."""
        found = {self.workspace_id}
        for params in self.objects.values():
            found |= set(params.values())
        return found

    async def close(self) -> None:
        for client in (self.key_client, self.admin.client, self.member.client):
            await client.aclose()
        await self.viewer.client.aclose()


async def make_tenant(app: FastAPI, registry: Registry, name: str) -> Tenant:
    admin = await signup(app, business=name)
    key_client, _ = await admin.api_key_client()
    tenant = Tenant(
        admin=admin,
        key_client=key_client,
        member=await admin.add_member("member"),
        viewer=await admin.add_member("viewer"),
    )
    for case in registry.cases:
        tenant.objects[case] = await case.create(tenant)
    return tenant
