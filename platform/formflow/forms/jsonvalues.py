"""Python values back to their stored JSON form (for formula results), and normal forms.

The evaluator gives ``Decimal``, ``date``, aware ``datetime``, ``time``, ``str``, ``bool``,
lists and dicts; record data holds the JSON representations of docs/architecture.md ("Values
in record data"). Numbers stay ``Decimal`` (JSON is written with ``use_decimal``); money and
other fields with ``x-scale`` are rounded half up (四舍五入) to their scale.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from formflow.forms.formats import is_datetime, parse_datetime

_ROUNDING = Context(prec=60, rounding=ROUND_HALF_UP)


def round_to_scale(value: Decimal, scale: int) -> Decimal:
    """``value`` rounded half up to ``scale`` decimal places (``2.345`` -> ``2.35``)."""
    try:
        return value.quantize(Decimal(1).scaleb(-scale), context=_ROUNDING)
    except InvalidOperation:
        return value


def datetime_text(value: datetime) -> str:
    """An aware date-time as stored: UTC, seconds, ``Z`` (``2026-01-31T08:00:00Z``)."""
    moment = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    text = moment.replace(tzinfo=None).isoformat(timespec="seconds")
    return f"{text}Z"


def utc_text(value: str) -> str:
    """A valid RFC 3339 date-time string normalised to UTC ``Z``; other strings unchanged."""
    if not is_datetime(value):
        return value
    moment = parse_datetime(value)
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return f"{text}Z"


def to_json(value: Any, scale: int | None = None) -> Any:
    """A value from the evaluator as stored JSON; numbers rounded to ``scale`` when given."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        if scale is not None and value.is_finite():
            return round_to_scale(value, scale)
        return value
    if isinstance(value, int | float):
        return to_json(Decimal(str(value)), scale)
    if isinstance(value, datetime):
        return datetime_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item, scale) for item in value]
    return str(value)
