"""The expression scope of a form: which names an expression may use, with which types.

Top-level fields give the form scope (a sub-table is a list of rows). Inside a sub-table row
— a column's formula, a column's UI condition — the row's columns are visible by their bare
names too, on top of the form's fields (a column hides a form field of the same name), so
``qty * price * (1 + tax_rate)`` may mix a row's ``qty`` with the form's ``tax_rate``.

Linked forms are added to ``Scope.forms`` so ``customer.level`` type-checks when ``customer``
links to the ``customer`` form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from formflow.expr import ListType, RowType, Scope, Type
from formflow.forms.fields import FieldSpec, find_field
from formflow.forms.forminfo import FormInfo


def field_types(fields: Mapping[str, FieldSpec]) -> dict[str, Type]:
    """Each field's expression type by name."""
    return {name: spec.type.expr_type(spec) for name, spec in fields.items()}


def row_type(fields: Mapping[str, FieldSpec]) -> RowType:
    """The row type of a record with ``fields`` (used for linked forms)."""
    return RowType(field_types(fields))


def scope_for(
    fields: Mapping[str, FieldSpec],
    known_forms: Mapping[str, FormInfo] | None = None,
    self_key: str | None = None,
) -> Scope:
    """The scope over one record with ``fields``, navigating into linked forms."""
    forms: dict[str, RowType] = {}
    for info in (known_forms or {}).values():
        forms[info.key] = row_type(info.fields)
    if self_key is not None:
        forms[self_key] = row_type(fields)
    return Scope(fields=field_types(fields), forms=forms)


def row_scope(base: Scope, fields: Mapping[str, FieldSpec], table_path: Sequence[str]) -> Scope:
    """The scope inside a row of the sub-table at ``table_path`` (``["items"]``, nested
    ``["items", "parts"]``): the form's fields, then each enclosing row's columns."""
    merged: dict[str, Type] = dict(base.fields)
    for depth in range(1, len(table_path) + 1):
        table = find_field(fields, ".".join(table_path[:depth]))
        if table is not None:
            merged.update(field_types(table.children))
    return Scope(fields=merged, tables=base.tables, variables=base.variables, forms=base.forms)


def aggregate_scope(fields: Mapping[str, FieldSpec]) -> Scope:
    """The scope of an aggregate constraint: every top-level field as the list of its values
    over the records of one group (``sum(qty) >= 0``)."""
    return Scope(fields={name: ListType(kind) for name, kind in field_types(fields).items()})


def row_values(top: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The values a row expression sees: the form's fields overlaid by each enclosing row,
    outermost first (the same visibility as :func:`row_scope`)."""
    if not rows:
        return top
    merged = dict(top)
    for row in rows:
        merged.update(row)
    return merged
