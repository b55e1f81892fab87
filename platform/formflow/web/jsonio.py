"""JSON in and out of HTTP: exact decimals, ISO timestamps, strict bodies."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import simplejson
from flask import Request
from flask.json.provider import JSONProvider

from formflow.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from formflow.i18n import _


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(value: Any, *, indent: int | None = None) -> str:
    text: str = simplejson.dumps(
        value, use_decimal=True, ensure_ascii=False, default=_default, indent=indent
    )
    return text


class FormflowJSONProvider(JSONProvider):
    """Flask JSON provider: Decimal as exact JSON numbers, datetimes as UTC ISO 8601."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return to_json(obj)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return simplejson.loads(s, use_decimal=True)


def read_json_body(request: Request, max_bytes: int) -> Any:
    """The request body as JSON, or a specific 4xx error saying what is wrong with it."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(
            _(
                "Send the body as JSON with the header Content-Type: application/json "
                "(got {value!r}).",
                value=request.content_type or "",
            )
        )
    length = request.content_length
    if length is not None and length > max_bytes:
        raise PayloadTooLarge(
            _("The body is {size} bytes; the limit is {limit} bytes.", size=length, limit=max_bytes)
        )
    raw = request.get_data(cache=True)
    if len(raw) > max_bytes:
        raise PayloadTooLarge(
            _(
                "The body is {size} bytes; the limit is {limit} bytes.",
                size=len(raw),
                limit=max_bytes,
            )
        )
    if not raw.strip():
        raise InvalidInput(_("The request body is empty; send a JSON object."))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(_("The request body is not valid UTF-8.")) from None
    if "\\u0000" in text.lower():
        # A NUL character is no text a person writes, and PostgreSQL cannot store it in JSON.
        raise InvalidInput(_("Texts may not contain the NUL character (\\u0000)."))
    try:
        return simplejson.loads(text, use_decimal=True, allow_nan=False)
    except simplejson.JSONDecodeError as exc:
        raise InvalidInput(
            _(
                "The body is not valid JSON: {error} (line {line}, column {column}).",
                error=exc.msg,
                line=exc.lineno,
                column=exc.colno,
            )
        ) from None
    except (ValueError, RecursionError):
        raise InvalidInput(_("The body is not valid JSON.")) from None
