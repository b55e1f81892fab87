"""Field types whose value the platform derives: serial, computed, rollup.

* ``serial`` — a number assigned by the services when the record is created
  (``x-serial``, see :mod:`formflow.forms.serial`);
* ``computed`` — a value computed from ``x-formula`` on every submit; its JSON ``type`` (and
  ``format`` for dates and times) says what the formula gives. Any other computable type
  (money, date, text ...) may also carry ``x-formula`` and then keeps its own checks;
* ``rollup`` — an aggregate over linked records (``x-rollup``, :mod:`formflow.forms.rollup`),
  kept current by the services in SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from formflow.errors import Issue
from formflow.expr import BOOLEAN, DATE, DATETIME, NUMBER, STRING, TIME, Type
from formflow.forms.fields import FieldSpec, IndexKind
from formflow.forms.fieldtypes.base import (
    DefinitionContext,
    FieldType,
    declared_types,
    register,
)
from formflow.forms.fieldtypes.keywordchecks import check_int_keyword
from formflow.forms.fieldtypes.numeric import MAX_SCALE
from formflow.forms.paths import child
from formflow.forms.rollup import parse_rollup
from formflow.forms.serial import parse_serial
from formflow.i18n import _


@register
class SerialType(FieldType):
    """A number such as ``BX-202601-0001`` assigned when the record is created."""

    name = "serial"
    json_types: ClassVar[tuple[str, ...]] = ("string",)
    widgets = ("readonly",)
    index_kind = IndexKind.TEXT
    keywords = frozenset({"x-serial"})
    system = True

    def expr_type(self, spec: FieldSpec) -> Type:
        return STRING

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        _pattern, issues = parse_serial(prop.get("x-serial"), child(path, "x-serial"))
        yield from issues


def formula_result_type(schema: Mapping[str, Any]) -> Type:
    """The expression type a computed field's JSON ``type``/``format`` promises."""
    types = declared_types(schema)
    kind = types[0] if types else "number"
    if kind in {"number", "integer"}:
        return NUMBER
    if kind == "boolean":
        return BOOLEAN
    return {"date": DATE, "date-time": DATETIME, "time": TIME}.get(
        str(schema.get("format")), STRING
    )


@register
class ComputedType(FieldType):
    """A value computed from ``x-formula``; its JSON type says what the formula gives."""

    name = "computed"
    json_types: ClassVar[tuple[str, ...]] = ("number", "integer", "string", "boolean")
    widgets = ("readonly",)
    index_kind = IndexKind.NUMBER
    keywords = frozenset({"x-scale"})
    computable = True

    def expr_type(self, spec: FieldSpec) -> Type:
        return formula_result_type(spec.schema)

    def index_for(self, schema: Mapping[str, Any]) -> IndexKind | None:
        """Numbers are indexed as numbers; texts, dates and times as text; booleans not."""
        result = formula_result_type(schema)
        if result == NUMBER:
            return IndexKind.NUMBER
        return None if result == BOOLEAN else IndexKind.TEXT

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from check_int_keyword(prop, "x-scale", path, 0, MAX_SCALE)
        if "x-formula" not in prop:
            yield Issue(
                child(path, "x-formula"),
                _(
                    "A computed field needs its formula in x-formula, such as {example}.",
                    example="sum(items.amount)",
                ),
                "formula_missing",
            )


@register
class RollupType(FieldType):
    """An aggregate (sum, count, avg, min, max) over records that link to this one."""

    name = "rollup"
    json_types: ClassVar[tuple[str, ...]] = ("number", "integer")
    widgets = ("readonly",)
    index_kind = IndexKind.NUMBER
    keywords = frozenset({"x-rollup", "x-scale"})
    system = True

    def expr_type(self, spec: FieldSpec) -> Type:
        return NUMBER

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        _spec, issues = parse_rollup(prop.get("x-rollup"), child(path, "x-rollup"), context)
        yield from issues
