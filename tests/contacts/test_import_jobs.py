"""Background imports: chunk-by-chunk progress, resume after a crash, error row numbers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from kindred.contacts import importer
from kindred.contacts.tasks import run_import
from kindred.core.db.session import Database
from kindred.core.jobs.runtime import JobRuntime
from tests.factories import Actor, signup


class InjectedCrash(RuntimeError):
    pass


async def _queue(owner: Actor, rows: list[dict[str, Any]]) -> str:
    queued = await owner.client.post("/api/contacts/import", json={"rows": rows})
    assert queued.status_code == 202, queued.text
    job_id: str = queued.json()["jobId"]
    return job_id


async def _run(database: Database, owner: Actor, job_id: str, chunk_size: int) -> None:
    async with database.session_scope() as session:
        await run_import(
            session, workspace=owner.workspace_id, job_id=job_id, chunk_size=chunk_size
        )


@pytest.fixture(autouse=True)
def small_background_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BACKGROUND_ABOVE", 5)


async def test_crashed_import_shows_committed_progress_and_resumes_without_duplicates(
    app: FastAPI, database: Database, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    # Names only: a chunk imported twice would show up as extra contacts.
    job_id = await _queue(owner, [{"firstName": f"Row{n}"} for n in range(12)])
    write = importer.BatchWriter.write
    calls = 0

    async def crash_on_third_chunk(self: importer.BatchWriter, *args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise InjectedCrash
        await write(self, *args)

    monkeypatch.setattr(importer.BatchWriter, "write", crash_on_third_chunk)
    with pytest.raises(InjectedCrash):
        await _run(database, owner, job_id, chunk_size=5)
    progress = (await owner.client.get(f"/api/contacts/import/{job_id}")).json()
    listed = (await owner.client.get("/api/contacts")).json()
    assert (progress["status"], progress["processed"], progress["total"]) == ("running", 10, 12)
    assert progress["result"]["created"] == 10
    assert listed["total"] == 10

    monkeypatch.setattr(importer.BatchWriter, "write", write)
    assert await jobs.runner.run_due() == 1  # the queued job, retried by the job system
    done = (await owner.client.get(f"/api/contacts/import/{job_id}")).json()
    listed = (await owner.client.get("/api/contacts", params={"limit": 50})).json()
    assert (done["status"], done["processed"], done["result"]["created"]) == ("completed", 12, 12)
    assert sorted(c["firstName"] for c in listed["contacts"]) == sorted(
        f"Row{n}" for n in range(12)
    )


async def test_background_import_numbers_errors_across_chunks(
    app: FastAPI, database: Database
) -> None:
    owner = await signup(app)
    rows: list[dict[str, Any]] = [{"email": f"ok{n}@example.com"} for n in range(9)]
    rows[6] = {"email": "not-an-email"}
    job_id = await _queue(owner, rows)
    await _run(database, owner, job_id, chunk_size=4)
    done = (await owner.client.get(f"/api/contacts/import/{job_id}")).json()
    assert done["result"]["errors"] == [{"row": 7, "error": "Invalid email format"}]
    assert (done["result"]["created"], done["result"]["failed"]) == (8, 1)


async def test_finished_import_run_again_changes_nothing(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    job_id = await _queue(owner, [{"firstName": f"Once{n}"} for n in range(6)])
    await _run(database, owner, job_id, chunk_size=4)
    await _run(database, owner, job_id, chunk_size=4)
    listed = (await owner.client.get("/api/contacts", params={"search": "once"})).json()
    assert listed["total"] == 6
