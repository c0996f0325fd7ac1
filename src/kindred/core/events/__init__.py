"""Domain events: every change worth reacting to, recorded in the transaction that made it.

A service calls `emit(session, workspace_id=..., type="contact.updated", data=..., contact_id=...)`
beside its change; the event row commits or rolls back with the change, and the same
transaction enqueues one `events.dispatch` job per workspace. The dispatcher hands each event
to every registered consumer exactly once: a consumer's effects and its ledger row
(`domain_event_consumers`, one per (event, consumer)) commit together, so a lost broker message,
a killed worker or a rerun never repeats or skips a consumer. The `events.reconcile` scanner
re-enqueues dispatch for workspaces whose events have waited too long (a job that failed for
good, a consumer that raised and is due again).

Consumers:

    @consumer("webhooks")
    async def deliver(session: AsyncSession, event: DomainEvent) -> None: ...

A consumer runs in the dispatcher's transaction and must only write rows (and enqueue jobs);
slow work (HTTP calls) belongs to the jobs it enqueues. A consumer that raises is retried with
backoff, alone, up to `MAX_CONSUMER_ATTEMPTS` times; the other consumers are not held back.
Consumers are registered on import of a domain's `tasks.py`, so every worker knows them all.
The automations engine (issue #7) registers itself the same way (`@consumer("automations")`)
and receives every event still undispatched when it is deployed, then every new one.

Payloads are self-contained: `data` carries the object as the API shows it after the change
(camelCase), so consumers never re-read rows that may have changed since. Events concerning a
contact carry `contact_id`; the catalogue (`catalogue.py`) says where the contact sits in
`data` and gives each type's description and JSON schema (`GET /api/event-types`).
"""

from kindred.core.events.catalogue import CATALOGUE, EventType, contact_of, event_type
from kindred.core.events.models import DomainEvent
from kindred.core.events.registry import CONSUMERS, consumer
from kindred.core.events.service import (
    emit,
    enqueue_once,
    events_since,
    transaction_scratch,
)

__all__ = [
    "CATALOGUE",
    "CONSUMERS",
    "DomainEvent",
    "EventType",
    "consumer",
    "contact_of",
    "emit",
    "enqueue_once",
    "event_type",
    "events_since",
    "transaction_scratch",
]
