"""Schema bases: camelCase on the wire, snake_case accepted too; list envelopes; paging."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

MAX_PAGE_SIZE = 200

# Bounded numbers for request bodies: what the database columns can hold, so an oversized
# value is a 400 naming the field rather than an overflow deep in the driver.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Amount = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]


class ApiModel(BaseModel):
    """Native API schema: serialises camelCase, accepts both camelCase and snake_case."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        serialize_by_alias=True,
    )


Found = Callable[[object], bool]
# From a JSON escape such as "\ud800" with no partner: such a string has no UTF-8 form, so no
# database can store it nor can a response carry it back.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
UNSHOWN = re.compile("[\x00\ud800-\udfff]")


def has_nul(value: object) -> bool:
    return isinstance(value, str) and "\x00" in value


def has_lone_surrogate(value: object) -> bool:
    return isinstance(value, str) and LONE_SURROGATE.search(value) is not None


def is_non_finite(value: object) -> bool:
    """`1e309` (valid JSON, past a double's range) and `NaN`/`Infinity` (Python's JSON reads
    them) as floats: stored, they would come back as the texts "inf" and "nan"."""
    return isinstance(value, float) and not math.isfinite(value)


UNSTORABLE: tuple[tuple[Found, str, str], ...] = (
    (has_nul, "nul_character", "NUL characters are not allowed"),
    (has_lone_surrogate, "lone_surrogate", "Unpaired surrogate characters are not allowed"),
    (is_non_finite, "non_finite_number", "Numbers must be finite"),
)


def _shown(char: str) -> str:
    return "\\0" if char == "\x00" else f"\\u{ord(char):04x}"


def path_to(value: Any, found: Found) -> list[str] | None:
    """Where the first value or key that is `found` is in a request body: the keys and
    indexes leading to it, as sent (a key names itself, NUL and lone surrogates in it escaped:
    NUL as `\\0`); None when none."""
    if found(value):
        return []
    if not isinstance(value, dict | list):
        return None
    for key, item in value.items() if isinstance(value, dict) else enumerate(value):
        name = str(key)
        inner = [] if found(name) else path_to(item, found)
        if inner is not None:
            return [UNSHOWN.sub(lambda match: _shown(match[0]), name), *inner]
    return None


class InputModel(ApiModel):
    """A request body: unknown fields are ignored (never stored), strings are stripped.

    NUL characters, unpaired surrogates and numbers that are not finite are refused anywhere
    in the body, free-form values (custom fields, filters) included: PostgreSQL cannot store
    NUL in text, a lone surrogate has no UTF-8 form at all (stored on SQLite, it breaks every
    response that reads it back), and JSON has no infinity.
    It dumps snake_case (`body.model_dump()` feeds service keyword arguments); only read
    models speak camelCase on the way out.
    """

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", serialize_by_alias=False)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unstorable(cls, data: Any) -> Any:
        for found, kind, message in UNSTORABLE:
            path = path_to(data, found)
            if path is not None:
                # The error's location is the model's; `field` names the value inside it.
                raise PydanticCustomError(kind, message, {"field": ".".join(path)})
        return data


def _present(value: Any) -> Any:
    if value is None:
        raise ValueError("may be omitted but not null")
    return value


def _without_null(schema: dict[str, Any]) -> None:
    """The field's JSON schema without its null branch, nor the null default it has only so
    that an omitted field reads None (its stored value is kept, nothing is defaulted)."""
    branches = [branch for branch in schema.pop("anyOf", ()) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
    if "default" in schema and schema["default"] is None:
        del schema["default"]


T = TypeVar("T")
# An update model's field that may be omitted (it keeps its stored value; the model reads
# None) but not sent as null, which would otherwise answer 200 for a required column left
# unchanged. The OpenAPI document shows it as T, optional and not nullable.
Omittable = Annotated[T | None, BeforeValidator(_present), Field(json_schema_extra=_without_null)]


class SnakeModel(BaseModel):
    """Wire format of the dialects that speak snake_case (document 001)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class SuccessResponse(ApiModel):
    success: bool = True
    message: str | None = None


@dataclass(frozen=True)
class PageParams:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def total_pages(self, total: int) -> int:
        return math.ceil(total / self.limit) if total else 0


def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")] = 1,
    limit: Annotated[
        int | None, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (max 200)")
    ] = None,
    page_size: Annotated[
        int | None, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE, description="Alias of limit")
    ] = None,
) -> PageParams:
    return PageParams(page=page, limit=limit or page_size or 20)


Paging = Annotated[PageParams, Depends(page_params)]


class PageMeta(ApiModel):
    total: int
    page: int
    page_size: int
    total_pages: int

    @classmethod
    def of(cls, params: PageParams, total: int) -> dict[str, int]:
        return {
            "total": total,
            "page": params.page,
            "page_size": params.limit,
            "total_pages": params.total_pages(total),
        }
