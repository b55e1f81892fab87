"""The field-type registry: one small class per field type, checked when it is registered.

A field type says everything the platform needs to know about a kind of field:

* the JSON types its values may have (``json_types``; the first is filled in when a
  definition leaves ``type`` out) and further JSON Schema keywords it fills in when absent
  (``shape``) — so ``{"x-type": "money"}`` becomes ``{"type": "number", ...}``;
* the widgets that may show it and the default widget (``widgets[0]``);
* its type in the expression language (:meth:`FieldType.expr_type`);
* how the database indexes it (``index_kind``: number, text, or not indexable);
* the platform keywords it understands (``keywords``), its extra definition checks
  (:meth:`FieldType.check_definition`) and its extra value checks beyond JSON Schema
  (:meth:`FieldType.value_check`), each with a translated message.

Types register with :func:`register`; :func:`registry_problems` (run at import by
``formflow.forms.fieldtypes``) proves every declaration is consistent, so a broken field type
fails at start-up, not on a user's submission.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from formflow.errors import ConfigurationError, Issue
from formflow.expr import ANY, Type
from formflow.forms.fields import FieldSpec, IndexKind
from formflow.i18n import _

if TYPE_CHECKING:
    from formflow.forms.forminfo import FormInfo

#: JSON Schema type names.
JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})

#: Platform keywords every field may carry, whatever its type.
COMMON_KEYWORDS = frozenset(
    {"x-type", "x-label", "x-index", "x-unique", "x-formula", "x-pattern-message"}
)


@dataclass(frozen=True)
class CheckContext:
    """What a value check may know about the submission: the day (for birth dates), draft."""

    today: date | None = None
    draft: bool = False


#: A platform value check: (value, JSON path, context) -> problems. Called only for values
#: present in the data, on every submission, so it must be cheap on the valid path (return
#: :data:`NO_ISSUES`) and tolerate values of the wrong JSON type (the schema reports those).
ValueCheck = Callable[[Any, str, CheckContext], Sequence[Issue]]

NO_ISSUES: Sequence[Issue] = ()


@dataclass(frozen=True)
class DefinitionContext:
    """What a field type's definition checks may consult.

    ``known_forms`` are the other forms of the installation (for ``x-link`` and ``x-rollup``);
    None means "not checked": references to other forms are taken on trust (a *shallow*
    compile, used to describe forms that refer to each other in cycles);
    ``form_key`` is the key of the form being checked when the caller knows it; ``top_level``
    is False for sub-table columns; ``root`` is the whole schema (to read local ``$ref``).
    """

    known_forms: Mapping[str, FormInfo] | None = None
    form_key: str | None = None
    top_level: bool = True
    root: Mapping[str, Any] | None = None


class FieldType:
    """Base of all field types; subclasses set the class attributes and override hooks."""

    name: ClassVar[str] = ""
    json_types: ClassVar[tuple[str, ...]] = ()
    shape: ClassVar[Mapping[str, Any]] = {}
    widgets: ClassVar[tuple[str, ...]] = ()
    index_kind: ClassVar[IndexKind | None] = None
    keywords: ClassVar[frozenset[str]] = frozenset()
    #: The platform sets the value (serial numbers, rollups); users never do.
    system: ClassVar[bool] = False
    #: The field may carry an ``x-formula`` (it then becomes computed and read-only).
    computable: ClassVar[bool] = False
    #: Whether the value check also runs for drafts (checks that keep data storable).
    check_drafts: ClassVar[bool] = False

    @property
    def default_widget(self) -> str:
        return self.widgets[0]

    def allowed_keywords(self) -> frozenset[str]:
        """Every ``x-`` keyword this type accepts on a field."""
        return COMMON_KEYWORDS | self.keywords

    def effective_schema(self, prop: Mapping[str, Any]) -> dict[str, Any]:
        """The field's JSON Schema with this type's defaults filled in where absent."""
        schema = dict(prop)
        if "type" not in schema and self.json_types:
            schema["type"] = self.json_types[0]
        for key, value in self.shape.items():
            if key not in schema:
                schema[key] = copy.deepcopy(value)
        return schema

    def index_for(self, schema: Mapping[str, Any]) -> IndexKind | None:
        """How the database would index a field of this type with ``schema`` (None: never)."""
        return self.index_kind

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        """Problems with this type's own keywords in ``prop`` (at JSON path ``path``)."""
        return iter(())

    def expr_type(self, spec: FieldSpec) -> Type:
        """The field's type in the expression language."""
        return ANY

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        """The platform's extra check for values of ``spec``, or None when there is none."""
        return None


_REGISTRY: dict[str, FieldType] = {}


def register(cls: type[FieldType]) -> type[FieldType]:
    """Class decorator: add a field type to the registry (names must be unique)."""
    if cls.name in _REGISTRY:
        raise ConfigurationError(_("Field type {name} is registered twice.", name=cls.name))
    _REGISTRY[cls.name] = cls()
    return cls


def field_type(name: str) -> FieldType | None:
    """The registered field type called ``name``, or None."""
    return _REGISTRY.get(name)


def field_types() -> Mapping[str, FieldType]:
    """All registered field types by name, in registration order."""
    return dict(_REGISTRY)


def registry_problems() -> list[str]:
    """Inconsistencies in the registered types (empty when the registry is sound)."""
    problems: list[str] = []
    for name, kind in _REGISTRY.items():
        if not name or not name.isidentifier():
            problems.append(f"{name!r}: the name must be an identifier")
        if not kind.json_types or not set(kind.json_types) <= JSON_TYPES:
            problems.append(f"{name}: json_types must be JSON Schema type names")
        if not kind.widgets:
            problems.append(f"{name}: at least one widget (the first is the default)")
        if len(set(kind.widgets)) != len(kind.widgets):
            problems.append(f"{name}: widgets are listed twice")
        if not all(keyword.startswith("x-") for keyword in kind.keywords):
            problems.append(f"{name}: platform keywords start with x-")
        if "type" in kind.shape:
            problems.append(f"{name}: the JSON type belongs in json_types, not in shape")
        if kind.index_kind is not None and kind.json_types[0] in {"array", "object"}:
            problems.append(f"{name}: only scalar values can be indexed")
    return problems


def declared_types(prop: Mapping[str, Any]) -> list[str]:
    """The JSON types named by a schema's ``type`` (a name or a list), without ``null``."""
    value = prop.get("type")
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, list):
        names = [item for item in value if isinstance(item, str)]
    else:
        names = []
    return [name for name in names if name != "null"]
