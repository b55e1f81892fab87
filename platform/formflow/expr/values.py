"""Runtime values: exact decimals, stored JSON turned into Python values, size limits.

Record data arrives as stored JSON (docs/architecture.md, "Values in record data"): numbers as
``Decimal`` or ``int``, dates as ISO strings, references as integer ids. :func:`convert` turns a
raw value into the Python value its *static* type promises (``"2026-01-31"`` -> ``date``), so
operators and functions see one representation per type. A ``float`` is accepted only by way of
``str`` (``0.1`` stays exactly ``Decimal("0.1")``); binary floating point never takes part in
arithmetic.

All arithmetic goes through :data:`DECIMALS`, a private context of 28 significant digits, so
results do not depend on the caller's thread-local decimal context.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Any

from formflow.errors import EvaluationFailed
from formflow.expr.typesystem import (
    BOOLEAN,
    DATE,
    DATETIME,
    NUMBER,
    STRING,
    TIME,
    ListType,
    RefType,
    RowType,
    Type,
    describe,
)
from formflow.i18n import _

#: The arithmetic context of the language: 28 significant digits, banker's rounding for
#: inexact intermediate results (``round()`` itself rounds half up), magnitudes up to 1E+99
#: (far beyond any amount of money; larger results fail instead of growing without bound),
#: errors trapped.
DECIMALS = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emax=99,
    Emin=-99,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

#: Longest text an expression may produce.
MAX_STRING_LENGTH = 100_000
#: Longest list an expression may produce.
MAX_LIST_LENGTH = 100_000


def bad_value(where: str, raw: Any, expected: Type) -> EvaluationFailed:
    """The error for stored data that does not have the type its field declares."""
    return EvaluationFailed(
        _(
            "The value {value} of `{field}` is not {expected}; correct the stored data.",
            value=show(raw),
            field=where,
            expected=describe(expected),
        )
    )


def to_decimal(raw: Any, where: str = "value") -> Decimal:
    """A JSON number (int, Decimal, float via ``str``) as a finite ``Decimal``."""
    if isinstance(raw, bool):
        raise bad_value(where, raw, NUMBER)
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise bad_value(where, raw, NUMBER)
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            raise bad_value(where, raw, NUMBER) from None
    else:
        raise bad_value(where, raw, NUMBER)
    if not number.is_finite():
        raise bad_value(where, raw, NUMBER)
    return number


def to_datetime(raw: Any, where: str = "value") -> datetime:
    """An aware UTC ``datetime`` from a ``datetime`` (naive means UTC) or an ISO string."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise bad_value(where, raw, DATETIME) from None
    else:
        raise bad_value(where, raw, DATETIME)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_date(raw: Any, where: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise bad_value(where, raw, DATE) from None
    raise bad_value(where, raw, DATE)


def _to_time(raw: Any, where: str) -> time:
    if isinstance(raw, time):
        return raw
    if isinstance(raw, str):
        try:
            return time.fromisoformat(raw.strip())
        except ValueError:
            raise bad_value(where, raw, TIME) from None
    raise bad_value(where, raw, TIME)


def _to_id(raw: Any, where: str, expected: Type) -> int:
    if isinstance(raw, bool):
        raise bad_value(where, raw, expected)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal) and raw.is_finite() and raw == raw.to_integral_value():
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    raise bad_value(where, raw, expected)


def convert(raw: Any, expected: Type, where: str = "value") -> Any:
    """The Python value of stored JSON ``raw`` for a field of static type ``expected``.

    ``None`` stays ``None``. Raises :class:`EvaluationFailed` when the stored value does not
    fit the type (naming ``where``, the field, so the data can be corrected).
    """
    if raw is None:
        return None
    if expected == NUMBER:
        return to_decimal(raw, where)
    if expected == STRING:
        if isinstance(raw, str):
            return raw
        raise bad_value(where, raw, expected)
    if expected == BOOLEAN:
        if isinstance(raw, bool):
            return raw
        raise bad_value(where, raw, expected)
    if expected == DATE:
        return _to_date(raw, where)
    if expected == DATETIME:
        return to_datetime(raw, where)
    if expected == TIME:
        return _to_time(raw, where)
    if isinstance(expected, RefType):
        return _to_id(raw, where, expected)
    if isinstance(expected, ListType):
        if not isinstance(raw, list | tuple):
            raise bad_value(where, raw, expected)
        return [convert(item, expected.item, where) for item in raw]
    if isinstance(expected, RowType):
        if not isinstance(raw, Mapping):
            raise bad_value(where, raw, expected)
        return {
            key: convert(value, expected.fields[key], f"{where}.{key}")
            if key in expected.fields
            else loose(value)
            for key, value in raw.items()
        }
    return loose(raw)


def loose(raw: Any) -> Any:
    """A value of unknown type made safe for the evaluator: numbers become ``Decimal``."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, str | date | time | Decimal):
        return raw
    if isinstance(raw, int | float):
        return to_decimal(raw)
    if isinstance(raw, list | tuple):
        return [loose(item) for item in raw]
    if isinstance(raw, Mapping):
        return {str(key): loose(value) for key, value in raw.items()}
    raise EvaluationFailed(
        _("A value of kind {kind} cannot be used in an expression.", kind=type(raw).__name__)
    )


def show(value: Any) -> str:
    """A value as a form designer would write it, for messages (``'abc'``, ``12.50``, ``null``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, str):
        return repr(value[:60])
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list):
        shown = ", ".join(show(item) for item in value[:5])
        return f"[{shown}, …]" if len(value) > 5 else f"[{shown}]"
    if isinstance(value, int | float):
        return str(value)
    return type(value).__name__


def checked_text(value: str) -> str:
    """``value`` if it is within :data:`MAX_STRING_LENGTH`, else :class:`EvaluationFailed`."""
    if len(value) > MAX_STRING_LENGTH:
        raise EvaluationFailed(
            _(
                "A text produced by the expression is longer than {limit} characters.",
                limit=MAX_STRING_LENGTH,
            )
        )
    return value


def checked_list(value: list[Any]) -> list[Any]:
    """``value`` if it is within :data:`MAX_LIST_LENGTH`, else :class:`EvaluationFailed`."""
    if len(value) > MAX_LIST_LENGTH:
        raise EvaluationFailed(
            _(
                "A list produced by the expression has more than {limit} items.",
                limit=MAX_LIST_LENGTH,
            )
        )
    return value


def format_number(value: Decimal) -> str:
    """A decimal as plain text, never in exponent notation (``1E+2`` -> ``"100"``)."""
    text = format(value, "f")
    return "0" if text in {"-0", "0E-0"} else text
