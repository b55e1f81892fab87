"""The filter builder of the list page: which fields it offers, and a filter text read back into
builder rows.

The builder in the browser (``static/js/list/filterbuilder.js``) writes the expression language
from rows of *field, operator, value* joined by ``and`` or ``or``; the text is what the server
runs, and people may edit it by hand. When the page opens with a filter, :func:`rows_of`
reads it back into rows if it has that simple shape (comparisons, ``contains``,
``starts_with``, ``is_empty`` over fields, all joined the same way); otherwise the builder
stays empty and the text stands on its own. Nothing here decides what a filter selects — the
server's compiler does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from formflow.errors import SourceError
from formflow.expr import parse
from formflow.expr.nodes import Binary, Boolean, Call, Name, Node, Null, Number, String, Unary
from formflow.forms import CompiledForm, FieldSpec
from formflow.i18n import Msg, _, pick
from formflow.orgchart import OrgChart
from formflow.services.list_views import field_order

#: Field type -> the builder's kind of value.
_KINDS: dict[str, str] = {
    "text": "text",
    "textarea": "text",
    "email": "text",
    "phone": "text",
    "url": "text",
    "idcard": "text",
    "uscc": "text",
    "serial": "text",
    "number": "number",
    "integer": "number",
    "money": "number",
    "percent": "number",
    "rating": "number",
    "rollup": "number",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
    "boolean": "boolean",
    "select": "choice",
    "multiselect": "choices",
    "user": "user",
    "department": "department",
}
#: The operators each kind offers, in menu order.
OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "contains", "starts", "empty", "filled"),
    "number": ("eq", "ne", "lt", "le", "gt", "ge", "empty", "filled"),
    "date": ("eq", "ne", "lt", "le", "gt", "ge", "empty", "filled"),
    "datetime": ("lt", "le", "gt", "ge", "empty", "filled"),
    "time": ("eq", "ne", "lt", "le", "gt", "ge", "empty", "filled"),
    "boolean": ("eq",),
    "choice": ("eq", "ne", "empty", "filled"),
    "choices": ("has", "empty", "filled"),
    "user": ("eq", "ne", "empty", "filled"),
    "department": ("eq", "ne", "empty", "filled"),
}
OPERATOR_WORDS: dict[str, Msg] = {
    "eq": _("is"),
    "ne": _("is not"),
    "lt": _("is less than"),
    "le": _("is at most"),
    "gt": _("is more than"),
    "ge": _("is at least"),
    "contains": _("contains"),
    "starts": _("starts with"),
    "has": _("includes"),
    "empty": _("is empty"),
    "filled": _("is filled in"),
}
_COMPARISONS = {"=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_LITERAL_CALLS = frozenset({"date", "datetime", "time"})
#: People and departments offered as values; beyond this many, the builder asks for an id.
MAX_PEOPLE = 2000


@dataclass(frozen=True)
class BuilderRow:
    field: str
    op: str
    value: str = ""


def builder_kind(spec: FieldSpec) -> str | None:
    """The builder's kind for a field, None when the builder does not offer it."""
    if spec.type_name == "computed":
        return None
    return _KINDS.get(spec.type_name)


def builder_fields(form: CompiledForm, locale: str) -> list[dict[str, Any]]:
    """The fields the builder offers, for the page script: name, label, kind, options."""
    out = []
    for name in field_order(form):
        spec = form.fields[name]
        kind = builder_kind(spec)
        if kind is None:
            continue
        out.append(
            {
                "name": name,
                "label": pick(spec.label, locale, name),
                "kind": kind,
                "options": [
                    {"value": option.value, "label": pick(option.label, locale, option.value)}
                    for option in spec.options
                ],
            }
        )
    return out


def builder_people(chart: OrgChart) -> dict[str, list[dict[str, Any]]]:
    """Active people and departments as the builder's choices (empty when there are many)."""
    users = sorted(
        (user for user in chart.users.values() if user.active), key=lambda u: u.display_name
    )
    departments = sorted(chart.departments.values(), key=lambda d: str(d.name))
    return {
        "user": []
        if len(users) > MAX_PEOPLE
        else [{"value": str(u.id), "label": f"{u.display_name} ({u.username})"} for u in users],
        "department": []
        if len(departments) > MAX_PEOPLE
        else [{"value": str(d.id), "label": str(d.name)} for d in departments],
    }


def operator_words(locale: str) -> dict[str, str]:
    return {key: word.render(locale) for key, word in OPERATOR_WORDS.items()}


def _flatten(node: Node, op: str) -> list[Node]:
    if isinstance(node, Binary) and node.op == op:
        return [*_flatten(node.left, op), *_flatten(node.right, op)]
    return [node]


def _literal(node: Node) -> str | None:
    if isinstance(node, Number):
        return format(node.value, "f")
    if isinstance(node, String):
        return node.value
    if isinstance(node, Boolean):
        return "true" if node.value else "false"
    if (
        isinstance(node, Call)
        and node.name.lower() in _LITERAL_CALLS
        and len(node.args) == 1
        and isinstance(node.args[0], String)
    ):
        return node.args[0].value
    return None


def _field(node: Node, kinds: Mapping[str, str]) -> str | None:
    return node.name if isinstance(node, Name) and node.name in kinds else None


def _row(node: Node, kinds: Mapping[str, str]) -> BuilderRow | None:
    if isinstance(node, Unary) and node.op == "not":
        inner = _row(node.operand, kinds)
        return BuilderRow(inner.field, "filled") if inner and inner.op == "empty" else None
    if isinstance(node, Call):
        name = node.name.lower()
        if name == "is_empty" and len(node.args) == 1:
            field = _field(node.args[0], kinds)
            return BuilderRow(field, "empty") if field else None
        if name in {"contains", "starts_with"} and len(node.args) == 2:
            field = _field(node.args[0], kinds)
            value = node.args[1]
            if field and isinstance(value, String):
                if name == "starts_with":
                    op = "starts"
                else:
                    op = "has" if kinds[field] == "choices" else "contains"
                return BuilderRow(field, op, value.value)
        return None
    if isinstance(node, Binary) and node.op in _COMPARISONS:
        field = _field(node.left, kinds)
        if field is None:
            return None
        if isinstance(node.right, Null) and node.op in {"=", "!="}:
            return BuilderRow(field, "empty" if node.op == "=" else "filled")
        literal = _literal(node.right)
        return BuilderRow(field, _COMPARISONS[node.op], literal) if literal is not None else None
    return None


def rows_of(text: str, form: CompiledForm) -> tuple[str, list[BuilderRow]] | None:
    """``(join, rows)`` for a filter of the builder's shape; None for anything else."""
    if not text.strip():
        return "and", []
    try:
        tree = parse(text)
    except SourceError:
        return None
    kinds = {
        name: kind for name, spec in form.fields.items() if (kind := builder_kind(spec)) is not None
    }
    join = "or" if isinstance(tree, Binary) and tree.op == "or" else "and"
    rows = [_row(part, kinds) for part in _flatten(tree, join)]
    if all(row is not None and row.op in OPERATORS[kinds[row.field]] for row in rows):
        return join, [row for row in rows if row is not None]
    return None


def builder_config(form: CompiledForm, chart: OrgChart, text: str, locale: str) -> dict[str, Any]:
    """What the page script of the builder needs: the fields, people and departments to offer,
    the operators in words, the current filter as rows (None when written by hand) and its
    own texts."""
    return {
        "fields": builder_fields(form, locale),
        "people": builder_people(chart),
        "operators": operator_words(locale),
        "rows": _builder_rows(text, form),
        "messages": _builder_messages(locale),
    }


def _builder_rows(text: str, form: CompiledForm) -> dict[str, Any] | None:
    found = rows_of(text, form)
    if found is None:
        return None
    join, rows = found
    return {"join": join, "rows": [{"field": r.field, "op": r.op, "value": r.value} for r in rows]}


def _builder_messages(locale: str) -> dict[str, str]:
    words = {
        "add": _("Add a condition"),
        "remove": _("Remove this condition"),
        "field": _("Field"),
        "operator": _("Condition"),
        "value": _("Value"),
        "all": _("All conditions must hold (and)"),
        "any": _("Any condition may hold (or)"),
        "yes": _("Yes"),
        "no": _("No"),
        "choose": _("Choose…"),
        "by_hand": _(
            "This filter was written by hand, so the builder cannot show it; edit the text, or "
            "start again with the builder."
        ),
        "start_over": _("Start again with the builder"),
        "combine": _("How the conditions combine"),
        "conditions": _("Conditions of the filter"),
    }
    return {key: word.render(locale) for key, word in words.items()}
