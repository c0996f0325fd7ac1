"""Pipelines: the default one per workspace, admin-managed custom pipelines and stages."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup
from tests.pipeline_helpers import make_deal

DEFAULT_KEYS = ["LEAD", "QUALIFIED", "PROPOSAL", "NEGOTIATION", "CLOSED_WON", "CLOSED_LOST"]


async def test_every_workspace_gets_the_default_pipeline(app: FastAPI) -> None:
    owner = await signup(app)
    pipelines = (await owner.client.get("/api/pipelines")).json()["pipelines"]
    assert len(pipelines) == 1
    assert pipelines[0]["isDefault"] is True
    stages = pipelines[0]["stages"]
    assert [stage["key"] for stage in stages] == DEFAULT_KEYS
    assert [stage["probability"] for stage in stages] == [10, 25, 50, 75, 100, 0]


async def test_admin_creates_a_pipeline_and_deals_use_its_stages(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post(
        "/api/pipelines",
        json={
            "name": "Renewals",
            "stages": [
                {"key": "due", "probability": 50},
                {"key": "RENEWED", "probability": 100, "kind": "won"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    pipeline = created.json()
    assert [stage["key"] for stage in pipeline["stages"]] == ["DUE", "RENEWED"]
    deal = await make_deal(owner, pipelineId=pipeline["id"], stage="RENEWED")
    assert deal["closedAt"] is not None
    assert (await owner.client.get(f"/api/pipelines/{pipeline['id']}")).status_code == 200


async def test_members_cannot_manage_pipelines(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    body = {"name": "Mine", "stages": [{"key": "ONE"}]}
    assert (await member.client.post("/api/pipelines", json=body)).status_code == 403
    assert (await member.client.get("/api/pipelines")).status_code == 200


async def test_duplicate_name_is_409(app: FastAPI) -> None:
    owner = await signup(app)
    body = {"name": "Sales Pipeline", "stages": [{"key": "ONE"}]}
    assert (await owner.client.post("/api/pipelines", json=body)).status_code == 409


async def test_add_stage_appends_it(app: FastAPI) -> None:
    owner = await signup(app)
    default = (await owner.client.get("/api/pipelines")).json()["pipelines"][0]
    added = await owner.client.post(
        f"/api/pipelines/{default['id']}/stages", json={"key": "ON_HOLD", "probability": 5}
    )
    assert added.status_code == 201
    assert added.json()["stages"][-1]["key"] == "ON_HOLD"
    again = await owner.client.post(f"/api/pipelines/{default['id']}/stages", json={"key": "LEAD"})
    assert again.status_code == 409


async def test_default_and_used_pipelines_cannot_be_deleted(app: FastAPI) -> None:
    owner = await signup(app)
    default = (await owner.client.get("/api/pipelines")).json()["pipelines"][0]
    assert (await owner.client.delete(f"/api/pipelines/{default['id']}")).status_code == 409
    spare = await owner.client.post(
        "/api/pipelines", json={"name": "Spare", "stages": [{"key": "ONE"}]}
    )
    deleted = await owner.client.delete(f"/api/pipelines/{spare.json()['id']}")
    assert deleted.status_code == 200


async def test_making_another_pipeline_the_default(app: FastAPI) -> None:
    owner = await signup(app)
    other = await owner.client.post(
        "/api/pipelines", json={"name": "Other", "stages": [{"key": "ONE"}]}
    )
    patched = await owner.client.patch(
        f"/api/pipelines/{other.json()['id']}", json={"isDefault": True, "name": "Main"}
    )
    assert (patched.json()["isDefault"], patched.json()["name"]) == (True, "Main")
    pipelines = (await owner.client.get("/api/pipelines")).json()["pipelines"]
    assert [p["name"] for p in pipelines if p["isDefault"]] == ["Main"]


async def test_another_workspaces_pipeline_is_404(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    default = (await owner.client.get("/api/pipelines")).json()["pipelines"][0]
    path = f"/api/pipelines/{default['id']}"
    assert (await stranger.client.get(path)).status_code == 404
    assert (await stranger.client.patch(path, json={"name": "Hijack"})).status_code == 404
    assert (await stranger.client.post(f"{path}/stages", json={"key": "X"})).status_code == 404
    assert (await stranger.client.delete(path)).status_code == 404
