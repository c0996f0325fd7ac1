"""Tag names are found ignoring ASCII case, as the filters match them (`tags has vip` matches
`VIP`): every path that names a tag reuses the existing one, spelt as first created, instead of
making a second tag the filters cannot tell apart."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from kindred.contacts import tags
from kindred.contacts.models import Tag
from kindred.contacts.repository import TagRepository
from kindred.core.db.session import Database
from tests.factories import Actor, signup


async def _tag_names(actor: Actor) -> list[str]:
    return [tag["name"] for tag in (await actor.client.get("/api/tags")).json()]


async def test_contact_tags_naming_a_tag_in_another_case_reuse_it(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post("/api/contacts", json={"firstName": "A", "tags": ["VIP"]})
    created = await owner.client.post("/api/contacts", json={"firstName": "B", "tags": ["vip"]})
    assert created.json()["tags"] == ["VIP"]
    path = f"/api/contacts/{created.json()['id']}"
    updated = await owner.client.put(path, json={"tags": ["vIP", "Gold"]})
    assert updated.json()["tags"] == ["Gold", "VIP"]
    assert await _tag_names(owner) == ["Gold", "VIP"]


async def test_new_tag_names_differing_only_in_case_make_one_tag(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post(
        "/api/contacts", json={"firstName": "A", "tags": ["Gold", "gold", "GOLD"]}
    )
    assert created.json()["tags"] == ["Gold"]
    assert await _tag_names(owner) == ["Gold"]


async def test_an_import_naming_a_tag_in_another_case_tags_with_the_existing_one(
    app: FastAPI,
) -> None:
    owner = await signup(app)
    await owner.client.post("/api/tags", json={"name": "VIP"})
    imported = await owner.client.post(
        "/api/contacts/import",
        json={"rows": [{"E-mail": "a@example.com"}], "constantValues": {"_tags": ["vip"]}},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 1
    listed = (await owner.client.get("/api/contacts", params={"tags": "VIP"})).json()
    assert [contact["email"] for contact in listed["contacts"]] == ["a@example.com"]
    assert await _tag_names(owner) == ["VIP"]


async def test_creating_a_tag_that_differs_only_in_case_is_a_409(app: FastAPI) -> None:
    owner = await signup(app)
    assert (await owner.client.post("/api/tags", json={"name": "VIP"})).status_code == 201
    again = await owner.client.post("/api/tags", json={"name": "vip"})
    assert again.status_code == 409, again.text
    assert await _tag_names(owner) == ["VIP"]


async def test_a_tag_may_be_renamed_to_another_case_of_its_own_name(app: FastAPI) -> None:
    owner = await signup(app)
    tag = (await owner.client.post("/api/tags", json={"name": "VIP"})).json()
    renamed = await owner.client.put(f"/api/tags/{tag['id']}", json={"name": "Vip"})
    assert renamed.status_code == 200, renamed.text
    assert await _tag_names(owner) == ["Vip"]


async def test_listing_contacts_by_tag_ignores_case(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post("/api/contacts", json={"firstName": "A", "tags": ["VIP"]})
    listed = (await owner.client.get("/api/contacts", params={"tags": "vip"})).json()
    assert [contact["firstName"] for contact in listed["contacts"]] == ["A"]


async def test_the_database_refuses_a_second_tag_differing_only_in_case(
    app: FastAPI, database: Database
) -> None:
    owner = await signup(app)
    await owner.client.post("/api/tags", json={"name": "VIP"})
    with pytest.raises(IntegrityError):
        async with database.session_scope() as session:
            await TagRepository(session, uuid.UUID(owner.workspace_id)).add(Tag(name="vip"))
    assert await _tag_names(owner) == ["VIP"]


def _rival_created_after_lookup(
    monkeypatch: pytest.MonkeyPatch, database: Database, name: str
) -> None:
    """Commits a tag named `name` from another unit of work just after the next tag lookup,
    as a concurrent request would between this one's lookup and its insert."""
    lookup = TagRepository.by_names

    async def lookup_then_rival(self: TagRepository, names: Sequence[str]) -> dict[str, Tag]:
        found = await lookup(self, names)
        monkeypatch.setattr(TagRepository, "by_names", lookup)
        async with database.session_scope() as rival:
            await TagRepository(rival, self.workspace_id).add(Tag(name=name))
        return found

    monkeypatch.setattr(TagRepository, "by_names", lookup_then_rival)


async def test_a_tag_created_meanwhile_in_another_case_is_the_one_ensure_tags_returns(
    app: FastAPI, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    workspace_id = uuid.UUID(owner.workspace_id)
    _rival_created_after_lookup(monkeypatch, database, "VIP")
    async with database.session_scope() as session:
        (tag,) = await tags.ensure_tags(session, workspace_id, ["vip"])
        (gold,) = await tags.ensure_tags(session, workspace_id, ["Gold"])  # the session goes on
    assert (tag.name, gold.name) == ("VIP", "Gold")
    assert await _tag_names(owner) == ["Gold", "VIP"]


async def test_creating_a_tag_made_meanwhile_in_another_case_is_a_409(
    app: FastAPI, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    _rival_created_after_lookup(monkeypatch, database, "VIP")
    created = await owner.client.post("/api/tags", json={"name": "vip"})
    assert created.status_code == 409, created.text
    assert await _tag_names(owner) == ["VIP"]


async def test_renaming_to_a_name_taken_meanwhile_in_another_case_is_a_409(
    app: FastAPI, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    gold = (await owner.client.post("/api/tags", json={"name": "Gold"})).json()
    _rival_created_after_lookup(monkeypatch, database, "VIP")
    renamed = await owner.client.put(f"/api/tags/{gold['id']}", json={"name": "vip"})
    assert renamed.status_code == 409, renamed.text
    assert await _tag_names(owner) == ["Gold", "VIP"]
