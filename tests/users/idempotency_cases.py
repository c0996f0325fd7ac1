"""Idempotency route-table entries for members and workspaces."""

from tests.factories import PASSWORD, Actor, unique_email
from tests.idempotency_registry import Call, Case


async def add_member(_actor: Actor) -> Call:
    body = {"email": unique_email("member"), "name": "M", "password": PASSWORD, "role": "member"}
    return Call("/api/users", body)


async def create_workspace(_actor: Actor) -> Call:
    return Call("/api/workspaces", {"name": "Second brand"})


CASES: dict[str, Case] = {"/api/users": add_member, "/api/workspaces": create_workspace}
