"""What each step type does, through the owning domains' services.

Every action receives the step's context and its config, returns an output recorded on the
step, and raises a `KindredError` (recorded as the step's error) when it cannot act. Text
config values are templates over `{{contact.*}}` rendered in the sandbox.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.models import Workflow, WorkflowRun
from kindred.contacts import interactions, tags
from kindred.contacts import service as contacts
from kindred.contacts.errors import InvalidContactField
from kindred.contacts.fields import FieldChecker
from kindred.contacts.models import Contact
from kindred.contacts.schemas import ContactFields, ContactRead, TagCreate
from kindred.contacts.values import normalise_email, normalise_phone
from kindred.core.errors import Unprocessable
from kindred.core.filters.fields import CONTACT_COLUMNS, snake
from kindred.core.templating import contact_context, render
from kindred.deals import pipelines
from kindred.deals import service as deals
from kindred.deals.errors import DealNotFound, PipelineNotFound
from kindred.deals.models import Pipeline
from kindred.deals.schemas import DealCreate
from kindred.messaging import service as messaging
from kindred.messaging.models import Channel
from kindred.messaging.schemas import SendInput
from kindred.settings import Settings
from kindred.users import service as users
from kindred.users.errors import UserNotFound

CHANNELS = {"SEND_SMS": Channel.SMS, "SEND_EMAIL": Channel.EMAIL, "SEND_WHATSAPP": Channel.WHATSAPP}
WAIT_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
# A message step's text: `config.message`, else `config.body` (document 000's SEND_EMAIL).
MESSAGE_KEYS = ("message", "body")
LONGEST_WAIT = timedelta(days=3650)
# What starts a Jinja2 expression, statement or comment in a config value.
TEMPLATE_MARKS = ("{{", "{%", "{#")
# Contact columns the contacts service normalises, refusing a value that is no address/number.
NORMALISED = {"email": normalise_email, "phone": normalise_phone}
# Contact columns SET_FIELD may write; any other name but UNSETTABLE's is a custom field.
SETTABLE = frozenset(CONTACT_COLUMNS) - {"created_at", "updated_at", "last_task_run"}
# The contact's other fields (tags, ids, timestamps): never read as a custom field's name.
UNSETTABLE = frozenset(ContactRead.model_fields) - SETTABLE


class ActionFailed(Unprocessable):
    code = "ACTION_FAILED"
    message = "The action failed"


@dataclass
class StepContext:
    session: AsyncSession
    settings: Settings
    workflow: Workflow
    run: WorkflowRun
    contact: Contact | None

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.workflow.workspace_id

    def need_contact(self) -> Contact:
        if self.contact is None:
            raise ActionFailed("This action needs a contact, and the run has none")
        return self.contact

    def need_user(self) -> uuid.UUID:
        if self.workflow.created_by is None:
            raise ActionFailed("The workflow's author no longer exists")
        return self.workflow.created_by

    def render(self, template: Any) -> str:
        fields, custom = {}, {}
        if self.contact is not None:
            fields = {name: getattr(self.contact, name, None) for name in CONTACT_COLUMNS}
            custom = self.contact.custom_fields
        return render(str(template or ""), {"contact": contact_context(fields, custom)})


Action = Callable[[StepContext, dict[str, Any]], Awaitable[dict[str, Any]]]


def _required(config: dict[str, Any], key: str) -> Any:
    value = config.get(key)
    if value in (None, ""):
        raise ActionFailed(f"The action's config needs {key!r}")
    return value


def _stand_in(contact: Contact, address: str) -> Contact:
    """An address that is no contact's, as a recipient the gate can check: the banlist and the
    credits apply to it; the filed-under contact's own consent does not (it is not theirs).
    Transient: it is never added to the session."""
    return Contact(
        id=contact.id,
        workspace_id=contact.workspace_id,
        company_id=contact.company_id,
        email=address,
        phone=None,
        globally_unsubscribed=False,
        communication_preferences={},
    )


async def _addressee(step: StepContext, config: dict[str, Any]) -> tuple[uuid.UUID, str | None]:
    """(the contact whose conversation the message joins, the address to send to instead of
    theirs, if any).

    Without `config.to`, the run's contact. SEND_EMAIL's `to` that is a contact's address is
    that contact, consent and all; any other address is filed under the run's contact (the
    message is about them) and sent to that address.
    """
    if not config.get("to"):
        return step.need_contact().id, None
    address = str(normalise_email(str(config["to"]), "to"))
    known = await contacts.find_by_email(step.session, step.workspace_id, address)
    if known is not None:
        return known.id, None
    if step.contact is None:
        raise ActionFailed(
            f"{address} is no contact's address, and the run has no contact to file the"
            " message under: add the address as a contact"
        )
    return step.contact.id, address


async def send_message(
    step: StepContext, config: dict[str, Any], channel: Channel
) -> dict[str, Any]:
    """Sends to the run's contact, or to SEND_EMAIL's `config.to`, through the messaging
    service (and so through the gate)."""
    contact_id, address = await _addressee(step, config)
    draft = _draft(step, config)
    conversation, contact = await messaging.target(
        step.session,
        step.workspace_id,
        contact_id=contact_id,
        conversation_id=None,
        channel=channel,
    )
    message, refusal = await messaging.send(
        step.session,
        step.settings,
        step.workspace_id,
        conversation,
        _stand_in(contact, address) if contact is not None and address else contact,
        draft,
    )
    if refusal is not None:
        raise ActionFailed(f"The message was refused: {refusal.message}")
    return {"messageId": str(message.id), "status": message.status, "to": message.to_address}


def message_template(config: dict[str, Any]) -> Any:
    """The first of `MESSAGE_KEYS` holding more than blanks, or None."""
    for key in MESSAGE_KEYS:
        value = config.get(key)
        if value is not None and str(value).strip():
            return value
    return None


def _draft(step: StepContext, config: dict[str, Any]) -> messaging.Draft:
    """The rendered message held to the messages API's own rules (1 to 10,000 characters, a
    subject of at most 998), so that a template rendering empty sends no blank message and an
    overlong one fails its step instead of the provider call or the database statement."""
    subject = step.render(config["subject"]) if config.get("subject") else None
    raw = {"content": step.render(message_template(config)), "subject": subject}
    try:
        checked = SendInput.model_validate(raw)
    except ValidationError as error:
        problem = error.errors()[0]
        raise ActionFailed(f"The message's {problem['loc'][0]}: {problem['msg']}") from None
    return messaging.Draft(content=checked.content, subject=checked.subject or None)


def tag_name(text: str) -> str:
    """A tag name held to the tags API's rules (stripped, 1 to 100 characters)."""
    try:
        return TagCreate.model_validate({"name": text}).name
    except ValidationError as error:
        raise ActionFailed(f"The tag {text!r}: {error.errors()[0]['msg']}") from None


def check_tag(config: dict[str, Any]) -> None:
    """ADD_TAG's or REMOVE_TAG's `config.tag`, unless a template, is a name the tags API takes
    (a blank one would fail every run)."""
    if not is_template(config.get("tag")):
        tag_name(str(config.get("tag")))


def _tag_name(step: StepContext, config: dict[str, Any]) -> str:
    """The rendered `config.tag` as a tag name, so that a template rendering empty creates no
    nameless tag."""
    return tag_name(step.render(_required(config, "tag")))


async def add_tag(step: StepContext, config: dict[str, Any]) -> dict[str, Any]:
    contact = step.need_contact()
    name = _tag_name(step, config)
    (tag,) = await tags.ensure_tags(step.session, step.workspace_id, [name])
    await tags.add_contact_tag(step.session, step.workspace_id, contact.id, tag.id)
    return {"tag": name}


async def remove_tag(step: StepContext, config: dict[str, Any]) -> dict[str, Any]:
    contact = step.need_contact()
    name = _tag_name(step, config)
    found = await tags.tag_ids_named(step.session, step.workspace_id, [name])
    for tag_id in found or []:
        await tags.remove_contact_tag(step.session, step.workspace_id, contact.id, tag_id)
    return {"tag": name, "removed": bool(found)}


def field_change(field: str, value: Any) -> dict[str, Any]:
    """`{"company": v}` for a contact column, `{"custom_fields": {name: v}}` otherwise; a
    contact field no step sets (`tags`, `id`, `createdAt`...) fails instead of quietly becoming
    a custom field of that name (`customFields.tags` names one on purpose)."""
    name = field.removeprefix("customFields.").removeprefix("custom_fields.")
    if not name.strip():
        raise ActionFailed(f"{field!r} names no field")
    column = snake(name)
    if name == field and column in SETTABLE:
        return {column: value}
    if name == field and column in UNSETTABLE:
        hint = ": use ADD_TAG or REMOVE_TAG" if column == "tags" else ""
        raise ActionFailed(f"{field} cannot be set by an automation{hint}")
    return {"custom_fields": {name: value}}


def checked_change(field: str, value: Any) -> dict[str, Any]:
    """`field_change`, with a contact column's value held to the contacts API's own rules
    (type, length, an email or phone its format), so that a bad value fails the step instead
    of the database statement, and a literal one is refused when the workflow is saved."""
    change = field_change(field, value)
    ((name, _),) = change.items()
    if name in ContactFields.model_fields and name != "custom_fields":
        try:
            checked = ContactFields.model_validate(change).model_dump(include={name})
            if name in NORMALISED:
                NORMALISED[name](checked[name], field)
        except ValidationError as error:
            raise ActionFailed(f"{field}: {error.errors()[0]['msg']}") from None
        except InvalidContactField as error:
            raise ActionFailed(f"{field}: {error.message}") from None
        return checked
    return change


def is_template(value: Any) -> bool:
    """Whether a config value is text with template syntax (its value is known only once it
    renders for a contact)."""
    return isinstance(value, str) and any(mark in value for mark in TEMPLATE_MARKS)


async def check_set_field(
    session: AsyncSession, workspace_id: uuid.UUID, config: dict[str, Any]
) -> None:
    """SET_FIELD's field is one a step may set and, unless its value is a template, that value
    is one the contact takes: a column's by the contacts API's rules, a custom field's by its
    definition (so that a literal `"high"` for a number field is refused when saved, not on
    every run)."""
    field, value = str(_required(config, "field")), config.get("value")
    if is_template(value):
        field_change(field, None)
        return
    custom = checked_change(field, value).get("custom_fields")
    if custom:
        checker = await FieldChecker.load(session, workspace_id)
        try:
            checker.check(custom)
        except InvalidContactField as error:
            raise ActionFailed(f"{field}: {error.message}") from None


async def set_field(step: StepContext, config: dict[str, Any]) -> dict[str, Any]:
    contact = step.need_contact()
    field = str(_required(config, "field"))
    value = config.get("value")
    value = step.render(value) if isinstance(value, str) else value
    await contacts.update_contact(
        step.session, step.workspace_id, contact.id, checked_change(field, value)
    )
    return {"field": field, "value": value}


def deal_fields(
    config: dict[str, Any], title: str, value: Any, contact_ids: list[uuid.UUID]
) -> dict[str, Any]:
    """CREATE_DEAL's deal (its title and value as rendered) held to the deals API's own rules
    (title, value, stage key), so that a bad value fails the step instead of the database
    statement."""
    raw = {
        "title": title,
        "value": value,
        "stage": config.get("stage") or None,
        "pipeline_id": config_uuid(config, "pipelineId"),
        "contact_ids": contact_ids,
    }
    try:
        return DealCreate.model_validate(raw).model_dump()
    except ValidationError as error:
        problem = error.errors()[0]
        raise ActionFailed(f"The deal's {problem['loc'][0]}: {problem['msg']}") from None


async def create_deal(step: StepContext, config: dict[str, Any]) -> dict[str, Any]:
    title = step.render(config.get("title") or "{{contact.name}}") or step.workflow.name
    fields = deal_fields(
        config, title, _deal_value(step, config), [step.contact.id] if step.contact else []
    )
    view = await deals.create_deal(step.session, step.workspace_id, step.need_user(), fields)
    return {"dealId": str(view.deal.id), "stage": view.stage}


def _deal_value(step: StepContext, config: dict[str, Any]) -> Any:
    """CREATE_DEAL's `config.value`: a number, or a template (`{{contact.customFields.budget}}`)
    whose rendering the deals API reads as a number; one rendering blank is no value."""
    value = config.get("value")
    if not is_template(value):
        return value
    return step.render(value).strip() or None


async def move_deal_stage(step: StepContext, config: dict[str, Any]) -> dict[str, Any]:
    deal_id = config_uuid(config, "dealId") or config_uuid(step.run.context, "dealId")
    if deal_id is None:
        raise ActionFailed("No deal: set config.dealId or trigger on a deal event")
    stage = str(_required(config, "stage"))
    view = await deals.move_stage(
        step.session, step.workspace_id, step.need_user(), deal_id, stage, None
    )
    return {"dealId": str(view.deal.id), "stage": view.stage}


async def create_task(step: StepContext, config: dict[str, Any]) -> dict[str, Any]:
    contact = step.need_contact()
    assignee = await task_assignee(step.session, step.workspace_id, config)
    metadata: dict[str, Any] = {"workflowId": str(step.workflow.id), "runId": str(step.run.id)}
    due = due_in_days(config)
    if due is not None:
        metadata["dueInDays"] = due
    interaction = await interactions.record_interaction(
        step.session,
        step.workspace_id,
        contact.id,
        type="task",
        subject=step.render(config.get("title") or step.workflow.name),
        body=step.render(config.get("description")) or None,
        metadata=metadata,
        user_id=assignee or step.workflow.created_by,
    )
    return {"interactionId": str(interaction.id)}


async def _pipeline(
    session: AsyncSession, workspace_id: uuid.UUID, pipeline_id: uuid.UUID | None
) -> Pipeline:
    try:
        return await pipelines.get_pipeline(session, workspace_id, pipeline_id)
    except PipelineNotFound:
        raise ActionFailed("config.pipelineId is not a pipeline of this workspace") from None


def has_stage(candidates: Sequence[Pipeline], stage: str) -> bool:
    """Whether one of the pipelines has the stage key `stage` (in any case)."""
    return any(known.key == stage.upper() for found in candidates for known in found.stages)


def _has_stage(candidates: Sequence[Pipeline], stage: str, where: str) -> None:
    if not has_stage(candidates, stage):
        raise ActionFailed(f"config.stage {stage!r} is not a stage of {where}")


async def check_create_deal(
    session: AsyncSession, workspace_id: uuid.UUID, config: dict[str, Any]
) -> None:
    """CREATE_DEAL's value (unless a template) and stage key are valid, its pipeline (default:
    the workspace's default) is this workspace's and has the stage."""
    value = config.get("value")
    fields = deal_fields(config, "title", None if is_template(value) else value, [])
    pipeline = await _pipeline(session, workspace_id, fields["pipeline_id"])
    if fields["stage"]:
        _has_stage([pipeline], fields["stage"], "the deal's pipeline")


async def check_move_deal_stage(
    session: AsyncSession, workspace_id: uuid.UUID, config: dict[str, Any]
) -> None:
    """MOVE_DEAL_STAGE's deal is this workspace's and its pipeline has the stage; without a
    deal (the triggering event's), some pipeline of the workspace has it."""
    stage, deal_id = str(config.get("stage")), config_uuid(config, "dealId")
    if deal_id is None:
        _has_stage(await pipelines.list_pipelines(session, workspace_id), stage, "any pipeline")
        return
    try:
        view = await deals.get_deal(session, workspace_id, deal_id)
    except DealNotFound:
        raise ActionFailed("config.dealId is not a deal of this workspace") from None
    pipeline = await _pipeline(session, workspace_id, view.deal.pipeline_id)
    _has_stage([pipeline], stage, "the deal's pipeline")


def config_uuid(config: dict[str, Any], key: str) -> uuid.UUID | None:
    """The id `config[key]` names, None when it is absent."""
    value = config.get(key)
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ActionFailed(f"config.{key} must be an id (a UUID)") from None


async def task_assignee(
    session: AsyncSession, workspace_id: uuid.UUID, config: dict[str, Any]
) -> uuid.UUID | None:
    """CREATE_TASK's `assignedTo` (or `userId`): a member of the workspace, or None."""
    key = "assignedTo" if config.get("assignedTo") else "userId"
    user_id = config_uuid(config, key)
    if user_id is not None:
        try:
            await users.member(session, workspace_id, user_id)
        except UserNotFound:
            raise ActionFailed(f"config.{key} is not a member of this workspace") from None
    return user_id


def _amount(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str | None):
        raise ActionFailed("A WAIT duration must be a number")
    try:
        return float(value or 0)
    except OverflowError:  # an integer past any float (JSON has no bound): past any wait too
        return math.inf
    except ValueError:
        raise ActionFailed("A WAIT duration must be a number") from None


def _unit(config: dict[str, Any]) -> int:
    """The seconds in `config.unit` (minutes when absent): one of `WAIT_UNITS`, in any case,
    singular or plural. Any other unit is refused rather than read as minutes (a "day" wait
    that ends after a minute)."""
    unit = config.get("unit")
    if unit in (None, ""):
        return WAIT_UNITS["minutes"]
    name = str(unit).strip().casefold()
    size = WAIT_UNITS.get(name) or WAIT_UNITS.get(name + "s")
    if size is None:
        raise ActionFailed(f"A WAIT's unit is one of {', '.join(WAIT_UNITS)}")
    return size


def due_in_days(config: dict[str, Any]) -> int | None:
    """CREATE_TASK's `config.dueInDays`: a whole number of days from 0 to the longest WAIT's
    (`3`, `3.0` or `"3"`), None when absent."""
    value = config.get("dueInDays")
    if value in (None, ""):
        return None
    try:
        days = _amount(value)
    except ActionFailed:
        days = math.nan
    if not (days.is_integer() and 0 <= days <= LONGEST_WAIT.days):
        message = f"config.dueInDays is a whole number of days from 0 to {LONGEST_WAIT.days}"
        raise ActionFailed(message)
    return int(days)


def wait_delay(config: dict[str, Any]) -> timedelta:
    """`{"minutes": 5}`, `{"hours": 1, "minutes": 30}` or `{"duration": 2, "unit": "days"}`;
    between zero and LONGEST_WAIT."""
    seconds = sum(_amount(config.get(unit)) * size for unit, size in WAIT_UNITS.items())
    if config.get("duration") is not None:
        seconds += _amount(config["duration"]) * _unit(config)
    if not 0 <= seconds <= LONGEST_WAIT.total_seconds():  # also refuses NaN
        raise ActionFailed(f"A WAIT lasts from 0 to {LONGEST_WAIT.days} days")
    return timedelta(seconds=seconds)


def _sender(channel: Channel) -> Action:
    async def send(step: StepContext, config: dict[str, Any]) -> dict[str, Any]:
        return await send_message(step, config, channel)

    return send


ACTIONS: dict[str, Action] = {
    **{name: _sender(channel) for name, channel in CHANNELS.items()},
    "ADD_TAG": add_tag,
    "REMOVE_TAG": remove_tag,
    "SET_FIELD": set_field,
    "CREATE_DEAL": create_deal,
    "MOVE_DEAL_STAGE": move_deal_stage,
    "CREATE_TASK": create_task,
}
