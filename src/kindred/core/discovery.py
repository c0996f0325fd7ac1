"""Finds each domain's models, routers and tasks, so adding a domain needs no central edit.

A domain is a subpackage of `kindred` (or a module of `kindred.dialects`); its `models`,
`router` (exposing `router`) and `tasks` modules are imported when they exist.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

from fastapi import APIRouter

import kindred

SKIPPED = {"cli", "migrations"}


def _domain_packages() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(kindred.__path__)
        if info.ispkg and info.name not in SKIPPED
    )


def _import_optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return None
        raise


# Core's own subpackages with tables or tasks, discovered like domains.
CORE_PACKAGES = ["core.events", "core.idempotency", "core.jobs"]


def import_domain_modules(suffix: str) -> list[ModuleType]:
    """`kindred.<domain>.<suffix>` for every domain and core package that has one."""
    packages = _domain_packages() + CORE_PACKAGES
    found = [_import_optional(f"kindred.{pkg}.{suffix}") for pkg in packages]
    return [module for module in found if module is not None]


def routers() -> Iterator[APIRouter]:
    for module in import_domain_modules("router"):
        yield module.router
    dialects = _import_optional("kindred.dialects")
    if dialects is not None:
        for info in sorted(pkgutil.iter_modules(dialects.__path__), key=lambda i: i.name):
            module = importlib.import_module(f"kindred.dialects.{info.name}")
            if hasattr(module, "router"):
                yield module.router
