"""The WEBHOOK action: a Standard Webhooks-signed POST to the user's URL, with retries.

The run queues the step with its JSON body; `automations.deliver_webhook` posts it through
the guarded client (no private or metadata targets) signed with the workflow's secret, the
step id as `webhook-id` (receivers deduplicate by it). A failed attempt is recorded on the
step and retried with backoff up to `MAX_ATTEMPTS`, then the step is FAILED.

A delivery (first or retried) whose workflow was deactivated since its run started is not sent:
like the run's own steps after a deactivation, even when the workflow was set ACTIVE again
meanwhile (a run belongs to the activation it started under). The step ends STOPPED, saying
why, and so does its run if it had COMPLETED; a run still going stops at its next step.

`config.url` is a template over its path and query only: its scheme, host and port are literal
(checked when the workflow is saved), so a contact's data never chooses where the request goes,
and each `{{ … }}` renders percent-encoded, so a value cannot add a path segment, a parameter or
a fragment either. The URL is rendered when the step is queued and delivered as rendered; the
guarded client checks that URL (no private or metadata targets) at every attempt.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.actions import ActionFailed
from kindred.automations.errors import internal_failure
from kindred.automations.models import RunStatus, Workflow, WorkflowRunStep
from kindred.automations.repository import RunRepository
from kindred.contacts.events import contact_data
from kindred.core.db import utcnow
from kindred.core.http import GuardedHttpClient, OutboundRequestFailed, UnsafeUrl
from kindred.core.jobs import enqueue
from kindred.providers.standard_webhooks import headers_for
from kindred.settings import Settings

if TYPE_CHECKING:
    from kindred.automations.actions import StepContext

DELIVER_TASK = "automations.deliver_webhook"
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(seconds=30)
DEACTIVATED = "Stopped: the workflow was deactivated before this webhook was delivered"
# scheme://authority, then the path, query and fragment: the only part templates render into.
URL_PARTS = re.compile(r"(https?://)([^/?#]*)(.*)", re.DOTALL)
# The rest splits into literal text and `{{ … }}` values (at odd indexes).
VALUE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
# What would be template syntax left in the literal text: blocks, comments, stray braces.
SYNTAX = ("{{", "}}", "{%", "{#")


def url_template(url: str) -> tuple[str, list[str]]:
    """(the literal `scheme://host:port`, the rest as literal text and `{{ … }}` values in
    turn); ActionFailed when the URL is no http(s) URL with a host, holds a template in its
    scheme, host or port, or template syntax other than `{{ … }}` values."""
    matched = URL_PARTS.fullmatch(url)
    if matched is None:
        raise ActionFailed("The URL must start with https://")
    scheme, authority, rest = matched.groups()
    if "{" in authority or "}" in authority:
        raise ActionFailed(
            "Templates go in the URL's path or query: its scheme, host and port are fixed"
        )
    _check_origin(scheme + authority)
    parts = VALUE.split(rest)
    if any(mark in literal for literal in parts[::2] for mark in SYNTAX):
        raise ActionFailed("A URL's templates are {{ … }} values only (no blocks or comments)")
    return scheme + authority, parts


def _check_origin(origin: str) -> None:
    """A host, without credentials, and a port if any that is one (`https://[::1`,
    `https://host:99999` would fail every delivery)."""
    try:
        parts = urlsplit(origin)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ActionFailed("The URL's host or port is not valid") from None
    if not host or parts.username is not None or port == 0:
        raise ActionFailed("The URL needs a host and no credentials")


def target_url(context: StepContext, url: str) -> str:
    """The URL with each `{{ … }}` value rendered for the run's contact and percent-encoded
    (`/` and `@` included): only the path and query change."""
    origin, parts = url_template(url)
    rendered = [
        quote(context.render("{{" + part + "}}"), safe="") if index % 2 else part
        for index, part in enumerate(parts)
    ]
    return origin + "".join(rendered)


def payload(context: StepContext, config: dict[str, Any]) -> dict[str, Any]:
    """What the receiver gets: the workflow, the run, the contact and the rendered `data`."""
    data = {
        key: context.render(value) if isinstance(value, str) else value
        for key, value in (config.get("data") or {}).items()
    }
    return {
        "type": "workflow.webhook",
        "workflowId": str(context.workflow.id),
        "runId": str(context.run.id),
        "contact": contact_data(context.contact) if context.contact else None,
        "data": data,
    }


async def start(
    context: StepContext, config: dict[str, Any], step: WorkflowRunStep
) -> dict[str, Any]:
    """Queues the step's delivery; its output: the rendered URL and body it is delivered with
    (the workflow may change before it is)."""
    url = target_url(context, str(config.get("url") or ""))
    body = json.dumps(payload(context, config), separators=(",", ":"))
    await queue(context.session, step)
    return {"url": url, "attempts": 0, "body": body}


async def queue(session: AsyncSession, step: WorkflowRunStep, **when: Any) -> None:
    """Schedules the delivery of a QUEUED step (its body is in `output["body"]`)."""
    await enqueue(
        session,
        DELIVER_TASK,
        workspace_id=step.workspace_id,
        workspace=str(step.workspace_id),
        step=str(step.id),
        **when,
    )


async def deliver(
    session: AsyncSession, settings: Settings, workspace_id: uuid.UUID, step_id: uuid.UUID
) -> None:
    runs = RunRepository(session, workspace_id)
    step = await runs.step(step_id)
    if step is None or step.status != "QUEUED":
        return
    run = await runs.get(step.run_id)
    workflow = await session.get(Workflow, run.workflow_id) if run else None
    if run is None or workflow is None:  # deleted since (its runs and steps go with it)
        return
    if not workflow.active_in(run.context.get("activation")):
        await _ended(session, step, RunStatus.STOPPED, DEACTIVATED, DEACTIVATED)
        return
    # The URL the step was queued with, like its body: the workflow may have changed since.
    url = str(step.output.get("url"))
    attempts = int(step.output.get("attempts", 0)) + 1
    try:
        status = await _post(settings, url, step, workflow.webhook_secret)
    except (OutboundRequestFailed, UnsafeUrl) as error:
        await _failed(session, step, attempts, error.message)
        return
    if status >= 300:
        await _failed(session, step, attempts, f"The receiver answered {status}")
        return
    step.output = {**step.output, "attempts": attempts, "responseStatus": status}
    step.status, step.error, step.finished_at = "COMPLETED", None, utcnow()


async def give_up(
    session: AsyncSession, workspace_id: uuid.UUID, step_id: uuid.UUID, error: Exception
) -> None:
    """The delivery job failed its last attempt with an error `deliver` did not record: the
    step ends FAILED instead of staying QUEUED for ever."""
    step = await RunRepository(session, workspace_id).step(step_id)
    if step is not None and step.status == "QUEUED":
        await _gave_up(session, step, internal_failure(error))


async def _gave_up(session: AsyncSession, step: WorkflowRunStep, error: str) -> None:
    await _ended(session, step, RunStatus.FAILED, error, step.failure())


async def _ended(
    session: AsyncSession, step: WorkflowRunStep, status: str, error: str, run_error: str
) -> None:
    """The step ends `status` (FAILED, STOPPED), and so does its run, saying `run_error`, if it
    had finished meanwhile as COMPLETED. A run still going ends FAILED when it comes to its end,
    or STOPPED at its next job if the workflow was deactivated: the run's row lock orders the
    two."""
    step.status, step.error, step.finished_at = status, error, utcnow()
    run = await RunRepository(session, step.workspace_id).locked(step.run_id)
    if run is not None and run.status == RunStatus.COMPLETED:
        run.status, run.error = status, run_error


async def _post(settings: Settings, url: str, step: WorkflowRunStep, secret: str) -> int:
    body = str(step.output["body"]).encode()
    headers = headers_for(str(step.id), body, secret) | {"content-type": "application/json"}
    async with GuardedHttpClient(settings) as http:
        response = await http.request("POST", url, headers=headers, content=body)
    return response.status_code


async def _failed(session: AsyncSession, step: WorkflowRunStep, attempts: int, error: str) -> None:
    step.output, step.error = {**step.output, "attempts": attempts}, error
    if attempts >= MAX_ATTEMPTS:
        await _gave_up(session, step, error)
        return
    await queue(session, step, delay=RETRY_BASE * 2 ** (attempts - 1))
