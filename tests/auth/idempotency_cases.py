"""Idempotency route-table entries for the sign-up, sign-in and sign-out routes."""

from tests.idempotency_registry import Case, Excluded

ANONYMOUS = "anonymous: the caller has no workspace yet to scope an Idempotency-Key to"

CASES: dict[str, Case] = {
    "/api/signup": Excluded(ANONYMOUS),
    "/api/auth/signin": Excluded(ANONYMOUS),
    "/api/auth/signout": Excluded("ends the caller's own session: creates and sends nothing"),
}
