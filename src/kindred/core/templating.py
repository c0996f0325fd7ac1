"""User templates (campaign bodies, automation messages): Jinja2's sandbox with limits.

    text = render(template, {"contact": contact_context(fields, custom_fields)})

What is enforced, per render:
- the sandbox (Jinja2 >= 3.1.6): no dunder or internal attributes, no unsafe methods; an
  attempt raises instead of rendering empty, so `validate` reports it;
- output: at most `MAX_OUTPUT` characters (checked as the output streams, so a huge render
  stops early), and `*` / `**` on strings, lists and numbers are refused past that size;
- time: a deadline of `MAX_SECONDS`, checked at every attribute lookup, call, operator and
  `range` step (`range` itself is capped at `MAX_RANGE`), so a loop cannot run unbounded;
- template source: at most `MAX_SOURCE` characters.
Undefined names render empty (`{{contact.nickname|default("there")}}` works); HTML bodies
autoescape, text bodies do not.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator, Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any

from jinja2 import Template, TemplateError, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from kindred.core.errors import BadRequest

MAX_SOURCE = 500_000
MAX_OUTPUT = 1_000_000
MAX_SECONDS = 1.0
MAX_RANGE = 10_000
MAX_POWER = 64

_deadline: ContextVar[float] = ContextVar("template_deadline", default=float("inf"))


class TemplateInvalid(BadRequest):
    code = "INVALID_TEMPLATE"
    message = "The template cannot be rendered"


class _LimitExceeded(TemplateError):
    pass


def _tick() -> None:
    if time.monotonic() > _deadline.get():
        raise _LimitExceeded(f"the template took longer than {MAX_SECONDS:g} s to render")


def _bounded_range(*args: int) -> Iterator[int]:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _LimitExceeded(f"range() is limited to {MAX_RANGE} items")
    for number in numbers:
        _tick()
        yield number


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


class _Environment(SandboxedEnvironment):
    """The sandbox, plus the deadline and size checks described in the module docstring."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_POWER:
            raise _LimitExceeded(f"exponents are limited to {MAX_POWER}")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(count, int) and _sized(sequence) * count > MAX_OUTPUT:
                    raise _LimitExceeded(f"the output is limited to {MAX_OUTPUT} characters")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        if type(obj) is dict and type(attribute) is str and not _dict_has(attribute):
            # What the sandbox does once `getattr(obj, attribute)` fails, without raising and
            # catching the AttributeError (most of the cost of reading `contact.firstName`).
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _tick()
        return super().call(__context, __obj, *args, **kwargs)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A plain dict rather than Jinja's ChainMap, which every render copies key by key into
        the new context (the costliest part of a short render). The environment's globals are
        set before any template compiles and never change, so nothing is lost."""
        return {**self.globals, **(d or {})}

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuses outright (the default renders an empty string that hides the attempt)."""
        raise SecurityError(f"access to {attribute!r} is not allowed in templates")


@functools.lru_cache(maxsize=1024)
def _dict_has(attribute: str) -> bool:
    """Whether a dict has this attribute; an empty one answers for all, having none of its own."""
    try:
        getattr({}, attribute)
    except AttributeError:
        return False
    return True


def _environment(autoescape: bool) -> _Environment:
    environment = _Environment(autoescape=autoescape)
    environment.globals["range"] = _bounded_range
    return environment


_ENVIRONMENTS = {True: _environment(True), False: _environment(False)}


@functools.lru_cache(maxsize=256)
def _compiled(template: str, html: bool) -> Template:
    """Compiling costs far more than rendering: a campaign renders one template per recipient."""
    return _ENVIRONMENTS[html].from_string(template)


def render(template: str, context: Mapping[str, Any], *, html: bool = False) -> str:
    """The rendered text; TemplateInvalid (400) naming the problem when it cannot render."""
    if len(template) > MAX_SOURCE:
        raise TemplateInvalid(f"The template is longer than {MAX_SOURCE} characters")
    token = _deadline.set(time.monotonic() + MAX_SECONDS)
    try:
        compiled = _compiled(template, html)
        return _collect(compiled.generate(context))
    except TemplateSyntaxError as error:
        raise TemplateInvalid(
            f"Template syntax error on line {error.lineno}: {error.message}"
        ) from None
    except (TemplateError, SecurityError) as error:
        raise TemplateInvalid(f"Template error: {error}") from None
    except (ArithmeticError, TypeError, ValueError, LookupError) as error:
        raise TemplateInvalid(f"Template error: {type(error).__name__}: {error}") from None
    finally:
        _deadline.reset(token)


def _collect(chunks: Iterator[str]) -> str:
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise _LimitExceeded(f"the output is limited to {MAX_OUTPUT} characters")
        parts.append(chunk)
    return "".join(parts)


def validate(template: str, *, html: bool = False) -> None:
    """Raises TemplateInvalid when the template cannot render for a contact with empty fields."""
    render(template, {"contact": contact_context({}, {})}, html=html)


@functools.lru_cache(maxsize=1024)
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def contact_context(fields: Mapping[str, Any], custom_fields: Mapping[str, Any]) -> dict[str, Any]:
    """A contact as templates see it: each core field (snake_case keys in `fields`) under its
    snake_case and camelCase names, `name` the full name, `customFields`/`custom_fields`, and
    each custom field by its own name where no core field has it."""
    names = [fields.get("first_name"), fields.get("last_name")]
    full_name = " ".join(str(part) for part in names if part)
    context: dict[str, Any] = {str(key): value for key, value in custom_fields.items()}
    for key, value in fields.items():
        context[key] = context[_camel(key)] = value
    context["name"] = context.get("name") or full_name or None
    context["customFields"] = context["custom_fields"] = dict(custom_fields)
    return {key: value for key, value in context.items() if value is not None}
