"""The fast path (jsonschema_rs) and the explaining path (python jsonschema) always agree.

Hypothesis generates form schemas without platform-only rules and data that is sometimes
valid and sometimes not (values near limits, wrong types, bad formats, missing and extra
keys). For every pair, "the Rust validator says valid" must equal "python jsonschema finds no
error"; and a compiled form's verdict must equal the reference python validator's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from formflow.forms import compile_form
from formflow.forms.engines import SchemaEngines, python_validator_class
from formflow.forms.formats import format_checker

D = Decimal
FORMATS = ["date", "date-time", "time", "email", "uuid", "ipv4", "ipv6", "hostname"]
PATTERNS = ["^[a-z]+$", "[0-9]", "^A", "b$", "^[\\u4e00-\\u9fff]{1,3}$", "^(a|b)*c?$"]
SAMPLES = {
    "date": ["2026-01-31", "2024-02-29", "2026-02-29", "2026-1-31", "x"],
    "date-time": [
        "2026-01-31T08:00:00Z",
        "2026-01-31T08:00:00+08:00",
        "2026-01-31T25:00:00Z",
        "2026-01-31 08:00:00Z",
        "2026-01-31T08:00:00.123Z",
    ],
    "time": ["08:30", "23:59:59", "24:00", "8:30", "08:30:00Z"],
    "email": ["a@example.com", "a@b", "no at sign", "x.y@mail.example.cn", "a @b.com"],
    "uuid": ["123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000"],
    "ipv4": ["192.168.1.10", "256.1.1.1", "1.2.3"],
    "ipv6": ["2001:db8::1", "::1", "2001:db8:::1"],
    "hostname": ["www.example.com", "-bad-.com", "a..b", "localhost"],
}
NUMBERS = [
    D("-5"),
    D("-0.5"),
    D("0"),
    D("0.01"),
    D("0.1"),
    D("0.3"),
    D("1"),
    D("1.5"),
    D("2.50"),
    D("3"),
    D("10"),
    D("99.99"),
    D("1E+2"),
    0,
    1,
    2,
    7,
    -3,
    100,
]
TEXTS = ["", "a", "abc", "Abc", "b", "ab12", "中文", "简单的", "ccc", "A1", "abcdefghij", "c"]
OTHERS: list[Any] = [None, True, False, [], {}, "1", 1, D("1.5"), ["a"], {"a": 1}]


@st.composite
def string_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    choice = draw(st.sampled_from(["plain", "format", "format", "pattern", "enum"]))
    if choice == "format":
        schema["format"] = draw(st.sampled_from(FORMATS))
    elif choice == "pattern":
        schema["pattern"] = draw(st.sampled_from(PATTERNS))
    elif choice == "enum":
        schema["enum"] = draw(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=4, unique=True))
    if draw(st.booleans()):
        schema["minLength"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        schema["maxLength"] = draw(st.integers(2, 8))
    return schema


@st.composite
def number_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": draw(st.sampled_from(["number", "integer"]))}
    bounds = st.sampled_from([D("-1"), D("0"), D("0.5"), D("1"), D("2.5"), D("10"), 3])
    for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if draw(st.integers(0, 3)) == 0:
            schema[keyword] = draw(bounds)
    if draw(st.integers(0, 3)) == 0:
        schema["multipleOf"] = draw(st.sampled_from([D("0.5"), D("0.01"), D("0.1"), 3, 2]))
    return schema


def leaf_schemas() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        string_schemas(),
        number_schemas(),
        st.just({"type": "boolean"}),
        st.builds(
            lambda items, unique, low: {
                "type": "array",
                "items": items,
                "uniqueItems": unique,
                "minItems": low,
            },
            st.sampled_from([{"type": "string", "enum": ["a", "b", "c"]}]),
            st.booleans(),
            st.integers(0, 2),
        ),
    )


@st.composite
def row_schemas(draw: st.DrawFn) -> dict[str, Any]:
    columns = draw(
        st.dictionaries(st.sampled_from(["q", "r", "s"]), leaf_schemas(), min_size=1, max_size=3)
    )
    required = draw(st.lists(st.sampled_from(sorted(columns)), unique=True, max_size=2))
    return {
        "type": "array",
        "maxItems": draw(st.integers(1, 4)),
        "items": {"type": "object", "properties": columns, "required": required},
    }


@st.composite
def form_schemas(draw: st.DrawFn) -> dict[str, Any]:
    """A form schema whose fields all get a type by inference (no platform-only rules)."""
    properties = draw(
        st.dictionaries(
            st.sampled_from(["a", "b", "c", "d", "e"]),
            st.one_of(leaf_schemas(), row_schemas()),
            min_size=1,
            max_size=5,
        )
    )
    required = draw(st.lists(st.sampled_from(sorted(properties)), unique=True, max_size=3))
    return {"type": "object", "properties": properties, "required": required}


def values_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values that often fit ``schema`` and often just miss."""
    kind = schema.get("type")
    others = st.sampled_from(OTHERS)
    if kind == "string":
        specific = [*SAMPLES.get(schema.get("format", ""), []), *schema.get("enum", [])]
        if not specific:
            return st.one_of(st.sampled_from(TEXTS), st.text(max_size=6), others)
        near = st.sampled_from(specific)
        return st.one_of(near, near, near, st.sampled_from(TEXTS), st.text(max_size=6), others)
    if kind in {"number", "integer"}:
        return st.one_of(
            st.sampled_from(NUMBERS), st.decimals(min_value=-20, max_value=20, places=2), others
        )
    if kind == "boolean":
        return st.one_of(st.booleans(), others)
    if kind == "array":
        item = schema["items"]
        if item.get("type") == "object":
            return st.one_of(st.lists(objects_for(item), max_size=5), others)
        return st.one_of(st.lists(values_for(item), max_size=4), others)
    return others


def objects_for(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema["properties"]
    present = st.fixed_dictionaries(
        {}, optional={name: values_for(sub) for name, sub in properties.items()}
    )
    extra = st.dictionaries(st.sampled_from(["zz", "a"]), st.sampled_from(OTHERS), max_size=1)
    return st.one_of(present, present, present, st.builds(lambda p, e: {**e, **p}, present, extra))


@st.composite
def schemas_and_data(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    schema = draw(form_schemas())
    data = draw(st.lists(objects_for(schema), min_size=1, max_size=6))
    return schema, data


def _reference(schema: dict[str, Any]) -> Any:
    return python_validator_class()(schema, format_checker=format_checker())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas_and_data())
def test_the_rust_and_python_engines_give_identical_verdicts(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    schema, records = case
    engines = SchemaEngines(schema)
    for record in records:
        assert engines.is_valid(record) == (engines.errors(record) == []), record


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas_and_data())
def test_a_compiled_form_agrees_with_python_jsonschema_on_every_record(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    schema, records = case
    form = compile_form(schema)
    reference = _reference(dict(form.schema))
    for record in records:
        ours = form.validate(record)
        theirs = list(reference.iter_errors(record))
        assert (ours == []) == (theirs == []), (record, ours, theirs)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_format_is_checked_identically_by_both_engines(fmt: str, data: st.DataObject) -> None:
    value = data.draw(
        st.one_of(
            st.sampled_from(SAMPLES[fmt]),
            st.text(max_size=12),
            st.from_regex(r"[0-9:.TZ+-]{4,25}", fullmatch=True),
        )
    )
    engines = SchemaEngines(
        {"type": "object", "properties": {"v": {"type": "string", "format": fmt}}}
    )
    assert engines.is_valid({"v": value}) == (engines.errors({"v": value}) == [])
    for sample in SAMPLES[fmt]:
        assert engines.is_valid({"v": sample}) == (engines.errors({"v": sample}) == [])


def test_the_generated_data_is_sometimes_valid_and_sometimes_not() -> None:
    def verdicts(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> set[bool]:
        engines = SchemaEngines(case[0])
        return {engines.is_valid(record) for record in case[1]}

    mixed = find(
        schemas_and_data(),
        lambda case: verdicts(case) == {True, False},
        settings=settings(max_examples=500, database=None),
    )
    assert verdicts(mixed) == {True, False}


SCHEMA_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-3, 5)
    | st.sampled_from(
        [D("1.5"), D("2"), "string", "number", "object", "x", "^a", "(", "#/$defs/a", "date"]
    )
)
SCHEMA_KEYS = st.sampled_from(
    [
        "type",
        "properties",
        "items",
        "required",
        "enum",
        "minimum",
        "maxLength",
        "pattern",
        "$ref",
        "format",
        "additionalProperties",
        "allOf",
        "anyOf",
        "not",
        "const",
        "$defs",
        "minItems",
        "uniqueItems",
        "$anchor",
        "dependentRequired",
        "if",
        "then",
        "title",
    ]
)
SCHEMA_JSON = st.recursive(
    SCHEMA_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SCHEMA_KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(SCHEMA_KEYS, SCHEMA_JSON, max_size=4))
def test_the_fast_meta_schema_check_never_passes_what_the_python_check_refuses(
    schema: dict[str, Any],
) -> None:
    from formflow.forms.definition import _meets_metaschema_fast
    from formflow.forms.engines import metaschema_validator

    if _meets_metaschema_fast(schema):
        assert list(metaschema_validator().iter_errors(schema)) == []
