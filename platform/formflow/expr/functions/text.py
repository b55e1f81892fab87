"""Text functions: length, case, trimming, searching, cutting, joining, formatting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from formflow.expr.context import EvalContext
from formflow.expr.functions.spec import Function, returns, sig, whole
from formflow.expr.typesystem import (
    ANY,
    BOOLEAN,
    DATE,
    DATETIME,
    NUMBER,
    STRING,
    TIME,
    ListType,
    RefType,
)
from formflow.expr.values import checked_text, format_number
from formflow.i18n import _

_STR = (STRING,)
_NUM = (NUMBER,)
_LIST = (ListType(ANY),)
_PRINTABLE = (
    STRING,
    NUMBER,
    BOOLEAN,
    DATE,
    DATETIME,
    TIME,
    RefType("user"),
    RefType("department"),
    RefType("record"),
)


def as_text(value: Any, context: EvalContext | None = None) -> str:
    """The text form of a value, as ``text()`` and ``concat()`` write it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, datetime):
        moment = value.astimezone(context.zone) if context is not None else value
        return moment.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _len(_ctx: EvalContext, value: str | list[Any]) -> Decimal:
    return Decimal(len(value))


def _lower(_ctx: EvalContext, value: str) -> str:
    return value.lower()


def _upper(_ctx: EvalContext, value: str) -> str:
    return value.upper()


def _trim(_ctx: EvalContext, value: str) -> str:
    return value.strip()


def _contains(_ctx: EvalContext, whole_value: str | list[Any], part: Any) -> bool:
    if isinstance(whole_value, str):
        return str(part) in whole_value
    return part in whole_value


def _starts_with(_ctx: EvalContext, value: str, prefix: str) -> bool:
    return value.startswith(prefix)


def _ends_with(_ctx: EvalContext, value: str, suffix: str) -> bool:
    return value.endswith(suffix)


def _concat(ctx: EvalContext, *parts: Any) -> str:
    return checked_text("".join(as_text(part, ctx) for part in parts))


def _substr(_ctx: EvalContext, value: str, start: Decimal, length: Decimal | None = None) -> str:
    begin = max(whole(start, _("The start position of substr()")), 1) - 1
    if length is None:
        return value[begin:]
    return value[begin : begin + max(whole(length, _("The length of substr()")), 0)]


def _left(_ctx: EvalContext, value: str, count: Decimal) -> str:
    return value[: max(whole(count, _("The length of left()")), 0)]


def _right(_ctx: EvalContext, value: str, count: Decimal) -> str:
    size = max(whole(count, _("The length of right()")), 0)
    return value[len(value) - size :] if size else ""


def _replace(_ctx: EvalContext, value: str, old: str, new: str) -> str:
    if not old:
        return value
    return checked_text(value.replace(old, new))


def _pad(_ctx: EvalContext, value: Any, width: Decimal, fill: str = "0") -> str:
    text = as_text(value)
    size = min(whole(width, _("The width of pad()")), 1000)
    return text.rjust(size, fill[:1] or " ")


def _text(ctx: EvalContext, value: Any) -> str:
    return as_text(value, ctx)


def _join(ctx: EvalContext, values: Sequence[Any], separator: str = ", ") -> str:
    return checked_text(separator.join(as_text(v, ctx) for v in values if v is not None))


FUNCTIONS: list[Function] = [
    Function(
        "len",
        (sig((STRING, ListType(ANY))),),
        returns(NUMBER),
        _len,
        _("The number of characters of a text, or of items of a list."),
        "len('张三') = 2",
    ),
    Function(
        "lower",
        (sig(_STR),),
        returns(STRING),
        _lower,
        _("The text in lower case."),
        "lower('ABC') = 'abc'",
    ),
    Function(
        "upper",
        (sig(_STR),),
        returns(STRING),
        _upper,
        _("The text in upper case."),
        "upper('abc') = 'ABC'",
    ),
    Function(
        "trim",
        (sig(_STR),),
        returns(STRING),
        _trim,
        _("The text without spaces at its start and end."),
        "trim('  a ') = 'a'",
    ),
    Function(
        "contains",
        (sig((STRING, ListType(ANY)), (ANY,)),),
        returns(BOOLEAN),
        _contains,
        _("True when a text contains another text, or a list contains a value."),
        "contains(reason, '出差')",
    ),
    Function(
        "starts_with",
        (sig(_STR, _STR),),
        returns(BOOLEAN),
        _starts_with,
        _("True when the text starts with the other text."),
        "starts_with(code, 'HT-')",
    ),
    Function(
        "ends_with",
        (sig(_STR, _STR),),
        returns(BOOLEAN),
        _ends_with,
        _("True when the text ends with the other text."),
        "ends_with(email, '.cn')",
    ),
    Function(
        "concat",
        (sig(rest=(ANY,)),),
        returns(STRING),
        _concat,
        _("Joins values into one text; empty values count as empty text."),
        "concat(applicant_name, ' - ', year(start_date))",
        keeps_nulls=True,
    ),
    Function(
        "substr",
        (sig(_STR, _NUM), sig(_STR, _NUM, _NUM)),
        returns(STRING),
        _substr,
        _("Part of a text from a position (the first character is 1), optionally of a length."),
        "substr('2026-01-31', 6, 2) = '01'",
    ),
    Function(
        "left",
        (sig(_STR, _NUM),),
        returns(STRING),
        _left,
        _("The first characters of a text."),
        "left(id_card, 6)",
    ),
    Function(
        "right",
        (sig(_STR, _NUM),),
        returns(STRING),
        _right,
        _("The last characters of a text."),
        "right(phone, 4)",
    ),
    Function(
        "replace",
        (sig(_STR, _STR, _STR),),
        returns(STRING),
        _replace,
        _("The text with every occurrence of one text replaced by another."),
        "replace(title, ' ', '')",
    ),
    Function(
        "pad",
        (sig(_PRINTABLE, _NUM), sig(_PRINTABLE, _NUM, _STR)),
        returns(STRING),
        _pad,
        _("The value as text, filled on the left to a width (with 0 unless told)."),
        "pad(7, 3) = '007'",
    ),
    Function(
        "text",
        (sig(_PRINTABLE),),
        returns(STRING),
        _text,
        _("The value written as text."),
        "text(amount) = '1200.50'",
    ),
    Function(
        "join",
        (sig(_LIST), sig(_LIST, _STR)),
        returns(STRING),
        _join,
        _("The items of a list joined into one text (separated by ', ' unless told)."),
        "join(tags, '/')",
    ),
]
