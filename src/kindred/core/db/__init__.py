"""Database layer: base classes, portable types, engine and the unit-of-work session."""

from kindred.core.db.base import Base, IdMixin, TimestampMixin, WorkspaceMixin
from kindred.core.db.ids import uuid7
from kindred.core.db.types import PortableJSON, UTCDateTime, utcnow

__all__ = [
    "Base",
    "IdMixin",
    "PortableJSON",
    "TimestampMixin",
    "UTCDateTime",
    "WorkspaceMixin",
    "utcnow",
    "uuid7",
]
