"""The closed allowlist of functions an expression may call.

Ordinary functions (typed signatures, a pure implementation each) live in :mod:`.numbers`,
:mod:`.text` and :mod:`.dates` and are collected in :data:`FUNCTIONS`. A few functions need
more than "evaluate the arguments, then call": they choose what to evaluate (``if``,
``coalesce``), run a row expression per sub-table row (``sum``, ``count``, ``avg``, ``min``,
``max``), read a lookup table (``bracket``, ``lookup``) or a pack setting (``setting``).
They are the :data:`SPECIAL_FORMS`, typed in :mod:`formflow.expr.calls_check` and evaluated
in :mod:`formflow.expr.calls_eval`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from formflow.expr.context import EvalContext
from formflow.expr.functions import dates, numbers, text
from formflow.expr.functions.spec import Function, Signature, returns, sig
from formflow.expr.typesystem import ANY, BOOLEAN
from formflow.i18n import Msg, _


def _is_empty(_ctx: EvalContext, value: Any) -> bool:
    return value is None or value in ("", [], {})


_GENERAL = [
    Function(
        "is_empty",
        (sig((ANY,)),),
        returns(BOOLEAN),
        _is_empty,
        _("True when the value is null, an empty text or an empty list."),
        "is_empty(attachments)",
        keeps_nulls=True,
    ),
]

#: Ordinary allowlisted functions by name.
FUNCTIONS: Mapping[str, Function] = {
    function.name: function
    for function in (*_GENERAL, *numbers.FUNCTIONS, *text.FUNCTIONS, *dates.FUNCTIONS)
}

#: Functions with their own typing and evaluation rules: name -> (summary, example).
SPECIAL_FORMS: Mapping[str, tuple[Msg, str]] = {
    "if": (
        _("The second value when the condition is true, else the third (null counts as false)."),
        "if(days > 3, 'long', 'short')",
    ),
    "coalesce": (_("The first value that is not null."), "coalesce(discount, 0)"),
    "sum": (
        _("The total of a list, or of a row formula over a sub-table; 0 when empty."),
        "sum(items, qty * price)",
    ),
    "count": (
        _("The number of non-null items of a list, or of sub-table rows matching a condition."),
        "count(items, amount > 1000)",
    ),
    "avg": (_("The average of a list or of a row formula; null when empty."), "avg(scores)"),
    "min": (
        _("The smallest of several values, of a list, or of a row formula over a sub-table."),
        "min(amount, 5000)",
    ),
    "max": (
        _("The largest of several values, of a list, or of a row formula over a sub-table."),
        "max(items, price)",
    ),
    "bracket": (
        _("The row of a bracket table whose upper bound is the first at or above the value."),
        "bracket(taxable, 'iit').rate",
    ),
    "lookup": (_("The row of a lookup table with the given key."), "lookup('city', city).rate"),
    "setting": (
        _("The value of a setting of the form's pack, as the admin set it."),
        "days * setting('trip_daily_allowance')",
    ),
}

#: Every function name the language knows (for "did you mean" suggestions and docs).
ALL_NAMES: frozenset[str] = frozenset(FUNCTIONS) | frozenset(SPECIAL_FORMS)

__all__ = ["ALL_NAMES", "FUNCTIONS", "SPECIAL_FORMS", "Function", "Signature"]
