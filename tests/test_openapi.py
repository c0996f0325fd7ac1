"""The OpenAPI document describes request bodies as the models validate them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from kindred.automations.schemas import RuleUpdate, WorkflowUpdate
from kindred.campaigns.schemas import CampaignUpdate

UPDATE_MODELS = [CampaignUpdate, WorkflowUpdate, RuleUpdate]


def _nullable(schema: dict[str, Any]) -> bool:
    return {"type": "null"} in schema.get("anyOf", ()) or schema.get("type") == "null"


def _accepts_null(model: type[BaseModel], field: str) -> bool:
    try:
        model.model_validate({field: None})
    except ValidationError:
        return False
    return True


@pytest.fixture
async def components(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    schemas: dict[str, Any] = response.json()["components"]["schemas"]
    return schemas


@pytest.mark.parametrize("model", UPDATE_MODELS, ids=lambda model: model.__name__)
async def test_update_fields_are_nullable_in_openapi_exactly_when_null_is_accepted(
    components: dict[str, Any], model: type[BaseModel]
) -> None:
    properties = components[model.__name__]["properties"]
    shown = {
        name: _nullable(properties[info.alias or name]) for name, info in model.model_fields.items()
    }
    accepted = {name: _accepts_null(model, name) for name in model.model_fields}
    assert shown == accepted
    assert not all(accepted.values()), "each model has fields that may not be null"
    assert any(accepted.values()), "each model has fields that may be null (description...)"


@pytest.mark.parametrize("model", UPDATE_MODELS, ids=lambda model: model.__name__)
async def test_update_fields_that_may_not_be_null_may_still_be_omitted_in_openapi(
    components: dict[str, Any], model: type[BaseModel]
) -> None:
    assert components[model.__name__].get("required", []) == []
    assert model.model_validate({}).model_dump(exclude_unset=True) == {}
