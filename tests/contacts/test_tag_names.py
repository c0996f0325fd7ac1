"""Tag names are found ignoring ASCII case, as the filters match them (`tags has vip` matches
`VIP`): every path that names a tag reuses the existing one, spelt as first created, instead of
making a second tag the filters cannot tell apart."""

from __future__ import annotations

from fastapi import FastAPI

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
