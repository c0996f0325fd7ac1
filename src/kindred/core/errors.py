"""The error tree and the handlers that render every failure in one shape.

`{"error", "code", "status", "details", "timestamp"}` for every status; services raise
KindredError subclasses, and only a bug becomes a 500 (whose body says nothing internal).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("kindred.errors")


class KindredError(Exception):
    status: int = 400
    code: str = "BAD_REQUEST"
    message: str = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.message = message or self.message
        self.details = details
        if code:
            self.code = code
        self.headers = headers
        self.extra = extra
        super().__init__(self.message)


class BadRequest(KindredError):
    pass


class ValidationFailed(KindredError):
    code = "VALIDATION_ERROR"
    message = "Validation failed"


class Unauthorized(KindredError):
    status = 401
    code = "UNAUTHORIZED"
    message = "Unauthorized"


class PaymentRequired(KindredError):
    status = 402
    code = "PAYMENT_REQUIRED"
    message = "Payment required"


class Forbidden(KindredError):
    status = 403
    code = "FORBIDDEN"
    message = "Forbidden"


class NotFound(KindredError):
    status = 404
    code = "NOT_FOUND"
    message = "Resource not found"


class Conflict(KindredError):
    status = 409
    code = "CONFLICT"
    message = "Conflict"


class Unprocessable(KindredError):
    status = 422
    code = "UNPROCESSABLE_ENTITY"
    message = "Unprocessable entity"


class TooManyRequests(KindredError):
    status = 429
    code = "RATE_LIMITED"
    message = "Too many requests"


class ServiceUnavailable(KindredError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    message = "Service unavailable"


def error_body(
    status: int, code: str, message: str, details: Any = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": message,
        "code": code,
        "status": status,
        "details": details if details is not None else [],
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    body.update(extra)
    return body


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        error_body(status, code, message, details, **extra), status_code=status, headers=headers
    )


def validation_details(errors: Any) -> list[dict[str, str]]:
    """Pydantic errors as `{"field", "message"}`, the field a dotted path without the source."""
    details = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        inner = (err.get("ctx") or {}).get("field")  # a model validator naming a value inside
        loc += [inner] if inner else []
        details.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", ""))})
    return details


_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
}


async def _kindred_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KindredError)
    return error_response(
        exc.status, exc.code, exc.message, exc.details, headers=exc.headers, **exc.extra
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    # A malformed id in the path names no object that exists: it is a 404, like any unknown id.
    if errors and all(err.get("loc", ("",))[0] == "path" for err in errors):
        return error_response(404, "NOT_FOUND", "Resource not found")
    return error_response(400, "VALIDATION_ERROR", "Validation failed", validation_details(errors))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "ERROR")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ").capitalize()
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, code, message, headers=headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "Internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KindredError, _kindred_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
