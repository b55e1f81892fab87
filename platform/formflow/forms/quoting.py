"""How values appear inside messages: short, unambiguous, never a Python repr.

A user who typed ``12,5`` into a number field should read “12,5” in the message, not
``'12,5'`` or ``Decimal('12.5')``. Long values are cut so a pasted document does not flood the
error list.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import simplejson

MAX_QUOTED = 40


def quote(value: Any) -> str:
    """``value`` as a user would recognise it, in “quotes”, cut to about 40 characters."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool) or value is None:
        text = simplejson.dumps(value)
    elif isinstance(value, Decimal | int | float):
        return number_text(value)
    else:
        try:
            text = simplejson.dumps(value, ensure_ascii=False, use_decimal=True, default=str)
        except (TypeError, ValueError):
            text = str(value)
    if len(text) > MAX_QUOTED:
        text = text[: MAX_QUOTED - 1] + "…"
    return f"“{text}”"


def number_text(value: Decimal | int | float) -> str:
    """A number in plain positional notation (``1000``, not ``1E+3``)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        return format(value, "f")
    return str(value)
