"""Number functions: rounding (四舍五入, half up), floor, ceil, abs, power, conversions."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from formflow.errors import EvaluationFailed
from formflow.expr.context import EvalContext
from formflow.expr.functions.spec import Function, returns, sig, whole
from formflow.expr.typesystem import BOOLEAN, NUMBER, STRING
from formflow.expr.values import DECIMALS, format_number
from formflow.i18n import _

_NUM = (NUMBER,)


def _quantize(value: Decimal, digits: Decimal, rounding: str) -> Decimal:
    places = whole(digits, _("The number of decimal places"))
    if not -28 <= places <= 28:
        raise EvaluationFailed(
            _("The number of decimal places must be between -28 and 28, not {n}.", n=places)
        )
    try:
        return value.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=DECIMALS)
    except InvalidOperation:
        raise EvaluationFailed(
            _("The number {value} is too large to round.", value=format_number(value))
        ) from None


def _round(_ctx: EvalContext, value: Decimal, digits: Decimal = Decimal(0)) -> Decimal:
    return _quantize(value, digits, ROUND_HALF_UP)


def _trunc(_ctx: EvalContext, value: Decimal, digits: Decimal = Decimal(0)) -> Decimal:
    return _quantize(value, digits, ROUND_DOWN)


def _floor(_ctx: EvalContext, value: Decimal) -> Decimal:
    return _quantize(value, Decimal(0), ROUND_FLOOR)


def _ceil(_ctx: EvalContext, value: Decimal) -> Decimal:
    return _quantize(value, Decimal(0), ROUND_CEILING)


def _abs(_ctx: EvalContext, value: Decimal) -> Decimal:
    return DECIMALS.abs(value)


def _power(_ctx: EvalContext, base: Decimal, exponent: Decimal) -> Decimal | None:
    count = whole(exponent, _("The exponent of power()"))
    if abs(count) > 1000:
        raise EvaluationFailed(_("The exponent of power() must be between -1000 and 1000."))
    if base == 0 and count < 0:
        return None
    return DECIMALS.power(base, count)


def _number(_ctx: EvalContext, value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


FUNCTIONS: list[Function] = [
    Function(
        "round",
        (sig(_NUM), sig(_NUM, _NUM)),
        returns(NUMBER),
        _round,
        _("Rounds half up (四舍五入) to the given number of decimal places (0 if omitted)."),
        "round(2.345, 2) = 2.35",
    ),
    Function(
        "trunc",
        (sig(_NUM), sig(_NUM, _NUM)),
        returns(NUMBER),
        _trunc,
        _("Cuts off decimal places without rounding."),
        "trunc(2.349, 2) = 2.34",
    ),
    Function(
        "floor",
        (sig(_NUM),),
        returns(NUMBER),
        _floor,
        _("The largest whole number not above the value."),
        "floor(-2.5) = -3",
    ),
    Function(
        "ceil",
        (sig(_NUM),),
        returns(NUMBER),
        _ceil,
        _("The smallest whole number not below the value."),
        "ceil(2.1) = 3",
    ),
    Function(
        "abs",
        (sig(_NUM),),
        returns(NUMBER),
        _abs,
        _("The value without its sign."),
        "abs(-5) = 5",
    ),
    Function(
        "power",
        (sig(_NUM, _NUM),),
        returns(NUMBER),
        _power,
        _("A number raised to a whole power."),
        "power(1.05, 2) = 1.1025",
    ),
    Function(
        "number",
        (sig((STRING, NUMBER, BOOLEAN)),),
        returns(NUMBER),
        _number,
        _("Reads a number from a text (thousands separators allowed); null if it is not one."),
        "number('1,200.50') = 1200.50",
    ),
]
