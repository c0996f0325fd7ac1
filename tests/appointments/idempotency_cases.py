"""Idempotency-Key cases for the appointment POST routes (see tests/idempotency_registry.py)."""

from __future__ import annotations

from tests.appointments.route_cases import appointment_body
from tests.factories import Actor
from tests.idempotency_registry import Call


async def create_appointment(_actor: Actor) -> Call:
    return Call("/api/appointments", appointment_body())


async def new_feed_token(_actor: Actor) -> Call:
    return Call("/api/appointments/feed-token")


CASES = {
    "/api/appointments": create_appointment,
    "/api/appointments/feed-token": new_feed_token,
}
