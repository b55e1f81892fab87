"""Form-level rules in the schema root: constraints, unique keys, status rules, display.

* ``x-constraints`` — ``[{"key", "check", "message", "path"}]``: boolean expressions over one
  record, checked on every submit (not for drafts). A check fails only when it is *false*: an
  empty operand gives null, which passes (as a SQL ``CHECK`` does); use ``required`` for
  presence. ``path`` (a field such as ``end_date`` or a JSON path) is where the message shows.
* ``x-aggregate-constraints`` — ``[{"key", "group_by", "check", "message"}]``: checked by the
  services in the database, inside the writing transaction under a lock on the group. The
  check sees every top-level field as the list of its values over the group's records
  (``sum(qty) >= 0`` for "stock never negative" grouped by item and warehouse).
* ``x-unique-together`` — ``[["employee", "date"]]``: a unique database index per group
  (``x-unique: true`` on a field is the one-field case).
* ``x-status-rules`` — ``[{"when", "status", "label"}]``: the first rule whose ``when`` is true
  gives the record's derived status; the last rule may omit ``when`` (otherwise).
* ``x-display`` — the field that names a record in pickers and lists.
* ``x-flow-only`` — top-level fields only the flow fills in (payment date, voucher number):
  the initiator may not send them (see :mod:`formflow.forms.readers`).
* ``x-readers`` — fields naming who may read a record (:mod:`formflow.forms.readers`).
* ``x-immutable`` — ``true`` for documents (orders, invoices, vouchers): once submitted a record
  never changes; corrections are made by cancel and amend. Without it, records of a form that
  no flow governs (masters such as customers) stay editable after submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from formflow.errors import Issue
from formflow.expr import BOOLEAN, Checked, Scope
from formflow.forms.currency import check_currency_references
from formflow.forms.expressions import compile_at
from formflow.forms.fieldbuild import FIELD_NAME
from formflow.forms.fields import FieldSpec
from formflow.forms.labels import Label, check_label
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.forms.readers import ReadersSpec, compile_flow_only, compile_readers
from formflow.forms.scope import aggregate_scope
from formflow.i18n import _

ROOT_KEYWORDS = frozenset(
    {
        "x-constraints",
        "x-aggregate-constraints",
        "x-unique-together",
        "x-status-rules",
        "x-display",
        "x-immutable",
        "x-flow-only",
        "x-readers",
    }
)


@dataclass(frozen=True)
class Constraint:
    """A rule over one record; ``path`` is the JSON path its message is shown at."""

    key: str
    source: str
    check: Checked = field(compare=False, repr=False)
    message: Label | None = None
    path: str = "$"


@dataclass(frozen=True)
class AggregateConstraint:
    """A rule over the records of a group, checked by the services in the database."""

    key: str
    group_by: tuple[str, ...]
    source: str
    check: Checked = field(compare=False, repr=False)
    message: Label | None = None


@dataclass(frozen=True)
class StatusRule:
    """``status`` when ``when`` holds (``when`` None: always — the last rule only)."""

    status: str
    source: str | None = None
    when: Checked | None = field(default=None, compare=False, repr=False)
    label: Label | None = None


@dataclass(frozen=True)
class FormRules:
    constraints: tuple[Constraint, ...] = ()
    aggregate_constraints: tuple[AggregateConstraint, ...] = ()
    unique_together: tuple[tuple[str, ...], ...] = ()
    status_rules: tuple[StatusRule, ...] = ()
    display: str | None = None
    immutable: bool = False
    flow_only: tuple[str, ...] = ()
    readers: ReadersSpec | None = None


def compile_form_rules(
    schema: Mapping[str, Any], fields: Mapping[str, FieldSpec], scope: Scope, root: str
) -> tuple[FormRules, list[Issue]]:
    """Check and compile the form-level keywords of ``schema`` (found at ``root``)."""
    issues: list[Issue] = []
    for key in schema:
        if isinstance(key, str) and key.startswith("x-") and key not in ROOT_KEYWORDS:
            issues.append(
                Issue(
                    child(root, key),
                    _(
                        "Unknown form keyword {keyword}; the form root takes {known}.",
                        keyword=key,
                        known=", ".join(sorted(ROOT_KEYWORDS)),
                    ),
                    "unknown_keyword",
                )
            )
    keys: set[str] = set()
    constraints = _constraints(
        schema.get("x-constraints"), fields, scope, child(root, "x-constraints"), keys, issues
    )
    aggregates = _aggregates(
        schema.get("x-aggregate-constraints"),
        fields,
        child(root, "x-aggregate-constraints"),
        keys,
        issues,
    )
    unique = _unique(
        schema.get("x-unique-together"), fields, child(root, "x-unique-together"), issues
    )
    rules = _status_rules(
        schema.get("x-status-rules"), scope, child(root, "x-status-rules"), issues
    )
    display = schema.get("x-display")
    if display is not None:
        spec = fields.get(display) if isinstance(display, str) else None
        if spec is None or spec.type.index_kind is None:
            issues.append(
                Issue(
                    child(root, "x-display"),
                    _(
                        "x-display names the field that "
                        "names a record, such as a title or "
                        "a number; {value} is not such a "
                        "field.",
                        value=quote(display),
                    ),
                    "display_invalid",
                )
            )
            display = None
    immutable = schema.get("x-immutable", False)
    if not isinstance(immutable, bool):
        issues.append(
            Issue(child(root, "x-immutable"), _("x-immutable is true or false."), "immutable")
        )
        immutable = False
    flow_only, problems = compile_flow_only(
        schema.get("x-flow-only"), fields, child(root, "x-flow-only")
    )
    issues.extend(problems)
    readers, problems = compile_readers(
        schema.get("x-readers"), fields, scope, child(root, "x-readers")
    )
    issues.extend(problems)
    issues.extend(check_currency_references(fields, root))
    return (
        FormRules(constraints, aggregates, unique, rules, display, immutable, flow_only, readers),
        issues,
    )


def _list(raw: Any, path: str, issues: list[Issue]) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        issues.append(Issue(path, _("This must be a list."), "keyword_invalid"))
        return []
    return raw


def _key(item: Mapping[str, Any], path: str, keys: set[str], issues: list[Issue]) -> str | None:
    key = item.get("key")
    if not isinstance(key, str) or not FIELD_NAME.match(key):
        issues.append(
            Issue(
                child(path, "key"),
                _(
                    "Each rule needs a key: a short name of "
                    "lowercase letters, digits and underscores, "
                    "such as {example}.",
                    example="dates_in_order",
                ),
                "rule_key",
            )
        )
        return None
    if key in keys:
        issues.append(
            Issue(
                child(path, "key"),
                _("The rule key {key} is used twice.", key=quote(key)),
                "rule_key",
            )
        )
        return None
    keys.add(key)
    return key


def _constraints(
    raw: Any,
    fields: Mapping[str, FieldSpec],
    scope: Scope,
    path: str,
    keys: set[str],
    issues: list[Issue],
) -> tuple[Constraint, ...]:
    found: list[Constraint] = []
    for index, item in enumerate(_list(raw, path, issues)):
        where = child(path, index)
        if not isinstance(item, Mapping):
            issues.append(
                Issue(
                    where,
                    _(
                        "A constraint is an object such as {example}.",
                        example='{"key": "...", "check": "...", "message": "..."}',
                    ),
                    "rule_invalid",
                )
            )
            continue
        _unknown_keys(item, {"key", "check", "message", "path"}, where, issues)
        key = _key(item, where, keys, issues)
        checked, problems = compile_at(item.get("check"), scope, BOOLEAN, child(where, "check"))
        issues.extend(problems)
        if "message" in item:
            issues.extend(check_label(item["message"], child(where, "message")))
        target = _target(item.get("path"), fields, child(where, "path"), issues)
        if key is not None and checked is not None and target is not None:
            found.append(Constraint(key, item["check"], checked, item.get("message"), target))
    return tuple(found)


def _target(
    raw: Any, fields: Mapping[str, FieldSpec], path: str, issues: list[Issue]
) -> str | None:
    if raw is None:
        return "$"
    if isinstance(raw, str) and raw.startswith("$"):
        return raw
    if isinstance(raw, str) and raw in fields:
        return "$." + raw
    issues.append(
        Issue(
            path,
            _(
                "path names the field the message belongs to; {value} is not a field at the "
                "top of this form.",
                value=quote(raw),
            ),
            "unknown_field",
        )
    )
    return None


def _aggregates(
    raw: Any, fields: Mapping[str, FieldSpec], path: str, keys: set[str], issues: list[Issue]
) -> tuple[AggregateConstraint, ...]:
    found: list[AggregateConstraint] = []
    scope = aggregate_scope(fields)
    for index, item in enumerate(_list(raw, path, issues)):
        where = child(path, index)
        if not isinstance(item, Mapping):
            issues.append(
                Issue(
                    where,
                    _(
                        "An aggregate constraint is an object with key, "
                        "group_by, check and message."
                    ),
                    "rule_invalid",
                )
            )
            continue
        _unknown_keys(item, {"key", "group_by", "check", "message"}, where, issues)
        key = _key(item, where, keys, issues)
        group = _field_group(
            item.get("group_by"), fields, child(where, "group_by"), issues, allow_empty=True
        )
        checked, problems = compile_at(item.get("check"), scope, BOOLEAN, child(where, "check"))
        issues.extend(problems)
        if "message" in item:
            issues.extend(check_label(item["message"], child(where, "message")))
        if key is not None and group is not None and checked is not None:
            found.append(
                AggregateConstraint(key, group, item["check"], checked, item.get("message"))
            )
    return tuple(found)


def _field_group(
    raw: Any,
    fields: Mapping[str, FieldSpec],
    path: str,
    issues: list[Issue],
    allow_empty: bool = False,
) -> tuple[str, ...] | None:
    if not isinstance(raw, list) or (not raw and not allow_empty):
        issues.append(
            Issue(
                path,
                _(
                    "List the fields of the group, such as {example}.",
                    example='["employee", "date"]',
                ),
                "group_invalid",
            )
        )
        return None
    ok = True
    for index, name in enumerate(raw):
        spec = fields.get(name) if isinstance(name, str) else None
        if spec is None or spec.type.index_for(spec.schema) is None:
            issues.append(
                Issue(
                    child(path, index),
                    _(
                        "{value} is not a field at the top of this form that holds a single value.",
                        value=quote(name),
                    ),
                    "group_invalid",
                )
            )
            ok = False
    if ok and len(set(raw)) != len(raw):
        issues.append(Issue(path, _("A field is listed twice in this group."), "group_invalid"))
        ok = False
    return tuple(raw) if ok else None


def _unique(
    raw: Any, fields: Mapping[str, FieldSpec], path: str, issues: list[Issue]
) -> tuple[tuple[str, ...], ...]:
    groups: list[tuple[str, ...]] = []
    for index, item in enumerate(_list(raw, path, issues)):
        group = _field_group(item, fields, child(path, index), issues)
        if group is not None:
            groups.append(group)
    for spec in fields.values():
        if spec.unique and (spec.name,) not in groups:
            groups.append((spec.name,))
    return tuple(groups)


def _status_rules(raw: Any, scope: Scope, path: str, issues: list[Issue]) -> tuple[StatusRule, ...]:
    rules: list[StatusRule] = []
    items = _list(raw, path, issues)
    for index, item in enumerate(items):
        where = child(path, index)
        if not isinstance(item, Mapping):
            issues.append(
                Issue(
                    where,
                    _(
                        "A status rule is an object such as {example}.",
                        example='{"when": "billed_pct >= 100", "status": "completed"}',
                    ),
                    "rule_invalid",
                )
            )
            continue
        _unknown_keys(item, {"when", "status", "label"}, where, issues)
        status = item.get("status")
        if not isinstance(status, str) or not FIELD_NAME.match(status):
            issues.append(
                Issue(
                    child(where, "status"),
                    _(
                        "status is a short name of lowercase "
                        "letters, digits and underscores, "
                        "such as {example}.",
                        example="to_bill",
                    ),
                    "rule_invalid",
                )
            )
            status = None
        when = None
        if "when" in item:
            when, problems = compile_at(item["when"], scope, BOOLEAN, child(where, "when"))
            issues.extend(problems)
        elif index != len(items) - 1:
            issues.append(
                Issue(
                    child(where, "when"),
                    _("Only the last status rule may leave out when."),
                    "rule_invalid",
                )
            )
        if "label" in item:
            issues.extend(check_label(item["label"], child(where, "label")))
        if status is not None and ("when" not in item or when is not None):
            rules.append(StatusRule(status, item.get("when"), when, item.get("label")))
    return tuple(rules)


def _unknown_keys(item: Mapping[str, Any], known: set[str], path: str, issues: list[Issue]) -> None:
    for key in sorted(set(item) - known):
        issues.append(
            Issue(
                child(path, str(key)),
                _(
                    "Unknown key {key}; use {known}.",
                    key=quote(key),
                    known=", ".join(sorted(known)),
                ),
                "unknown_key",
            )
        )
