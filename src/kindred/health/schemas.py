"""Health check responses."""

from __future__ import annotations

from datetime import datetime

from kindred.core.schemas import ApiModel


class QueueStats(ApiModel):
    active: int
    completed: int
    failed: int
    waiting: int


class HealthRead(ApiModel):
    service: str
    status: str
    timestamp: datetime
    uptime: float
    error: str | None = None
    message: str | None = None
    queue_stats: QueueStats | None = None
    mode: str | None = None
