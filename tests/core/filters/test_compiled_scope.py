"""The compiled filter's lookups stay inside the caller's workspace where the SQL allows it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from kindred.contacts.models import Contact
from kindred.core.filters import compile_filter, parse_filter
from kindred.core.filters.fields import FieldRegistry

NOW = datetime(2025, 6, 15, tzinfo=UTC)
TAGGED = {"match": "all", "conditions": [{"field": "tags", "operator": "has", "value": "VIP"}]}


def _tag_lookup_sql(name: str, workspace_id: uuid.UUID | None) -> str:
    """The SQL of the filter's subquery on tags (the named tags' ids)."""
    dialect = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}[name]
    where = compile_filter(
        parse_filter(TAGGED, FieldRegistry({})), name, NOW, workspace_id=workspace_id
    )
    sql = str(select(Contact.id).where(where).compile(dialect=dialect))
    return sql[sql.index("FROM tags") :]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_tag_filter_looks_its_names_up_among_the_workspaces_tags_only(dialect: str) -> None:
    """By the unique index on (workspace, folded name), not across every workspace's tags."""
    assert "tags.workspace_id =" in _tag_lookup_sql(dialect, uuid.uuid4())


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_platform_wide_tag_filter_looks_its_names_up_in_every_workspace(dialect: str) -> None:
    assert "tags.workspace_id =" not in _tag_lookup_sql(dialect, None)
