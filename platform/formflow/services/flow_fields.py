"""Fields the flow fills in: ``x-flow-only`` on the form and ``require`` at a step.

* A form's ``x-flow-only`` fields (payment date, voucher number, legal opinion) are filled in
  by the people of a flow step that makes them editable, or by the flow's own actions —
  never by the initiator. :func:`refuse_initiator_values` refuses (422, one error per field)
  a submission, a draft or a change made outside a flow step that sets or changes one.
* A step's ``require f1, f2`` fields must be filled in when someone approves or completes the
  step: :func:`require_step_fields` refuses (422) otherwise, naming every missing field (a
  sub-table column in every row). Rejecting and returning are never blocked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from formflow.errors import Issue, ValidationFailed
from formflow.forms import CompiledForm
from formflow.forms.submission import is_empty
from formflow.i18n import _


def refuse_initiator_values(
    form: CompiledForm, data: object, old: Mapping[str, Any] | None = None
) -> None:
    """Raise :class:`ValidationFailed` when ``data`` sets or changes a flow-only field.

    ``old`` is the record's data before the change (None for a new record): a patch may
    repeat a value the flow already wrote (pages send the whole record back).
    """
    if not isinstance(data, Mapping):
        return  # not an object at all: the record service says so
    issues: list[Issue] = []
    for name in form.flow_only:
        if name not in data:
            continue
        value = data[name]
        before = (old or {}).get(name)
        if (old is None and is_empty(value)) or (old is not None and value == before):
            continue
        if old is not None and is_empty(value) and is_empty(before):
            continue
        issues.append(
            Issue(
                f"$.{name}",
                _(
                    "{field} is filled in during the approval flow, by the step that handles "
                    "it, not when the request is submitted or changed; leave it empty.",
                    field=form.fields[name].title(),
                ),
                "flow_only",
            )
        )
    if issues:
        raise ValidationFailed(issues)


def missing_step_fields(
    form: CompiledForm, required: Sequence[str], data: Mapping[str, Any]
) -> list[Issue]:
    """One issue per required path that is empty in ``data`` (columns: per row)."""
    issues: list[Issue] = []
    for path in required:
        table, _sep, column = path.partition(".")
        spec = form.fields.get(table)
        if spec is None:
            continue  # the form changed since the flow was published; nothing to require
        if not column:
            if is_empty(data.get(table)):
                issues.append(_missing(f"$.{table}", spec.title()))
            continue
        child = spec.children.get(column)
        rows = data.get(table)
        if child is None or not isinstance(rows, list):
            continue
        for index, row in enumerate(rows):
            if isinstance(row, Mapping) and is_empty(row.get(column)):
                issues.append(_missing(f"$.{table}[{index}].{column}", child.title()))
    return issues


def _missing(path: str, field: Any) -> Issue:
    return Issue(
        path,
        _(
            "{field} must be filled in before this step can be completed; fill it in and "
            "send it with your action.",
            field=field,
        ),
        "required_at_step",
    )


def require_step_fields(
    form: CompiledForm, required: Sequence[str], data: Mapping[str, Any]
) -> None:
    """Raise :class:`ValidationFailed` (422) listing the step's required fields still empty."""
    issues = missing_step_fields(form, required, data)
    if issues:
        raise ValidationFailed(
            issues,
            _(
                "This step needs {count} more field(s) filled in before it can be completed; "
                "see errors.",
                count=len(issues),
            ),
        )
