"""Running the field types' platform checks over submitted data.

The checks that JSON Schema cannot express (ID-card check digits, money scale, phone numbers,
file limits ...) run on every submission, valid or not, so they are planned once per form:
only fields that have a check, and sub-tables containing such fields, are visited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from formflow.errors import Issue
from formflow.forms.fields import FieldSpec
from formflow.forms.fieldtypes import CheckContext, ValueCheck


@dataclass(frozen=True)
class CheckPlan:
    """The check of one field (if any) and the plans of its sub-table columns."""

    name: str
    check: ValueCheck | None
    in_drafts: bool
    columns: tuple[CheckPlan, ...] = ()


def plan_checks(fields: Mapping[str, FieldSpec]) -> tuple[CheckPlan, ...]:
    """The checks to run for ``fields`` (empty when no field has any)."""
    plans: list[CheckPlan] = []
    for spec in fields.values():
        columns = plan_checks(spec.children) if spec.children else ()
        check = spec.type.value_check(spec)
        if check is not None or columns:
            plans.append(CheckPlan(spec.name, check, spec.type.check_drafts, columns))
    return tuple(plans)


def run_checks(
    plans: Sequence[CheckPlan],
    data: Mapping[str, object],
    path: str,
    context: CheckContext,
    out: list[Issue],
) -> None:
    """Append the problems found in ``data`` (an object at ``path``) to ``out``."""
    for plan in plans:
        value = data.get(plan.name)
        if value is None:
            continue
        where = f"{path}.{plan.name}"  # field names are identifiers: no quoting needed
        if plan.check is not None and (plan.in_drafts or not context.draft):
            found = plan.check(value, where, context)
            if found:
                out.extend(found)
        if plan.columns and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, Mapping):
                    run_checks(plan.columns, row, f"{where}[{index}]", context, out)
