"""Safety-matrix cases for the forms routes (see tests/safety/registry.py)."""

from __future__ import annotations

PUBLIC = {"POST /api/webhooks/tally"}
