"""Number-like field types: number, integer, money, percent, rating.

Numbers are ``Decimal`` inside the platform (JSON bodies are parsed with ``use_decimal``), so
money is exact. ``x-scale`` is the number of decimal places a value may have; computed values
are rounded to it (ROUND_HALF_UP, 四舍五入), entered values with more places are refused
rather than silently rounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from formflow.errors import Issue
from formflow.expr import NUMBER, Type
from formflow.forms.fields import FieldSpec, IndexKind
from formflow.forms.fieldtypes.base import (
    NO_ISSUES,
    CheckContext,
    DefinitionContext,
    FieldType,
    ValueCheck,
    register,
)
from formflow.forms.fieldtypes.keywordchecks import (
    check_int_keyword,
    is_number,
    scale_problem,
)
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import _

DEFAULT_MONEY_SCALE = 2
DEFAULT_CURRENCY = "CNY"
DEFAULT_RATING_MAX = 5
MAX_SCALE = 10
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class _Numeric(FieldType):
    json_types: ClassVar[tuple[str, ...]] = ("number", "integer")
    index_kind = IndexKind.NUMBER
    computable = True
    check_drafts = True

    def expr_type(self, spec: FieldSpec) -> Type:
        return NUMBER

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from check_int_keyword(prop, "x-scale", path, 0, MAX_SCALE)

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        scale = spec.scale
        if scale is None:
            return None
        title = spec.title()

        def check(value: Any, path: str, context: CheckContext) -> Sequence[Issue]:
            problem = scale_problem(value, scale, title)
            return NO_ISSUES if problem is None else [Issue(path, problem, "scale")]

        return check


@register
class NumberType(_Numeric):
    """A decimal number; ``x-scale`` optionally limits the decimal places."""

    name = "number"
    widgets = ("number", "slider", "stepper")
    keywords = frozenset({"x-scale"})


@register
class IntegerType(_Numeric):
    """A whole number."""

    name = "integer"
    json_types = ("integer",)
    widgets = ("number", "slider", "stepper")

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        return iter(())

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        return None  # "type": "integer" already refuses decimals


@register
class MoneyType(_Numeric):
    """An exact amount of money in ``x-currency`` (default CNY) with ``x-scale`` places (2)."""

    name = "money"
    widgets = ("money", "number")
    keywords = frozenset({"x-currency", "x-scale"})

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from super().check_definition(prop, path, context)
        currency = prop.get("x-currency", DEFAULT_CURRENCY)
        if (
            isinstance(currency, Mapping)
            and set(currency) == {"field"}
            and isinstance(currency["field"], str)
        ):
            return  # the field is checked with the form (formflow.forms.currency)
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            yield Issue(
                child(path, "x-currency"),
                _(
                    "{value} is not a currency code; use a three-letter ISO 4217 code such "
                    "as CNY, USD or EUR, or name the field holding the currency: "
                    '{{"field": "currency"}}.',
                    value=quote(currency),
                ),
                "keyword_invalid",
            )


@register
class PercentType(_Numeric):
    """A percentage stored as a fraction: ``0.125`` is shown as 12.5 %."""

    name = "percent"
    widgets = ("percent", "slider", "number")
    keywords = frozenset({"x-scale"})


@register
class RatingType(FieldType):
    """Stars from 1 to ``x-rating-max`` (default 5)."""

    name = "rating"
    json_types = ("integer",)
    widgets = ("stars", "number")
    index_kind = IndexKind.NUMBER
    keywords = frozenset({"x-rating-max"})

    def expr_type(self, spec: FieldSpec) -> Type:
        return NUMBER

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from check_int_keyword(prop, "x-rating-max", path, 2, 10)

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        top = spec.schema.get("x-rating-max", DEFAULT_RATING_MAX)
        title = spec.title()

        def check(value: Any, path: str, context: CheckContext) -> Sequence[Issue]:
            if not is_number(value) or 1 <= value <= top:
                return NO_ISSUES
            return [
                Issue(
                    path,
                    _(
                        "{field} takes 1 to {top} stars, not {value}.",
                        field=title,
                        top=top,
                        value=quote(value),
                    ),
                    "rating",
                )
            ]

        return check
