"""What a compiled form knows about each of its fields.

:class:`FieldSpec` is the one description of a field that every other part reads: the field
type from the registry, the label, whether it is required, its options, its sub-table columns,
its formula, rollup, serial pattern or link, and how the database indexes it. Specs are built
by :mod:`formflow.forms.definition` from the JSON Schema and never change afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from formflow.forms.labels import Label, LabelMsg, label_msg

if TYPE_CHECKING:
    from formflow.forms.fieldtypes.base import FieldType
    from formflow.forms.rollup import RollupSpec
    from formflow.forms.serial import SerialPattern


class IndexKind(StrEnum):
    """How the database indexes a field's value (``x-index``): as a number or as text.

    Dates and UTC date-times are indexed as text: their ISO spelling sorts in time order.
    """

    NUMBER = "number"
    TEXT = "text"


@dataclass(frozen=True)
class Option:
    """One choice of a select or multiselect field: the stored ``value`` and its label."""

    value: str
    label: Label


@dataclass(frozen=True)
class LinkSpec:
    """``x-link``: the field holds the id of a record of ``form``, shown by its ``display``."""

    form: str
    display: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One field of a form (or one column of a sub-table).

    ``path`` is the dotted field path (``items.qty`` for a sub-table column); ``schema`` is the
    field's JSON Schema after the field type filled in its defaults. ``required`` is the
    schema's ``required`` only; UI rules (``required_if``) are evaluated per submission.
    ``index`` is set only when the field asks for a database index (``x-index``).
    """

    name: str
    path: str
    type: FieldType
    schema: Mapping[str, Any]
    label: Label | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    children: Mapping[str, FieldSpec] = field(default_factory=dict)
    formula: str | None = None
    rollup: RollupSpec | None = None
    serial: SerialPattern | None = None
    link: LinkSpec | None = None
    index: IndexKind | None = None
    unique: bool = False
    scale: int | None = None
    currency: str | None = None
    #: money whose currency another field holds (``x-currency: {"field": ...}``)
    currency_field: str | None = None

    @property
    def type_name(self) -> str:
        """The registry name of the field type (``money``, ``subtable`` ...)."""
        return self.type.name

    @property
    def is_computed(self) -> bool:
        """True when the platform computes the value from ``x-formula``."""
        return self.formula is not None

    @property
    def is_system(self) -> bool:
        """True when the value is set by the platform, never by a user.

        Computed fields are computed on submit; serial numbers are assigned and rollups kept
        up to date by the services inside the writing transaction.
        """
        return self.formula is not None or self.type.system

    @property
    def is_subtable(self) -> bool:
        return self.type.name == "subtable"

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def title(self) -> LabelMsg:
        """The field's label as a message (falls back to the field name)."""
        return label_msg(self.label, self.name)

    def option_label(self, value: str) -> LabelMsg:
        """The label of one option value (falls back to the value itself)."""
        for option in self.options:
            if option.value == value:
                return label_msg(option.label, value)
        return label_msg(None, value)

    def walk(self) -> Iterator[FieldSpec]:
        """This field and, for a sub-table, every column below it (depth first)."""
        yield self
        for column in self.children.values():
            yield from column.walk()


def walk_fields(fields: Mapping[str, FieldSpec]) -> Iterator[FieldSpec]:
    """Every field of a form, sub-table columns included, in definition order."""
    for spec in fields.values():
        yield from spec.walk()


def find_field(fields: Mapping[str, FieldSpec], path: str) -> FieldSpec | None:
    """The field at a dotted field path (``items.qty``), or None."""
    current: Mapping[str, FieldSpec] = fields
    spec: FieldSpec | None = None
    for part in path.split("."):
        spec = current.get(part)
        if spec is None:
            return None
        current = spec.children
    return spec


def schema_path(field: str, root: str = "$.schema") -> str:
    """The JSON path of a field's definition: ``items.qty`` ->
    ``$.schema.properties.items.items.properties.qty``."""
    parts = field.split(".")
    path = root
    for index, part in enumerate(parts):
        if index:
            path += ".items"
        path += f".properties.{part}"
    return path
