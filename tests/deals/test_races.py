"""Concurrent writes on one deal or pipeline: each waits for or is refused by the other,
never a 500 nor a history that forgets a move."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from tests.factories import Actor, signup
from tests.pipeline_helpers import make_deal


async def test_concurrent_stage_moves_each_start_from_the_stage_the_last_left(
    app: FastAPI,
) -> None:
    owner = await signup(app)
    deal = await make_deal(owner, stage="LEAD")
    path = f"/api/deals/{deal['id']}/stage"
    targets = ["QUALIFIED", "PROPOSAL", "NEGOTIATION", "CLOSED_WON"]
    moves = await asyncio.gather(*(owner.client.patch(path, json={"stage": s}) for s in targets))
    assert [move.status_code for move in moves] == [200] * 4
    history = (await owner.client.get(f"/api/deals/{deal['id']}/history")).json()["history"]
    steps = [(h["fromStage"], h["toStage"]) for h in history]
    assert [to for _, to in steps[:-1]] == [start for start, _ in steps[1:]]
    final = (await owner.client.get(f"/api/deals/{deal['id']}")).json()["stage"]
    assert steps[-1][1] == final


async def test_deleting_a_pipeline_as_a_deal_enters_it_refuses_one_of_them(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post(
        "/api/pipelines", json={"name": "Partners", "stages": [{"key": "INTRO"}]}
    )
    pipeline_id = created.json()["id"]
    deleted, entered = await asyncio.gather(
        owner.client.delete(f"/api/pipelines/{pipeline_id}"),
        owner.client.post("/api/deals", json={"title": "New", "pipelineId": pipeline_id}),
    )
    outcome = (deleted.status_code, entered.status_code)
    assert outcome in {(200, 404), (409, 201)}, (deleted.text, entered.text)
    pipeline = await owner.client.get(f"/api/pipelines/{pipeline_id}")
    deals = (await owner.client.get(f"/api/deals?pipelineId={pipeline_id}")).json()["total"]
    assert (pipeline.status_code, deals) == ((404, 0) if deleted.status_code == 200 else (200, 1))


async def test_one_stage_key_added_concurrently_is_added_once(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post(
        "/api/pipelines", json={"name": "Partners", "stages": [{"key": "INTRO"}]}
    )
    path = f"/api/pipelines/{created.json()['id']}/stages"
    added = await asyncio.gather(*(owner.client.post(path, json={"key": "DEMO"}) for _ in range(3)))
    assert sorted(response.status_code for response in added) == [201, 409, 409]
    stages = (await owner.client.get(path.removesuffix("/stages"))).json()["stages"]
    assert [stage["key"] for stage in stages] == ["INTRO", "DEMO"]


async def two_pipelines(owner: Actor) -> list[str]:
    """The ids of two new pipelines, Partners and Resellers, beside the default one."""
    ids = []
    for name in ("Partners", "Resellers"):
        created = await owner.client.post(
            "/api/pipelines", json={"name": name, "stages": [{"key": "INTRO"}]}
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    return ids


async def test_two_pipelines_renamed_alike_at_once_keep_distinct_names(app: FastAPI) -> None:
    owner = await signup(app)
    ids = await two_pipelines(owner)
    renamed = await asyncio.gather(
        *(owner.client.patch(f"/api/pipelines/{id_}", json={"name": "Channel"}) for id_ in ids)
    )
    assert sorted(response.status_code for response in renamed) == [200, 409]
    names = [p["name"] for p in (await owner.client.get("/api/pipelines")).json()["pipelines"]]
    assert (len(names), names.count("Channel")) == (3, 1)


async def test_two_pipelines_made_default_at_once_leave_one_default(app: FastAPI) -> None:
    owner = await signup(app)
    ids = await two_pipelines(owner)
    made = await asyncio.gather(
        *(owner.client.patch(f"/api/pipelines/{id_}", json={"isDefault": True}) for id_ in ids)
    )
    assert [response.status_code for response in made] == [200, 200]
    pipelines = (await owner.client.get("/api/pipelines")).json()["pipelines"]
    assert [p["isDefault"] for p in pipelines].count(True) == 1
