"""Automation tests deliver WEBHOOK actions to a real server on 127.0.0.1 (private allowed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kindred.settings import Settings
from tests.conftest import make_settings
from tests.databases import DatabaseFactory
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return make_settings(
        await databases.fresh(), tmp_path_factory.mktemp("data"), allow_private_targets=True
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running
