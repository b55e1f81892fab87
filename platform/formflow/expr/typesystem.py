"""The static types of the expression language, and the rules that combine them.

A type says what kind of value an expression gives: a number, a text, a date, a list of
numbers taken from a sub-table, a user reference ... The checker (:mod:`formflow.expr.checker`)
computes one type per node; the evaluator uses the field types of a :class:`~.Scope` to turn
stored JSON into Python values (:mod:`formflow.expr.values`).

Two special types keep diagnostics useful: ``NULL`` is the type of the literal ``null`` and fits
everywhere; ``ANY`` is given to anything the checker could not understand (an unknown field, a
call to an unknown function), so that one mistake produces one diagnostic, not ten.

A :class:`ListType` remembers its ``origin``: the sub-table its items come from (``"items"``
for ``items.qty``). Two lists combine row by row only when they share an origin.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from formflow.i18n import Msg, _


@dataclass(frozen=True, slots=True)
class ScalarType:
    """One of the built-in single-value types (``NUMBER``, ``STRING`` ...)."""

    name: str

    def __repr__(self) -> str:
        return self.name.upper()


NUMBER = ScalarType("number")
STRING = ScalarType("string")
BOOLEAN = ScalarType("boolean")
DATE = ScalarType("date")
DATETIME = ScalarType("datetime")
TIME = ScalarType("time")
NULL = ScalarType("null")
ANY = ScalarType("any")


@dataclass(frozen=True, slots=True)
class ListType:
    """A list of ``item`` values; ``origin`` names the sub-table a column list comes from."""

    item: Type
    origin: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, init=False)
class RowType:
    """A row with named, typed columns: a sub-table row, a lookup-table row, a record."""

    fields: Mapping[str, Type]
    _key: tuple[tuple[str, Type], ...] = field(repr=False)

    def __init__(self, fields: Mapping[str, Type]) -> None:
        object.__setattr__(self, "fields", dict(fields))
        object.__setattr__(self, "_key", tuple(sorted(fields.items(), key=lambda kv: kv[0])))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RowType) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)


RefKind = Literal["user", "department", "record"]


@dataclass(frozen=True, slots=True)
class RefType:
    """A reference (an integer id) to a user, a department, or a record of ``form``."""

    kind: RefKind
    form: str | None = None


Type = ScalarType | ListType | RowType | RefType

#: Types whose values can be ordered with < and >.
ORDERED: frozenset[Type] = frozenset({NUMBER, STRING, DATE, DATETIME, TIME})


def is_unknown(value: Type) -> bool:
    """True for ``ANY`` and ``NULL``: types that fit wherever a value is expected."""
    return value in (ANY, NULL)


def is_list(value: Type) -> bool:
    return isinstance(value, ListType)


def is_rows(value: Type) -> bool:
    """True for a list of rows (a sub-table)."""
    return isinstance(value, ListType) and isinstance(value.item, RowType)


def fits(actual: Type, expected: Type) -> bool:
    """True when a value of type ``actual`` may stand where ``expected`` is asked for."""
    if is_unknown(actual) or expected == ANY:
        return True
    if isinstance(expected, ListType):
        return isinstance(actual, ListType) and fits(actual.item, expected.item)
    if isinstance(expected, RefType) and isinstance(actual, RefType):
        return expected.kind == actual.kind and (
            expected.form is None or actual.form is None or expected.form == actual.form
        )
    return actual == expected


def unify(first: Type, second: Type) -> Type | None:
    """The common type of two branches (``if``, ``coalesce``, list items), None if none.

    ``NULL`` gives way to the other type; ``ANY`` absorbs everything; two list types unify
    when their items do (keeping a shared origin).
    """
    if first == NULL:
        return second
    if second == NULL:
        return first
    if ANY in (first, second):
        return ANY
    if isinstance(first, ListType) and isinstance(second, ListType):
        item = unify(first.item, second.item)
        if item is None:
            return None
        origin = first.origin if first.origin == second.origin else None
        return ListType(item, origin)
    if isinstance(first, RefType) and isinstance(second, RefType):
        if first.kind != second.kind:
            return None
        return first if first.form == second.form else RefType(first.kind)
    return first if first == second else None


def are_comparable(first: Type, second: Type) -> bool:
    """True when ``=``/``!=`` between the two types makes sense.

    References compare with references of the same kind and with numbers (their ids).
    """
    if is_unknown(first) or is_unknown(second):
        return True
    if isinstance(first, RefType) and second == NUMBER:
        return True
    if isinstance(second, RefType) and first == NUMBER:
        return True
    return unify(first, second) is not None


def element(value: Type) -> Type:
    """The item type of a list, or the type itself (for broadcasting a scalar)."""
    return value.item if isinstance(value, ListType) else value


_SCALAR_NAMES: dict[str, Msg] = {
    "number": _("a number"),
    "string": _("a text"),
    "boolean": _("true/false"),
    "date": _("a date"),
    "datetime": _("a date and time"),
    "time": _("a time of day"),
    "null": _("empty (null)"),
    "any": _("any value"),
}


def describe(value: Type) -> Msg:
    """A phrase naming the type for a form designer ("a number", "a list of dates")."""
    if isinstance(value, ScalarType):
        return _SCALAR_NAMES[value.name]
    if isinstance(value, ListType):
        if value.origin is not None:
            return _(
                "a list of {item} from sub-table `{origin}`",
                item=describe(value.item),
                origin=value.origin,
            )
        return _("a list of {item}", item=describe(value.item))
    if isinstance(value, RowType):
        return _("a row with {columns}", columns=", ".join(sorted(value.fields)))
    if value.kind == "user":
        return _("a user")
    if value.kind == "department":
        return _("a department")
    if value.form is not None:
        return _("a record of form `{form}`", form=value.form)
    return _("a record")


def walk_fields(row: RowType) -> Iterator[tuple[str, Type]]:
    """The columns of a row in name order (stable for messages and docs)."""
    yield from sorted(row.fields.items(), key=lambda item: item[0])
