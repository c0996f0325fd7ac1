"""A run whose job fails every attempt: its give-up reads the failing step from the exception."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from kindred.automations import runner
from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle_through_retries
from tests.factories import signup
from tests.messaging.helpers import make_contact

# A cause whose text reads like another step's interruption.
MISLEADING = "step 3 (SEND_SMS): StepInterrupted: step 7 (WEBHOOK): timed out"


async def test_an_error_outside_any_step_fails_the_run_without_a_step_record(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(*_args: Any) -> None:
        raise ConnectionError(f"StepInterrupted: {MISLEADING}")

    monkeypatch.setattr(runner, "_context", unreachable)
    actor = await signup(app)
    workflow = await make_workflow(actor, actions=[{"type": "ADD_TAG", "config": {"tag": "x"}}])
    await make_contact(actor)
    await settle_through_retries(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["steps"] == []
    assert (run["status"], run["error"]) == (
        "FAILED",
        "Stopped by an unexpected error (ConnectionError) after every retry; see the server log",
    )
