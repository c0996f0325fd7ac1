"""Request helpers shared by routers: bodies in JSON or form encoding, client address."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from kindred.core.errors import ValidationFailed, validation_details

ModelT = TypeVar("ModelT", bound=BaseModel)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def json_or_form(request: Request, model: type[ModelT]) -> ModelT:
    """Parses a body sent as JSON or as a form, with the same validation for both."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any
    if content_type in FORM_TYPES:
        data = dict((await request.form()).items())
    else:
        try:
            data = json.loads(await request.body() or b"null")
        except (ValueError, RecursionError) as error:  # RecursionError: deep nesting
            raise ValidationFailed("Malformed JSON body") from error
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(details=validation_details(error.errors())) from error


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI `requestBody` for a route that reads JSON or form data itself."""
    schema = model.model_json_schema(by_alias=True)
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
            },
        }
    }


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None
