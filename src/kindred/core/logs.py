"""Structured JSON logs: one object per line, with the request id of the current request."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from kindred.core import context
from kindred.settings import Settings

_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = context.current()  # formatted in the request's context by StreamHandler
        if current is not None:
            entry["request_id"] = current.request_id
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


_HANDLER_NAME = "kindred-structured"


def configure_logging(settings: Settings) -> None:
    """Gives the `kindred` loggers one handler (JSON or text); idempotent across apps."""
    logger = logging.getLogger("kindred")
    if any(handler.get_name() == _HANDLER_NAME for handler in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = settings.environment == "test"  # pytest's caplog reads the root logger
