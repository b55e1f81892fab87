"""The field-type registry and every built-in field type.

Importing this package registers the types and checks the registry (see
:func:`~formflow.forms.fieldtypes.base.registry_problems`); a broken declaration raises
:class:`~formflow.errors.ConfigurationError` at import, before any form is compiled.
"""

from __future__ import annotations

from formflow.errors import ConfigurationError
from formflow.forms.fieldtypes import (  # noqa: F401 - importing registers the types
    choice,
    derived,
    files,
    numeric,
    reference,
    structured,
    temporal,
    textual,
)
from formflow.forms.fieldtypes.base import (
    COMMON_KEYWORDS,
    CheckContext,
    DefinitionContext,
    FieldType,
    ValueCheck,
    declared_types,
    field_type,
    field_types,
    registry_problems,
)
from formflow.i18n import _

__all__ = [
    "COMMON_KEYWORDS",
    "EXPECTED_TYPES",
    "CheckContext",
    "DefinitionContext",
    "FieldType",
    "ValueCheck",
    "declared_types",
    "field_type",
    "field_types",
    "infer_type",
]

#: The field types the platform promises (issue 2); the registry must hold exactly these.
EXPECTED_TYPES = frozenset(
    {
        "text",
        "textarea",
        "number",
        "integer",
        "money",
        "percent",
        "date",
        "datetime",
        "time",
        "select",
        "multiselect",
        "boolean",
        "email",
        "phone",
        "url",
        "idcard",
        "uscc",
        "region",
        "user",
        "users",
        "department",
        "departments",
        "link",
        "subtable",
        "attachments",
        "images",
        "signature",
        "rating",
        "location",
        "serial",
        "computed",
        "rollup",
    }
)

_problems = registry_problems()
if set(field_types()) != EXPECTED_TYPES:
    _problems.append(f"registered {sorted(field_types())}, expected {sorted(EXPECTED_TYPES)}")
if _problems:
    raise ConfigurationError(
        _("The field-type registry is inconsistent: {problems}", problems="; ".join(_problems))
    )

_FORMAT_TYPES = {
    "date": "date",
    "date-time": "datetime",
    "time": "time",
    "email": "email",
    "uri": "url",
}


def infer_type(prop: object) -> str | None:
    """The field type of a property without ``x-type``, from ``type``/``format``/shape.

    ``x-formula`` makes a computed field; ``enum`` a select; an array of enum strings a
    multiselect; an array of objects with properties a sub-table. None when nothing fits
    (the definition must then say ``x-type``).
    """
    if not isinstance(prop, dict):
        return None
    types = declared_types(prop)
    kind = types[0] if len(types) == 1 else None
    if "x-formula" in prop:
        return "computed"
    if "x-options" in prop and kind in {None, "string"}:
        return "select"
    if kind == "string" or (kind is None and "format" in prop):
        if "enum" in prop:
            return "select"
        return _FORMAT_TYPES.get(str(prop.get("format")), "text")
    if kind in {"number", "integer", "boolean"}:
        return kind
    if kind == "array":
        items = prop.get("items")
        if isinstance(items, dict):
            if isinstance(items.get("properties"), dict):
                return "subtable"
            if "enum" in items:
                return "multiselect"
    if kind is None and "enum" in prop:
        return "select"
    return None
