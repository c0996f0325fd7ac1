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


class StepInterrupted(Exception):
    """Not kindred's StepInterrupted: a job's error text (`Kind: message`) reads as its."""


# Errors raised outside any step whose text reads like a step's interruption: a parser of the
# job's error text (the give-up before it got the exception) took them for the step they name.
LOOKALIKES = [
    ConnectionError("StepInterrupted: step 3 (SEND_SMS): StepInterrupted: step 7 (WEBHOOK): x"),
    StepInterrupted("step 3 (SEND_SMS): boom"),
]


@pytest.mark.parametrize("error", LOOKALIKES, ids=lambda error: type(error).__name__)
async def test_an_error_outside_any_step_fails_the_run_without_a_step_record(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    async def unreachable(*_args: Any) -> None:
        raise error

    monkeypatch.setattr(runner, "_context", unreachable)
    actor = await signup(app)
    workflow = await make_workflow(actor, actions=[{"type": "ADD_TAG", "config": {"tag": "x"}}])
    await make_contact(actor)
    await settle_through_retries(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["steps"] == []
    kind = type(error).__name__
    assert (run["status"], run["error"]) == (
        "FAILED",
        f"Stopped by an unexpected error ({kind}) after every retry; see the server log",
    )
