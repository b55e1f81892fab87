"""Small checks shared by field types for their own ``x-`` keywords and values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from formflow.errors import Issue
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import Msg, _


def is_int(value: Any) -> bool:
    """True for a JSON integer (``5``, or a Decimal/float with no fraction), never a bool."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value()
    if isinstance(value, float):
        return value.is_integer()
    return False


def is_number(value: Any) -> bool:
    """True for a JSON number (int, Decimal or float), never a bool."""
    return isinstance(value, int | Decimal | float) and not isinstance(value, bool)


def check_int_keyword(
    prop: Mapping[str, Any], key: str, path: str, low: int, high: int
) -> Iterator[Issue]:
    """``prop[key]``, when present, must be a whole number from ``low`` to ``high``."""
    if key not in prop:
        return
    value = prop[key]
    if not is_int(value) or not low <= int(value) <= high:
        yield Issue(
            child(path, key),
            _(
                "{keyword} must be a whole number from {low} to {high}, not {value}.",
                keyword=key,
                low=low,
                high=high,
                value=quote(value),
            ),
            "keyword_invalid",
        )


def check_bool_keyword(prop: Mapping[str, Any], key: str, path: str) -> Iterator[Issue]:
    """``prop[key]``, when present, must be true or false."""
    if key in prop and not isinstance(prop[key], bool):
        yield Issue(
            child(path, key),
            _("{keyword} must be true or false, not {value}.", keyword=key, value=quote(prop[key])),
            "keyword_invalid",
        )


def decimal_places(value: Any) -> int:
    """How many digits a number has after the decimal point (``1.50`` has 1, ``2`` has 0)."""
    if isinstance(value, int):
        return 0
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not number.is_finite():
        return 0
    exponent = number.normalize().as_tuple().exponent
    return max(0, -int(exponent))


def scale_problem(value: Any, scale: int, title: Msg) -> Msg | None:
    """The message when ``value`` has more decimal places than ``scale`` allows."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -scale:
            return None  # the common case, without normalising
    if not is_number(value) or decimal_places(value) <= scale:
        return None
    if scale == 0:
        return _(
            "{field} must be a whole number; {value} has decimals.", field=title, value=quote(value)
        )
    return _(
        "{field} allows at most {scale} decimal places; {value} has more.",
        field=title,
        scale=scale,
        value=quote(value),
    )
