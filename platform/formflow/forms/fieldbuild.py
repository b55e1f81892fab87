"""Building :class:`~formflow.forms.fields.FieldSpec` objects from a schema's properties.

Each property is checked for what concerns the field itself — its name, its field type and
JSON type, its labels and platform keywords, the field type's own rules — and, when sound,
turned into a spec whose ``schema`` has the type's defaults filled in. Sub-table columns are
built the same way, one level down. Expressions (formulas) are compiled later, once the whole
scope is known (:mod:`formflow.forms.formulas`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from formflow.errors import Issue
from formflow.forms.currency import currency_field_of
from formflow.forms.fields import FieldSpec, LinkSpec
from formflow.forms.fieldtypes import (
    COMMON_KEYWORDS,
    DefinitionContext,
    FieldType,
    declared_types,
    field_type,
    field_types,
    infer_type,
)
from formflow.forms.fieldtypes.choice import parse_options
from formflow.forms.fieldtypes.numeric import DEFAULT_CURRENCY, DEFAULT_MONEY_SCALE
from formflow.forms.labels import check_label
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.forms.rollup import parse_rollup
from formflow.forms.schemawalk import resolve_local
from formflow.forms.serial import parse_serial
from formflow.i18n import _

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def _all_keywords() -> frozenset[str]:
    keywords = set(COMMON_KEYWORDS)
    for kind in field_types().values():
        keywords |= kind.keywords
    return frozenset(keywords)


def build_fields(
    schema: Mapping[str, Any], path: str, context: DefinitionContext, prefix: str = ""
) -> tuple[dict[str, FieldSpec], list[Issue]]:
    """The fields of an object ``schema`` found at ``path`` (its ``properties``)."""
    issues: list[Issue] = []
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}, issues
    required = schema.get("required")
    required_names = (
        {name for name in required if isinstance(name, str)}
        if isinstance(required, list)
        else set()
    )
    for index, name in enumerate(required if isinstance(required, list) else []):
        if isinstance(name, str) and name not in properties:
            issues.append(
                Issue(
                    child(child(path, "required"), index),
                    _(
                        "{name} is listed as required but is not a field; add it to "
                        "properties or remove it here.",
                        name=quote(name),
                    ),
                    "unknown_field",
                )
            )
    fields: dict[str, FieldSpec] = {}
    for name, prop in properties.items():
        spec, problems = build_field(
            str(name),
            prop,
            child(child(path, "properties"), str(name)),
            str(name) in required_names,
            context,
            prefix,
        )
        issues.extend(problems)
        if spec is not None:
            fields[spec.name] = spec
    return fields, issues


def build_field(
    name: str,
    prop: Any,
    path: str,
    required: bool,
    context: DefinitionContext,
    prefix: str = "",
) -> tuple[FieldSpec | None, list[Issue]]:
    """One field from its property schema at ``path``; None when it cannot be understood."""
    issues: list[Issue] = []
    if not FIELD_NAME.match(name):
        issues.append(
            Issue(
                path,
                _(
                    "{name} is not a valid field name; use 1 to 50 lowercase letters, digits "
                    "and underscores, starting with a letter (such as {example}).",
                    name=quote(name),
                    example="total_amount",
                ),
                "field_name",
            )
        )
    if not isinstance(prop, Mapping):
        issues.append(
            Issue(
                path,
                _(
                    "Describe the field with an object such as {example}.",
                    example='{"type": "string"}',
                ),
                "field_invalid",
            )
        )
        return None, issues
    view = _with_reference(prop, context)
    kind, problems = _field_type(view, path)
    issues.extend(problems)
    if kind is None:
        return None, issues
    issues.extend(_check_common(prop, path, kind, required, context))
    issues.extend(kind.check_definition(view, path, context))
    children: dict[str, FieldSpec] = {}
    filled = kind.effective_schema(view)
    schema = {**prop, **{key: value for key, value in filled.items() if key not in view}}
    if kind.name == "subtable" and isinstance(filled.get("items"), Mapping):
        items = dict(filled["items"])
        column_context = DefinitionContext(
            context.known_forms, context.form_key, False, context.root
        )
        children, problems = build_fields(
            items, child(path, "items"), column_context, f"{prefix}{name}."
        )
        issues.extend(problems)
        items["properties"] = {column: spec.schema for column, spec in children.items()}
        schema["items"] = items
    if issues:
        return None, issues
    return _spec(name, prefix, kind, view, schema, required, children, context), []


def _with_reference(prop: Mapping[str, Any], context: DefinitionContext) -> Mapping[str, Any]:
    """The property as the field type sees it: a local ``$ref`` target under its own keys.

    The effective schema keeps the ``$ref`` (so both validators apply it exactly); the merged
    view only serves to recognise the field type and its keywords.
    """
    if "$ref" not in prop or context.root is None:
        return prop
    target = resolve_local(context.root, prop["$ref"])
    if target is None:
        return prop
    merged = {**_with_reference(target, context), **prop}
    merged.pop("$ref", None)
    return merged


def _field_type(prop: Mapping[str, Any], path: str) -> tuple[FieldType | None, list[Issue]]:
    raw = prop.get("x-type")
    if raw is None:
        inferred = infer_type(dict(prop))
        if inferred is None:
            return None, [
                Issue(
                    child(path, "x-type"),
                    _(
                        "Cannot tell what kind of field this is; set x-type, for example "
                        "{example}.",
                        example='"x-type": "text"',
                    ),
                    "type_unknown",
                )
            ]
        raw = inferred
    kind = field_type(raw) if isinstance(raw, str) else None
    if kind is None:
        close = difflib.get_close_matches(str(raw), list(field_types()), n=1)
        if close:
            message = _(
                "Unknown field type {value}; did you mean {guess}?",
                value=quote(raw),
                guess=quote(close[0]),
            )
        else:
            message = _(
                "Unknown field type {value}; use one of {known}.",
                value=quote(raw),
                known=", ".join(field_types()),
            )
        return None, [Issue(child(path, "x-type"), message, "type_unknown")]
    declared = declared_types(prop)
    wrong = [name for name in declared if name not in kind.json_types]
    if wrong:
        return None, [
            Issue(
                child(path, "type"),
                _(
                    "A {kind} field stores {expected}, so type {actual} does not fit; remove "
                    "type or change x-type.",
                    kind=kind.name,
                    expected=" / ".join(kind.json_types),
                    actual=quote(wrong[0]),
                ),
                "type_mismatch",
            )
        ]
    return kind, []


def _check_common(
    prop: Mapping[str, Any],
    path: str,
    kind: FieldType,
    required: bool,
    context: DefinitionContext,
) -> list[Issue]:
    issues: list[Issue] = []
    allowed = kind.allowed_keywords()
    for key in prop:
        if isinstance(key, str) and key.startswith("x-") and key not in allowed:
            close = difflib.get_close_matches(key, sorted(_all_keywords()), n=1)
            if key in _all_keywords():
                message = _(
                    "{keyword} does not apply to a {kind} field; remove it.",
                    keyword=key,
                    kind=kind.name,
                )
            elif close:
                message = _(
                    "Unknown platform keyword {keyword}; did you mean {guess}?",
                    keyword=key,
                    guess=close[0],
                )
            else:
                message = _(
                    "Unknown platform keyword {keyword}; remove it or check the spelling.",
                    keyword=key,
                )
            issues.append(Issue(child(path, key), message, "unknown_keyword"))
    for key in ("x-label", "x-pattern-message"):
        if key in prop:
            issues.extend(check_label(prop[key], child(path, key)))
    if "x-formula" in prop and not kind.computable:
        issues.append(
            Issue(
                child(path, "x-formula"),
                _("A {kind} field cannot be computed by a formula.", kind=kind.name),
                "formula_not_allowed",
            )
        )
    for key in ("x-index", "x-unique"):
        if key not in prop:
            continue
        if not isinstance(prop[key], bool):
            issues.append(
                Issue(
                    child(path, key),
                    _("{keyword} must be true or false.", keyword=key),
                    "keyword_invalid",
                )
            )
        elif prop[key] and not context.top_level:
            issues.append(
                Issue(
                    child(path, key),
                    _(
                        "{keyword} is only possible on fields at "
                        "the top of the form, not in a sub-table.",
                        keyword=key,
                    ),
                    "index_not_allowed",
                )
            )
        elif prop[key] and kind.index_for(kind.effective_schema(prop)) is None:
            issues.append(
                Issue(
                    child(path, key),
                    _(
                        "A {kind} field cannot be indexed; remove {keyword}.",
                        kind=kind.name,
                        keyword=key,
                    ),
                    "index_not_allowed",
                )
            )
    if kind.system and not context.top_level:
        issues.append(
            Issue(
                path,
                _(
                    "A {kind} field is only possible at the top of the form, not in a sub-table.",
                    kind=kind.name,
                ),
                "top_level_only",
            )
        )
    if required and (kind.system or "x-formula" in prop):
        issues.append(
            Issue(
                path,
                _(
                    "This field is filled in by the platform, so it cannot "
                    "be required; remove it from required."
                ),
                "required_system",
            )
        )
    return issues


def _spec(
    name: str,
    prefix: str,
    kind: FieldType,
    prop: Mapping[str, Any],
    schema: dict[str, Any],
    required: bool,
    children: dict[str, FieldSpec],
    context: DefinitionContext,
) -> FieldSpec:
    scale = prop.get("x-scale")
    currency_field = currency_field_of(prop) if kind.name == "money" else None
    if kind.name == "money" and scale is None and currency_field is None:
        scale = DEFAULT_MONEY_SCALE
    if kind.name == "integer":
        scale = 0
    link = prop.get("x-link")
    serial = parse_serial(prop["x-serial"], "$")[0] if "x-serial" in prop else None
    rollup = parse_rollup(prop["x-rollup"], "$", context)[0] if "x-rollup" in prop else None
    index = kind.index_for(schema) if prop.get("x-index") or prop.get("x-unique") else None
    return FieldSpec(
        name=name,
        path=f"{prefix}{name}",
        type=kind,
        schema=schema,
        label=prop.get("x-label", prop.get("title")),
        required=required,
        options=parse_options(prop) if kind.name in {"select", "multiselect"} else (),
        children=children,
        formula=prop.get("x-formula"),
        rollup=rollup,
        serial=serial,
        link=LinkSpec(link["form"], link.get("display")) if isinstance(link, Mapping) else None,
        index=index,
        unique=prop.get("x-unique") is True,
        scale=int(scale) if scale is not None else None,
        currency=(
            prop.get("x-currency", DEFAULT_CURRENCY)
            if kind.name == "money" and currency_field is None
            else None
        ),
        currency_field=currency_field,
    )
