"""Choice field types: select, multiselect, boolean.

Options are labelled: ``x-options: [{"value": "annual", "label": {"zh-CN": "年假", "en":
"Annual leave"}}]``. The stored value is ``value``; JSON Schema's ``enum`` (for select) or
``items.enum`` (for multiselect) is filled in from the options, and when a definition writes
both, they must list the same values — so plain JSON Schema tools and the platform agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from formflow.errors import Issue
from formflow.expr import BOOLEAN, STRING, ListType, Type
from formflow.forms.fields import FieldSpec, IndexKind, Option
from formflow.forms.fieldtypes.base import DefinitionContext, FieldType, register
from formflow.forms.labels import check_label
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import _


def parse_options(prop: Mapping[str, Any]) -> tuple[Option, ...]:
    """The options of a choice field from ``x-options`` (or from ``enum`` without labels)."""
    raw = prop.get("x-options")
    if isinstance(raw, list):
        return tuple(
            Option(str(item["value"]), item.get("label") or str(item["value"]))
            for item in raw
            if isinstance(item, Mapping) and isinstance(item.get("value"), str)
        )
    enum = _enum_of(prop)
    if isinstance(enum, list):
        return tuple(Option(value, value) for value in enum if isinstance(value, str))
    return ()


def _enum_of(prop: Mapping[str, Any]) -> Any:
    """``enum`` of a select, ``items.enum`` of a multiselect."""
    if "enum" in prop:
        return prop["enum"]
    items = prop.get("items")
    return items.get("enum") if isinstance(items, Mapping) else None


def _check_options(prop: Mapping[str, Any], path: str, enum_path: str) -> Iterator[Issue]:
    raw = prop.get("x-options")
    enum = _enum_of(prop)
    if raw is None:
        if not isinstance(enum, list) or not enum:
            yield Issue(
                child(path, "x-options"),
                _(
                    "A choice field needs its options: add x-options, a list of {example}.",
                    example='{"value": "...", "label": "..."}',
                ),
                "options_missing",
            )
        elif not all(isinstance(value, str) for value in enum):
            yield Issue(enum_path, _("The values of a choice field must be texts."), "options")
        return
    options_path = child(path, "x-options")
    if not isinstance(raw, list) or not raw:
        yield Issue(options_path, _("x-options must be a non-empty list of options."), "options")
        return
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = child(options_path, index)
        if not isinstance(item, Mapping) or not isinstance(item.get("value"), str):
            yield Issue(
                where,
                _(
                    "Each option is {example} with a text value.",
                    example='{"value": "...", "label": "..."}',
                ),
                "options",
            )
            continue
        value = item["value"]
        if value in seen:
            yield Issue(
                child(where, "value"),
                _("The option value {value} appears twice.", value=quote(value)),
                "options",
            )
        seen.add(value)
        if "label" in item:
            yield from check_label(item["label"], child(where, "label"))
        unknown = sorted(set(item) - {"value", "label", "color"})
        if unknown:
            yield Issue(
                child(where, unknown[0]),
                _(
                    "Unknown option key {key}; an option has value, label and color.",
                    key=quote(unknown[0]),
                ),
                "options",
            )
    if enum is not None:
        values = [item.get("value") for item in raw if isinstance(item, Mapping)]
        if not isinstance(enum, list) or sorted(map(str, enum)) != sorted(map(str, values)):
            yield Issue(
                enum_path,
                _(
                    "enum must list the same values as x-options ({values}); remove enum "
                    "or make them equal.",
                    values=", ".join(str(value) for value in values),
                ),
                "options_mismatch",
            )


@register
class SelectType(FieldType):
    """One choice out of labelled options."""

    name = "select"
    json_types: ClassVar[tuple[str, ...]] = ("string",)
    widgets = ("dropdown", "radio", "segmented")
    index_kind = IndexKind.TEXT
    keywords = frozenset({"x-options"})
    computable = True

    def effective_schema(self, prop: Mapping[str, Any]) -> dict[str, Any]:
        schema = super().effective_schema(prop)
        if "enum" not in schema:
            options = parse_options(prop)
            if options:
                schema["enum"] = [option.value for option in options]
        return schema

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from _check_options(prop, path, child(path, "enum"))

    def expr_type(self, spec: FieldSpec) -> Type:
        return STRING


@register
class MultiselectType(FieldType):
    """Any number of choices out of labelled options, stored as a list of values."""

    name = "multiselect"
    json_types: ClassVar[tuple[str, ...]] = ("array",)
    widgets = ("checkboxes", "multi_dropdown", "tags")
    keywords = frozenset({"x-options"})

    def effective_schema(self, prop: Mapping[str, Any]) -> dict[str, Any]:
        schema = super().effective_schema(prop)
        raw = schema.get("items", {})
        if not isinstance(raw, Mapping):
            return schema  # the meta-schema reports the malformed items
        items = dict(raw)
        items.setdefault("type", "string")
        if "enum" not in items:
            items["enum"] = [option.value for option in parse_options(prop)]
        schema["items"] = items
        schema.setdefault("uniqueItems", True)
        return schema

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from _check_options(prop, path, child(child(path, "items"), "enum"))

    def expr_type(self, spec: FieldSpec) -> Type:
        return ListType(STRING)


@register
class BooleanType(FieldType):
    """Yes or no."""

    name = "boolean"
    json_types: ClassVar[tuple[str, ...]] = ("boolean",)
    widgets = ("switch", "checkbox")
    computable = True

    def expr_type(self, spec: FieldSpec) -> Type:
        return BOOLEAN
