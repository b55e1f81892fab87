"""Money in the currency another field names: ``"x-currency": {"field": "currency"}``.

A contract in USD, a purchase in JPY: the amount's currency is data of the record (a select
or text field holding an ISO 4217 code, at the top of the form or in the same sub-table row).
Such an amount is validated against its record's currency — the code must be one ISO 4217
knows, and the amount may have at most that currency's decimal places (JPY 0, CNY 2, KWD 3)
unless the field sets ``x-scale`` — and :func:`currency_of` tells the pages which currency to
show it in.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from formflow.errors import Issue
from formflow.forms.fields import FieldSpec
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import _

#: Field types that may hold a currency code.
CURRENCY_HOLDERS = frozenset({"select", "text"})


@functools.cache
def known_currencies() -> frozenset[str]:
    """Every ISO 4217 code the platform knows (from babel's shipped data, read once)."""
    from babel.numbers import list_currencies  # noqa: PLC0415 - keeps importing forms cheap

    return frozenset(list_currencies())


@functools.cache
def currency_places(code: str) -> int:
    """Decimal places of amounts in ``code`` (``JPY`` 0, ``CNY`` 2, ``KWD`` 3)."""
    from babel.numbers import get_currency_precision  # noqa: PLC0415

    return int(get_currency_precision(code))


def currency_field_of(prop: Mapping[str, Any]) -> str | None:
    """The field named by ``x-currency: {"field": ...}`` in a property, if any."""
    raw = prop.get("x-currency")
    if isinstance(raw, Mapping) and isinstance(raw.get("field"), str):
        return str(raw["field"])
    return None


def currency_of(
    spec: FieldSpec, row: Mapping[str, Any] | None, root: Mapping[str, Any]
) -> str | None:
    """The currency of a money field's value: fixed, or read from the record (row first)."""
    if spec.currency_field is None:
        return spec.currency
    for scope in (row, root):
        if scope is not None and isinstance(scope.get(spec.currency_field), str):
            return str(scope[spec.currency_field])
    return None


def check_currency_references(
    fields: Mapping[str, FieldSpec], path: str, parent: Mapping[str, FieldSpec] | None = None
) -> list[Issue]:
    """Definition check: each ``x-currency.field`` names a select or text field that is a
    sibling of the money field or at the top of the form."""
    issues: list[Issue] = []
    for name, spec in fields.items():
        where = child(child(path, "properties"), name)
        if spec.children:
            issues.extend(
                check_currency_references(
                    spec.children, child(where, "items"), parent if parent is not None else fields
                )
            )
        if spec.currency_field is None:
            continue
        holder = fields.get(spec.currency_field)
        if holder is None and parent is not None:
            holder = parent.get(spec.currency_field)
        if holder is None or holder.type_name not in CURRENCY_HOLDERS:
            issues.append(
                Issue(
                    child(child(where, "x-currency"), "field"),
                    _(
                        "{value} is not a select or text field beside this amount or at the top "
                        "of the form, so it cannot give the amount's currency.",
                        value=quote(spec.currency_field),
                    ),
                    "keyword_invalid",
                )
            )
    return issues


@dataclass(frozen=True)
class CurrencyCheck:
    """Money fields (by name) whose currency is a field, and sub-tables holding such fields."""

    names: tuple[FieldSpec, ...]
    tables: tuple[tuple[str, CurrencyCheck], ...] = ()

    @classmethod
    def of(cls, fields: Mapping[str, FieldSpec]) -> CurrencyCheck | None:
        names = tuple(spec for spec in fields.values() if spec.currency_field is not None)
        tables = tuple(
            (name, inner)
            for name, spec in fields.items()
            if spec.children and (inner := cls.of(spec.children)) is not None
        )
        return cls(names, tables) if names or tables else None

    def run(
        self,
        data: Mapping[str, Any],
        root: Mapping[str, Any],
        path: str,
        out: list[Issue],
        in_row: bool = False,
    ) -> None:
        """Append the problems of ``data`` (an object at ``path``) to ``out``."""
        for spec in self.names:
            value = data.get(spec.name)
            if not isinstance(value, Decimal | int) or isinstance(value, bool):
                continue
            code = currency_of(spec, data if in_row else None, root)
            holder_name = spec.currency_field
            if code is None or holder_name is None:
                continue
            if code not in known_currencies():
                holder = child(path if holder_name in data else "$", holder_name)
                issue = Issue(
                    holder,
                    _(
                        "{value} is not a currency code; use a three-letter ISO 4217 code such "
                        "as CNY, USD or EUR.",
                        value=quote(code),
                    ),
                    "currency",
                )
                if issue not in out:
                    out.append(issue)
                continue
            places = spec.scale if spec.scale is not None else currency_places(code)
            exponent = Decimal(value).normalize().as_tuple().exponent
            if isinstance(exponent, int) and -exponent > places:
                out.append(
                    Issue(
                        child(path, spec.name),
                        _(
                            "{field}: amounts in {currency} have at most {places} decimal "
                            "place(s), but {value} has more; round it.",
                            field=spec.title(),
                            currency=code,
                            places=places,
                            value=quote(value),
                        ),
                        "scale",
                    )
                )
        for name, inner in self.tables:
            rows = data.get(name)
            if isinstance(rows, list):
                for index, row in enumerate(rows):
                    if isinstance(row, Mapping):
                        inner.run(row, root, child(child(path, name), index), out, True)
