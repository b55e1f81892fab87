"""Who may read a record, as data: the form keyword ``x-readers``.

Announcements are for some departments, a document folder for some roles: the form names
the fields that say so, and the platform turns a record's values into *reader principals*
that the services store beside the record and match in SQL::

    "x-readers": {
      "fields": ["target_departments.department", "reader_users", "reader_roles"],
      "everyone_if": "audience = 'all'",
      "when": "published"
    }

* a ``user`` or ``users`` field gives ``user:<id>`` — that person;
* a ``department`` or ``departments`` field (or such a sub-table column) gives
  ``department:<id>`` — everyone in the department or below it;
* a ``select``, ``multiselect`` or ``text`` field gives ``role:<key>`` — holders of the role
  whose key is the value;
* ``everyone_if`` (a condition over the record) gives ``everyone`` when it holds;
* ``when`` (a condition over the record) gates all of the above: until it holds the record has
  no readers (an announcement is read by its audience once the flow has published it).

The principals depend on the record only; whether a user matches one (their department's
ancestors, their roles) is decided when they read, so moving people between departments
needs no update of stored records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from formflow.errors import EvaluationFailed, Issue
from formflow.expr import BOOLEAN, Checked, EvalContext, Scope, evaluate
from formflow.forms.expressions import compile_at
from formflow.forms.fields import FieldSpec
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import _

EVERYONE = "everyone"
#: Field types and the kind of principal their values name.
PRINCIPAL_KINDS: Mapping[str, str] = {
    "user": "user",
    "users": "user",
    "department": "department",
    "departments": "department",
    "select": "role",
    "multiselect": "role",
    "text": "role",
}


@dataclass(frozen=True)
class ReaderField:
    """One field (``name`` or ``table.column``) whose values name readers of ``kind``."""

    path: str
    kind: str


@dataclass(frozen=True)
class ReadersSpec:
    """The compiled ``x-readers`` of a form."""

    fields: tuple[ReaderField, ...] = ()
    everyone_if: str | None = None
    condition: Checked | None = field(default=None, compare=False, repr=False)
    when: str | None = None
    gate: Checked | None = field(default=None, compare=False, repr=False)

    def principals(
        self, data: Mapping[str, Any], context: EvalContext | None = None
    ) -> frozenset[str]:
        """The reader principals of a record with ``data`` (see the module docstring).

        A condition that cannot be evaluated counts as false: the record then stays
        readable only by those the other rules name (never by more people than meant).
        """
        found: set[str] = set()
        if self.gate is not None and not _holds(self.gate, data, context):
            return frozenset()
        if self.condition is not None and _holds(self.condition, data, context):
            found.add(EVERYONE)
        for reader in self.fields:
            for value in _values(data, reader.path):
                principal = _principal(reader.kind, value)
                if principal is not None:
                    found.add(principal)
        return frozenset(found)


def _holds(condition: Checked, data: Mapping[str, Any], context: EvalContext | None) -> bool:
    try:
        return evaluate(condition, data, context) is True
    except EvaluationFailed:
        return False


def _values(data: Mapping[str, Any], path: str) -> Iterable[Any]:
    name, _sep, column = path.partition(".")
    value = data.get(name)
    if column:
        rows = value if isinstance(value, list) else []
        value = [row.get(column) for row in rows if isinstance(row, Mapping)]
    if isinstance(value, list):
        return [item for item in value if item is not None]
    return [] if value is None else [value]


def _principal(kind: str, value: Any) -> str | None:
    if kind == "role":
        text = str(value).strip() if isinstance(value, str) else ""
        return f"role:{text}" if text and len(text) <= 64 else None
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value)
    return f"{kind}:{text}" if text.isdigit() else None


def compile_readers(
    raw: Any, fields: Mapping[str, FieldSpec], scope: Scope, path: str
) -> tuple[ReadersSpec | None, list[Issue]]:
    """Check and compile ``x-readers`` (found at ``path``); None when absent."""
    if raw is None:
        return None, []
    example = '{"fields": ["target_departments.department"], "everyone_if": "audience = \'all\'"}'
    if not isinstance(raw, Mapping):
        return None, [
            Issue(
                path,
                _("x-readers is an object such as {example}.", example=example),
                "readers_invalid",
            )
        ]
    issues: list[Issue] = []
    for key in sorted(set(raw) - {"fields", "everyone_if", "when"}):
        issues.append(
            Issue(
                child(path, str(key)),
                _(
                    "Unknown key {key} in x-readers; it takes fields, everyone_if and when.",
                    key=key,
                ),
                "readers_invalid",
            )
        )
    names = raw.get("fields", [])
    readers: list[ReaderField] = []
    if not isinstance(names, list):
        issues.append(
            Issue(
                child(path, "fields"),
                _("fields lists field names, such as {example}.", example='["reader_users"]'),
                "readers_invalid",
            )
        )
        names = []
    for index, name in enumerate(names):
        kind = _reader_kind(fields, name)
        if kind is None:
            issues.append(
                Issue(
                    child(child(path, "fields"), index),
                    _(
                        "{value} is not a field that names readers: use a user, users, "
                        "department or departments field (or such a sub-table column), or a "
                        "select, multiselect or text field holding role keys.",
                        value=quote(name),
                    ),
                    "readers_invalid",
                )
            )
            continue
        readers.append(ReaderField(name, kind))
    condition = None
    source = raw.get("everyone_if")
    if source is not None:
        condition, problems = compile_at(source, scope, BOOLEAN, child(path, "everyone_if"))
        issues.extend(problems)
    gate = None
    when = raw.get("when")
    if when is not None:
        gate, problems = compile_at(when, scope, BOOLEAN, child(path, "when"))
        issues.extend(problems)
    if not issues and not readers and condition is None:
        issues.append(
            Issue(
                path,
                _("x-readers names nobody: list fields in fields, or give everyone_if."),
                "readers_invalid",
            )
        )
    if issues:
        return None, issues
    return (
        ReadersSpec(
            tuple(readers),
            source if condition is not None else None,
            condition,
            when if gate is not None else None,
            gate,
        ),
        [],
    )


def _reader_kind(fields: Mapping[str, FieldSpec], name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    table, _sep, column = name.partition(".")
    spec = fields.get(table)
    if spec is not None and column:
        spec = spec.children.get(column) if spec.is_subtable else None
    if spec is None or spec.is_subtable:
        return None
    return PRINCIPAL_KINDS.get(spec.type_name)


def compile_flow_only(
    raw: Any, fields: Mapping[str, FieldSpec], path: str
) -> tuple[tuple[str, ...], list[Issue]]:
    """Check ``x-flow-only``: top-level fields the flow fills in, not the initiator."""
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), [
            Issue(
                path,
                _("x-flow-only lists field names, such as {example}.", example='["paid_on"]'),
                "flow_only_invalid",
            )
        ]
    issues: list[Issue] = []
    names: list[str] = []
    for index, name in enumerate(raw):
        where = child(path, index)
        spec = fields.get(name) if isinstance(name, str) else None
        if spec is None:
            issues.append(
                Issue(
                    where,
                    _("{value} is not a field at the top of this form.", value=quote(name)),
                    "unknown_field",
                )
            )
        elif spec.is_system:
            issues.append(
                Issue(
                    where,
                    _(
                        "{value} is filled in by the platform already; only fields people "
                        "fill in can be left to the flow.",
                        value=quote(name),
                    ),
                    "flow_only_invalid",
                )
            )
        elif spec.required:
            issues.append(
                Issue(
                    where,
                    _(
                        "{value} is required, but the initiator cannot fill it in; remove it "
                        "from required and list it with `require` at the step that fills it.",
                        value=quote(name),
                    ),
                    "flow_only_invalid",
                )
            )
        elif name in names:
            issues.append(
                Issue(where, _("{value} is listed twice.", value=quote(name)), "flow_only_invalid")
            )
        else:
            names.append(name)
    return tuple(names), issues
