"""Schema bases: camelCase on the wire, snake_case accepted too; list envelopes; paging."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

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


# NUL (PostgreSQL cannot store it in text) and lone surrogates: from a JSON escape such as
# "\ud800" with no partner, such a string has no UTF-8 form, so no database can store it nor
# can a response carry it back.
UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
NUL_CHARACTER = ("nul_character", "NUL characters are not allowed")
LONE_SURROGATE = ("lone_surrogate", "Unpaired surrogate characters are not allowed")
# `1e309` (valid JSON, past a double's range) and `NaN`/`Infinity` (Python's JSON reads them)
# as floats: stored, they came back as the texts "inf" and "nan".
NON_FINITE = ("non_finite_number", "Numbers must be finite")
Problem = tuple[str, str]  # (error type, message)


def unstorable(value: object) -> Problem | None:
    """What no column or response can hold in this one value (not looking inside it)."""
    if isinstance(value, str):
        if value.isascii():  # most are: no surrogate, and `in` is the quickest look for NUL
            return NUL_CHARACTER if "\x00" in value else None
        found = UNSTORABLE_CHARACTER.search(value)
        if found is None:
            return None
        return NUL_CHARACTER if found[0] == "\x00" else LONE_SURROGATE
    if isinstance(value, float) and not math.isfinite(value):
        return NON_FINITE
    return None


def _shown(match: re.Match[str]) -> str:
    return "\\0" if match[0] == "\x00" else f"\\u{ord(match[0]):04x}"


def first_unstorable(value: Any) -> tuple[list[str], Problem] | None:
    """The first unstorable value or key in a request body, in one walk: the keys and indexes
    leading to it, as sent (a key names itself, its NUL shown as `\\0` and a lone surrogate as
    `\\udxxx`), and the problem; None when there is none. Plain ASCII texts and other scalars
    are passed over without a call: an import's body holds hundreds of thousands."""
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        problem = unstorable(value)
        return None if problem is None else ([], problem)
    for key, item in items:
        name = str(key)
        problem = None if _plain(name) else unstorable(name)
        found = ([], problem) if problem is not None else _inside(item)
        if found is not None:
            return [UNSTORABLE_CHARACTER.sub(_shown, name), *found[0]], found[1]
    return None


def _plain(text: str) -> bool:
    return text.isascii() and "\x00" not in text


def _inside(item: Any) -> tuple[list[str], Problem] | None:
    if (isinstance(item, str) and _plain(item)) or isinstance(item, int) or item is None:
        return None
    return first_unstorable(item)


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
        found = first_unstorable(data)
        if found is not None:
            (path, (kind, message)) = found
            # The error's location is the model's; `field` names the value inside it.
            raise PydanticCustomError(kind, message, {"field": ".".join(path)})
        return data


def upper_case(value: Any) -> Any:
    """A text enum value in its canonical upper case (a BeforeValidator: enums take any case)."""
    return value.strip().upper() if isinstance(value, str) else value


def lower_case(value: Any) -> Any:
    """A text enum value in its canonical lower case (a BeforeValidator: enums take any case)."""
    return value.strip().lower() if isinstance(value, str) else value


# A group's `match` of the filter language, in any case.
Match = Annotated[
    Literal["all", "any"],
    BeforeValidator(lower_case),
    Field(description="all or any (any case is accepted)"),
]


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
