"""Every event type: what it means, the JSON schema of its `data`, and where its contact is.

Schemas describe the fields integrators rely on and allow more (`data` is the object as the
API shows it, which grows over time). `contact` names where the event's contact sits in
`data`: `"self"` (the data is the contact), `"contact"` (under that key) or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ContactPlace = Literal["self", "contact"] | None

UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time"}


def _object(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
        "additionalProperties": True,
    }


CONTACT = _object(
    ("id", "workspaceId", "tags", "customFields", "createdAt", "updatedAt"),
    id=UUID,
    workspaceId=UUID,
    firstName=TEXT,
    lastName=TEXT,
    email=TEXT,
    phone=TEXT,
    company=TEXT,
    tags={"type": "array", "items": {"type": "string"}},
    customFields={"type": "object"},
    createdAt=TIME,
    updatedAt=TIME,
)
# contact.updated: each changed field (camelCase, `customFields.<name>`, `tags`) -> its values.
CHANGES = {
    "type": "object",
    "additionalProperties": _object(("from", "to"), **{"from": {}, "to": {}}),
}
CONTACT_UPDATE = CONTACT | {"properties": CONTACT["properties"] | {"changes": CHANGES}}
TAG = _object(("id", "name"), id=UUID, name={"type": "string"}, color=TEXT)
WITH_ID = _object(("id",), id=UUID)


def _with_contact(**properties: Any) -> dict[str, Any]:
    return _object(("contact", *properties), contact=CONTACT, **properties)


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    schema: dict[str, Any]
    contact: ContactPlace = None

    def public(self) -> dict[str, Any]:
        return {"type": self.name, "description": self.description, "schema": self.schema}


_TYPES = [
    EventType(
        "contact.created", "A contact was created (API, import, form or CRM sync).", CONTACT, "self"
    ),
    EventType(
        "contact.updated",
        "A contact's fields or tags changed; `changes` gives each changed field's from and to.",
        CONTACT_UPDATE,
        "self",
    ),
    EventType(
        "contact.deleted", "A contact was deleted; data is the contact as it was.", CONTACT, "self"
    ),
    EventType("tag.added", "A tag was added to a contact.", _with_contact(tag=TAG), "contact"),
    EventType(
        "tag.removed", "A tag was removed from a contact.", _with_contact(tag=TAG), "contact"
    ),
    EventType(
        "deal.stage_changed",
        "A deal moved to another stage.",
        _object(("deal", "fromStage", "toStage"), deal=WITH_ID, fromStage=TEXT, toStage=TEXT),
    ),
    EventType("lead.created", "A lead was created.", _object(("lead",), lead=WITH_ID)),
    EventType(
        "lead.converted",
        "A lead was converted into a contact (and its company).",
        _with_contact(lead=WITH_ID),
        "contact",
    ),
    EventType(
        "message.received", "An inbound message arrived.", _with_contact(message=WITH_ID), "contact"
    ),
    EventType(
        "message.status_changed",
        "An outbound message was delivered, failed or read.",
        _with_contact(message=WITH_ID),
        "contact",
    ),
    EventType(
        "campaign.sent", "A campaign finished sending.", _object(("campaign",), campaign=WITH_ID)
    ),
    EventType(
        "appointment.scheduled",
        "An appointment was booked.",
        _object(("appointment",), appointment=WITH_ID),
    ),
    EventType(
        "form.submitted",
        "A form was submitted.",
        _with_contact(form=WITH_ID, answers={"type": "object"}),
        "contact",
    ),
    EventType(
        "ping",
        "A test delivery sent by POST /api/webhook-endpoints/{id}/test.",
        _object(("message",), message={"type": "string"}),
    ),
]
CATALOGUE: dict[str, EventType] = {event.name: event for event in _TYPES}


def event_type(name: str) -> EventType:
    """The catalogue entry; an unknown name is a programming error (emit only known types)."""
    found = CATALOGUE.get(name)
    if found is None:
        raise LookupError(f"unknown event type {name!r}: add it to core/events/catalogue.py")
    return found


def contact_of(name: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """The contact an event of this type carries in its data, as the API shows it, or None."""
    place = event_type(name).contact
    found = data if place == "self" else data.get("contact") if place else None
    return found if isinstance(found, dict) else None
