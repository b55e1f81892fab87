"""Walking a JSON Schema by its keywords, and the checks that need the whole tree.

A schema is not a plain JSON tree: under ``properties`` the keys are field names, under
``enum`` and ``default`` the values are data. :func:`subschemas` follows only the keywords
whose values are schemas (Draft 2020-12 applicators), so a field called ``pattern`` or a
default value holding ``"$ref"`` is never mistaken for a keyword.

The checks here protect the server: references must stay inside the document (nothing is
ever fetched), ``patternProperties`` is refused (its regexes would run on user-chosen keys
without a time limit in python ``jsonschema``), every ``pattern`` must compile in both regex
engines, and only the formats of :mod:`formflow.forms.formats` may be used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from formflow.errors import Issue
from formflow.forms.formats import FORMAT_CHECKS
from formflow.forms.paths import child
from formflow.forms.patterns import pattern_error
from formflow.forms.quoting import quote
from formflow.i18n import _

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

_SINGLE = (
    "additionalProperties",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


def subschemas(schema: Any, path: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    """``schema`` and every schema nested in it, with their JSON paths (depth first)."""
    if not isinstance(schema, Mapping):
        return
    yield schema, path
    for keyword in _SINGLE:
        if keyword in schema:
            yield from subschemas(schema[keyword], child(path, keyword))
    for keyword in _LISTS:
        value = schema.get(keyword)
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from subschemas(item, child(child(path, keyword), index))
    for keyword in _MAPS:
        value = schema.get(keyword)
        if isinstance(value, Mapping):
            for name, item in value.items():
                yield from subschemas(item, child(child(path, keyword), str(name)))


def check_tree(schema: Mapping[str, Any], path: str) -> Iterator[Issue]:
    """Problems anywhere in the tree: remote refs, nested ids, patternProperties, regexes,
    formats."""
    for node, where in subschemas(schema, path):
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if ref is None:
                continue
            if not isinstance(ref, str) or not ref.startswith("#"):
                yield Issue(
                    child(where, keyword),
                    _(
                        "{ref} points outside this form; only references inside the form "
                        "(starting with #/$defs/) are allowed, nothing is fetched.",
                        ref=quote(ref),
                    ),
                    "remote_ref",
                )
            elif keyword == "$ref" and not _resolves(schema, ref):
                yield Issue(
                    child(where, keyword),
                    _("{ref} does not point to anything in this form.", ref=quote(ref)),
                    "ref_unresolved",
                )
        if "$id" in node and where != path:
            yield Issue(
                child(where, "$id"),
                _("$id is only allowed at the top of the schema; remove it here."),
                "nested_id",
            )
        if "patternProperties" in node:
            yield Issue(
                child(where, "patternProperties"),
                _("patternProperties is not supported in forms; list the fields in properties."),
                "unsupported_keyword",
            )
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            reason = pattern_error(pattern)
            if reason is not None:
                yield Issue(
                    child(where, "pattern"),
                    _(
                        "The pattern {pattern} is not a valid regular expression ({reason}).",
                        pattern=quote(pattern),
                        reason=reason,
                    ),
                    "pattern_invalid",
                )
        fmt = node.get("format")
        if isinstance(fmt, str) and fmt not in FORMAT_CHECKS:
            yield Issue(
                child(where, "format"),
                _(
                    "Unknown format {format}; use one of {known}.",
                    format=quote(fmt),
                    known=", ".join(sorted(FORMAT_CHECKS)),
                ),
                "unknown_format",
            )


def _resolves(root: Mapping[str, Any], ref: str) -> bool:
    """True when the local reference ``ref`` (``#/$defs/x`` or ``#anchor``) names a schema."""
    pointer = ref[1:]
    if pointer and not pointer.startswith("/"):
        return any(node.get("$anchor") == pointer for node, _where in subschemas(root, "$"))
    return _follow(root, pointer) is not None


def resolve_local(root: Mapping[str, Any], ref: Any) -> Mapping[str, Any] | None:
    """The schema a local JSON-pointer reference (``#/$defs/address``) names, or None."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    found = _follow(root, ref[1:])
    return found if isinstance(found, Mapping) else None


def _follow(root: Mapping[str, Any], pointer: str) -> Any:
    if pointer == "":
        return root
    if not pointer.startswith("/"):
        return None
    node: Any = root
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node if isinstance(node, Mapping | bool) else None
