"""`GET /api/contacts?filter=`: the segments filter language on the contacts list."""

from __future__ import annotations

import json

from fastapi import FastAPI

from tests.factories import Actor, signup


async def make_contacts(owner: Actor) -> dict[str, str]:
    ids = {}
    for first, tags, score in (("Ada", ["VIP"], 90), ("Bob", ["Lead"], 40), ("Cy", [], None)):
        body: dict[str, object] = {"firstName": first, "tags": tags}
        if score is not None:
            body["customFields"] = {"score": score}
        response = await owner.client.post("/api/contacts", json=body)
        assert response.status_code == 201, response.text
        ids[first] = response.json()["id"]
    return ids


async def listed(owner: Actor, filter_: object) -> set[str]:
    response = await owner.client.get(
        "/api/contacts", params={"filter": json.dumps(filter_), "limit": 200}
    )
    assert response.status_code == 200, response.text
    return {contact["id"] for contact in response.json()["contacts"]}


async def test_the_list_narrows_to_contacts_matching_the_filter(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post(
        "/api/fields",
        json={"name": "score", "label": "Score", "fieldType": "number", "sortOrder": 0},
    )
    ids = await make_contacts(owner)
    vip = {"match": "all", "conditions": [{"field": "tags", "operator": "has", "value": "VIP"}]}
    assert await listed(owner, vip) == {ids["Ada"]}
    high = {
        "match": "any",
        "conditions": [
            {"field": "customFields.score", "operator": "gte", "value": 50},
            {"field": "firstName", "operator": "eq", "value": "cy"},
        ],
    }
    assert await listed(owner, high) == {ids["Ada"], ids["Cy"]}


async def test_the_total_counts_only_matching_contacts(app: FastAPI) -> None:
    owner = await signup(app)
    await make_contacts(owner)
    condition = {"field": "tags", "operator": "has", "value": "Lead"}
    response = await owner.client.get(
        "/api/contacts",
        params={"filter": json.dumps({"match": "all", "conditions": [condition]}), "tags": "Lead"},
    )
    assert response.json()["total"] == 1


async def test_malformed_filter_json_is_a_400(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.get("/api/contacts", params={"filter": "{not json"})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "filter"


async def test_an_unknown_field_is_a_400_naming_the_condition(app: FastAPI) -> None:
    owner = await signup(app)
    bad = {"match": "all", "conditions": [{"field": "shoeSize", "operator": "eq", "value": 9}]}
    response = await owner.client.get("/api/contacts", params={"filter": json.dumps(bad)})
    assert response.status_code == 400
    assert "conditions[0]" in json.dumps(response.json()["details"])


async def test_an_export_with_an_unknown_sort_is_a_400_before_streaming(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.get("/api/contacts/export", params={"sort": "password"})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "sort"


async def test_empty_crm_ids_do_not_collide(app: FastAPI) -> None:
    owner = await signup(app)
    for name in ("Ann", "Ben"):
        response = await owner.client.post(
            "/api/contacts", json={"firstName": name, "crmId": "", "crmSource": ""}
        )
        assert response.status_code == 201, response.text
        assert response.json()["crmId"] is None


async def test_out_of_range_numbers_are_400s(app: FastAPI) -> None:
    owner = await signup(app)
    field = await owner.client.post(
        "/api/fields",
        json={"name": "big", "label": "Big", "fieldType": "number", "sortOrder": 2**40},
    )
    company = await owner.client.post("/api/companies", json={"name": "X", "dealValue": 10**400})
    assert (field.status_code, company.status_code) == (400, 400)


async def test_an_export_with_a_malformed_filter_is_a_400_before_streaming(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.get("/api/contacts/export", params={"filter": ":"})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "filter"
