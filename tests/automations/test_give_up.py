"""A run whose job fails every attempt: its give-up reads the failing step from the exception."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from kindred.automations import runner
from kindred.automations.actions import ACTIONS
from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle_through_retries, tags_of
from tests.factories import signup
from tests.messaging.helpers import make_contact

# A cause whose text reads like another step's interruption.
MISLEADING = "step 3 (SEND_SMS): StepInterrupted: step 7 (WEBHOOK): timed out"


async def test_a_step_failing_its_last_attempt_is_recorded_with_its_own_position_and_cause(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(_step: Any, _config: dict[str, Any]) -> dict[str, Any]:
        raise TimeoutError(MISLEADING)

    monkeypatch.setitem(ACTIONS, "SET_FIELD", unreachable)
    actor = await signup(app)
    actions = [
        {"type": "ADD_TAG", "config": {"tag": "undone"}},
        {"type": "SET_FIELD", "config": {"field": "company", "value": "Acme"}},
    ]
    workflow = await make_workflow(actor, actions=actions)
    contact = await make_contact(actor)
    await settle_through_retries(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["status"], run["error"]) == ("FAILED", "Step 2 (SET_FIELD) failed")
    (step,) = run["steps"]
    assert (step["position"], step["type"], step["status"]) == (1, "SET_FIELD", "FAILED")
    assert step["error"] == (
        "Stopped by an unexpected error (TimeoutError) after every retry; see the server log"
    )
    assert await tags_of(actor, contact["id"]) == []


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
