"""Imports every domain's models so that one metadata holds every table."""

from kindred.core.db import Base
from kindred.core.discovery import import_domain_modules

MODEL_MODULES = import_domain_modules("models")
metadata = Base.metadata

__all__ = ["MODEL_MODULES", "metadata"]
