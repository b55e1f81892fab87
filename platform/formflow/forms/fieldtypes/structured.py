"""Field types with inner structure: subtable, region, location.

A sub-table's columns are fields themselves (built recursively by
:mod:`formflow.forms.definition`), so a column may be any type, including another sub-table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from formflow.errors import Issue
from formflow.expr import NUMBER, STRING, ListType, RowType, Type
from formflow.forms.fields import FieldSpec
from formflow.forms.fieldtypes.base import (
    NO_ISSUES,
    CheckContext,
    DefinitionContext,
    FieldType,
    ValueCheck,
    register,
)
from formflow.forms.fieldtypes.keywordchecks import check_int_keyword
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.forms.regions import closest_province, is_province, misplaced_city
from formflow.i18n import Msg, _

REGION_LEVELS = 3


@register
class SubtableType(FieldType):
    """Rows of sub-fields (``items.properties``); a row may hold its own sub-table.

    Like the form itself, a row accepts only its declared columns unless the definition sets
    ``additionalProperties`` or ``unevaluatedProperties``.
    """

    name = "subtable"
    json_types: ClassVar[tuple[str, ...]] = ("array",)
    widgets = ("table", "cards")

    def effective_schema(self, prop: Mapping[str, Any]) -> dict[str, Any]:
        schema = super().effective_schema(prop)
        items = schema.get("items")
        if isinstance(items, Mapping):
            filled = dict(items)
            filled.setdefault("type", "object")
            if "additionalProperties" not in filled and "unevaluatedProperties" not in filled:
                filled["additionalProperties"] = False
            schema["items"] = filled
        return schema

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        items = prop.get("items")
        if (
            not isinstance(items, Mapping)
            or items.get("type", "object") != "object"
            or not isinstance(items.get("properties"), Mapping)
            or not items["properties"]
        ):
            yield Issue(
                child(path, "items"),
                _(
                    "A sub-table describes its columns in items: {example}.",
                    example='{"type": "object", "properties": {...}}',
                ),
                "subtable_invalid",
            )

    def expr_type(self, spec: FieldSpec) -> Type:
        row = RowType(
            {name: column.type.expr_type(column) for name, column in spec.children.items()}
        )
        return ListType(row, origin=spec.name)


@register
class RegionType(FieldType):
    """Province, city and district names, province first: ``["广东省", "深圳市", "南山区"]``.

    ``x-region-level`` (1-3, default 3) is the deepest level the field asks for.
    """

    name = "region"
    json_types: ClassVar[tuple[str, ...]] = ("array",)
    shape: ClassVar[Mapping[str, Any]] = {
        "items": {"type": "string", "minLength": 1, "maxLength": 50},
        "minItems": 1,
        "maxItems": REGION_LEVELS,
    }
    widgets = ("region",)
    keywords = frozenset({"x-region-level"})

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from check_int_keyword(prop, "x-region-level", path, 1, REGION_LEVELS)

    def expr_type(self, spec: FieldSpec) -> Type:
        return ListType(STRING)

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        level = spec.schema.get("x-region-level", REGION_LEVELS)
        title = spec.title()

        def check(value: Any, path: str, context: CheckContext) -> Sequence[Issue]:
            if not isinstance(value, list) or not value or not isinstance(value[0], str):
                return NO_ISSUES
            misplaced = misplaced_city(value)
            if len(value) <= level and is_province(value[0]) and misplaced is None:
                return NO_ISSUES
            issues: list[Issue] = []
            if len(value) > level:
                issues.append(
                    Issue(
                        path,
                        _(
                            "{field} asks for at most {level} levels (province, city, "
                            "district); remove the extra names.",
                            field=title,
                            level=level,
                        ),
                        "region",
                    )
                )
            province = value[0]
            if not is_province(province):
                issues.append(Issue(child(path, 0), _unknown_province(province), "region"))
            if misplaced is not None:
                city, home = misplaced
                message = _(
                    "{city} is in {home}, not in {province}; choose the province again or "
                    "pick a city of {province}.",
                    city=quote(city),
                    home=quote(home),
                    province=quote(province),
                )
                issues.append(Issue(child(path, 1), message, "region"))
            return issues

        return check


def _unknown_province(name: str) -> Msg:
    guess = closest_province(name)
    if guess is not None:
        return _(
            "{value} is not a province name; did you mean {guess}?",
            value=quote(name),
            guess=quote(guess),
        )
    return _(
        "{value} is not a province, municipality or autonomous region of China; choose one "
        "from the list.",
        value=quote(name),
    )


@register
class LocationType(FieldType):
    """A point on the map with an optional address: ``{"lat", "lng", "address"}``."""

    name = "location"
    json_types: ClassVar[tuple[str, ...]] = ("object",)
    shape: ClassVar[Mapping[str, Any]] = {
        "properties": {
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "lng": {"type": "number", "minimum": -180, "maximum": 180},
            "address": {"type": "string", "maxLength": 500},
        },
        "required": ["lat", "lng"],
        "additionalProperties": False,
    }
    widgets = ("map", "gps")

    def expr_type(self, spec: FieldSpec) -> Type:
        return RowType({"lat": NUMBER, "lng": NUMBER, "address": STRING})
