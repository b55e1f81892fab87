"""Rollups (``x-rollup``): a field that aggregates a field of linked records.

``{"form": "payment", "link": "contract", "aggregate": "sum", "field": "amount",
"where": "status = 'confirmed'"}`` on a contract means: the sum of ``amount`` over the
payments whose ``contract`` field links to this contract and whose ``where`` holds. The
services compute it in SQL and keep it current when linked records change; this module
parses and checks the definition, and type-checks ``where`` against the other form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from formflow.errors import Issue
from formflow.expr import BOOLEAN, Checked
from formflow.forms.expressions import compile_at
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import _

if TYPE_CHECKING:
    from formflow.forms.fieldtypes.base import DefinitionContext


class Aggregate(StrEnum):
    SUM = "sum"
    COUNT = "count"
    AVG = "avg"
    MIN = "min"
    MAX = "max"


#: Field types each aggregate accepts for ``field`` (count needs none).
_NUMERIC = frozenset({"number", "integer", "money", "percent", "rating", "rollup", "computed"})
_ORDERED = _NUMERIC | {"date", "datetime", "time"}


@dataclass(frozen=True)
class RollupSpec:
    """A checked ``x-rollup``; ``where_checked`` is the compiled filter (None without one)."""

    form: str
    link: str
    aggregate: Aggregate
    field: str | None = None
    where: str | None = None
    where_checked: Checked | None = dataclasses.field(default=None, compare=False, repr=False)


def parse_rollup(
    raw: Any, path: str, context: DefinitionContext
) -> tuple[RollupSpec | None, list[Issue]]:
    """Parse and check an ``x-rollup`` found at ``path`` against ``context.known_forms``."""
    example = '{"form": "payment", "link": "contract", "aggregate": "sum", "field": "amount"}'
    if not isinstance(raw, Mapping):
        return None, [
            Issue(
                path,
                _("x-rollup describes what to add up, for example {example}.", example=example),
                "rollup_invalid",
            )
        ]
    issues: list[Issue] = []
    for key in sorted(set(raw) - {"form", "link", "aggregate", "field", "where"}):
        issues.append(
            Issue(
                child(path, key),
                _(
                    "Unknown key {key} in x-rollup; it takes form, "
                    "link, aggregate, field and where.",
                    key=quote(key),
                ),
                "rollup_invalid",
            )
        )
    form, link, name = raw.get("form"), raw.get("link"), raw.get("field")
    try:
        aggregate = Aggregate(str(raw.get("aggregate")))
    except ValueError:
        issues.append(
            Issue(
                child(path, "aggregate"),
                _(
                    "{value} is not an aggregate; use sum, count, avg, min or max.",
                    value=quote(raw.get("aggregate")),
                ),
                "rollup_invalid",
            )
        )
        aggregate = Aggregate.COUNT
    if not isinstance(form, str) or not isinstance(link, str):
        issues.append(
            Issue(
                path,
                _("x-rollup needs form and link, for example {example}.", example=example),
                "rollup_invalid",
            )
        )
        return None, issues
    if context.known_forms is None:
        # A shallow compile: the other form is not looked at (see DefinitionContext).
        if issues:
            return None, issues
        where_source = raw.get("where")
        return RollupSpec(
            form,
            link,
            aggregate,
            name if isinstance(name, str) else None,
            where_source if isinstance(where_source, str) else None,
        ), []
    info = context.known_forms.get(form)
    if info is None:
        issues.append(
            Issue(
                child(path, "form"),
                _(
                    "There is no form {form} to roll up; create it first or correct the key.",
                    form=quote(form),
                ),
                "unknown_form",
            )
        )
        return None, issues
    link_spec = info.fields.get(link)
    if link_spec is None or link_spec.type_name != "link":
        issues.append(
            Issue(
                child(path, "link"),
                _(
                    "Form {form} has no link field {field}; name "
                    "the field of {form} that links to this form.",
                    form=quote(form),
                    field=quote(link),
                ),
                "rollup_link",
            )
        )
    elif (
        context.form_key is not None
        and link_spec.link is not None
        and link_spec.link.form != context.form_key
    ):
        issues.append(
            Issue(
                child(path, "link"),
                _(
                    "{field} of form {form} links to {target}, not to this form.",
                    field=quote(link),
                    form=quote(form),
                    target=quote(link_spec.link.form),
                ),
                "rollup_link",
            )
        )
    if aggregate is not Aggregate.COUNT or name is not None:
        allowed = _ORDERED if aggregate in {Aggregate.MIN, Aggregate.MAX} else _NUMERIC
        target = info.fields.get(name) if isinstance(name, str) else None
        if target is None:
            issues.append(
                Issue(
                    child(path, "field"),
                    _(
                        "Form {form} has no field {field} to aggregate.",
                        form=quote(form),
                        field=quote(name),
                    ),
                    "unknown_field",
                )
            )
        elif target.type_name not in allowed:
            issues.append(
                Issue(
                    child(path, "field"),
                    _(
                        "{aggregate} cannot be taken over "
                        "{field}, a {kind} field; choose a "
                        "number field.",
                        aggregate=aggregate.value,
                        field=quote(name),
                        kind=target.type_name,
                    ),
                    "rollup_field",
                )
            )
    where = raw.get("where")
    where_checked = None
    if where is not None:
        where_checked, problems = compile_at(where, info.scope(), BOOLEAN, child(path, "where"))
        issues.extend(problems)
    if issues:
        return None, issues
    return RollupSpec(form, link, aggregate, name, where, where_checked), []
