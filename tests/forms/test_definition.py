"""Definition checks: every problem at once, each at its exact JSON path, never raising."""

from __future__ import annotations

from typing import Any

import pytest
from formkit import customer_info, payment_info, schema_of
from hypothesis import given, settings
from hypothesis import strategies as st

from formflow.errors import DefinitionInvalid
from formflow.forms import check_definition, compile_form

MONEY = {"x-type": "money"}

#: (properties, extra root keywords, ui, expected (path, code))
CASES: list[tuple[dict[str, Any], dict[str, Any], Any, tuple[str, str]]] = [
    ({"Amount": {"type": "number"}}, {}, None, ("$.schema.properties.Amount", "field_name")),
    ({"a" * 51: {"type": "number"}}, {}, None, (f"$.schema.properties.{'a' * 51}", "field_name")),
    ({"x": {"x-type": "mony"}}, {}, None, ("$.schema.properties.x.x-type", "type_unknown")),
    (
        {"x": {"type": "string", "x-type": "money"}},
        {},
        None,
        ("$.schema.properties.x.type", "type_mismatch"),
    ),
    (
        {"x": {"type": "number", "minimum": "a"}},
        {},
        None,
        ("$.schema.properties.x.minimum", "type"),
    ),
    (
        {"x": {**MONEY, "x-scale": 20}},
        {},
        None,
        ("$.schema.properties.x.x-scale", "keyword_invalid"),
    ),
    (
        {"x": {**MONEY, "x-currency": "rmb"}},
        {},
        None,
        ("$.schema.properties.x.x-currency", "keyword_invalid"),
    ),
    (
        {"x": {"type": "number", "x-lable": "金额"}},
        {},
        None,
        ("$.schema.properties.x.x-lable", "unknown_keyword"),
    ),
    (
        {"x": {"type": "number", "x-currency": "CNY"}},
        {},
        None,
        ("$.schema.properties.x.x-currency", "unknown_keyword"),
    ),
    (
        {"x": {"type": "number", "x-label": {"fr": "Montant"}}},
        {},
        None,
        ("$.schema.properties.x.x-label.fr", "label_locale"),
    ),
    (
        {"x": {"type": "number", "x-label": ""}},
        {},
        None,
        ("$.schema.properties.x.x-label", "label_empty"),
    ),
    (
        {"x": {"$ref": "https://example.com/x.json"}},
        {},
        None,
        ("$.schema.properties.x.$ref", "remote_ref"),
    ),
    (
        {"x": {"$ref": "#/$defs/missing"}},
        {},
        None,
        ("$.schema.properties.x.$ref", "ref_unresolved"),
    ),
    (
        {"x": {"type": "string", "pattern": "("}},
        {},
        None,
        ("$.schema.properties.x.pattern", "pattern_invalid"),
    ),
    (
        {"x": {"type": "string", "format": "postcode"}},
        {},
        None,
        ("$.schema.properties.x.format", "unknown_format"),
    ),
    (
        {"x": {"type": "object", "patternProperties": {"^a": {}}, "x-type": "location"}},
        {},
        None,
        ("$.schema.properties.x.patternProperties", "unsupported_keyword"),
    ),
    (
        {"x": {"type": "string", "$id": "inner"}},
        {},
        None,
        ("$.schema.properties.x.$id", "nested_id"),
    ),
    ({"x": {"type": "object"}}, {}, None, ("$.schema.properties.x.x-type", "type_unknown")),
    ({"x": True}, {}, None, ("$.schema.properties.x", "field_invalid")),
    ({"x": {"x-type": "select"}}, {}, None, ("$.schema.properties.x.x-options", "options_missing")),
    (
        {"x": {"x-type": "select", "enum": ["a"], "x-options": [{"value": "b"}]}},
        {},
        None,
        ("$.schema.properties.x.enum", "options_mismatch"),
    ),
    (
        {"x": {"x-type": "select", "x-options": [{"value": "a"}, {"value": "a"}]}},
        {},
        None,
        ("$.schema.properties.x.x-options[1].value", "options"),
    ),
    ({"x": {"x-type": "link"}}, {}, None, ("$.schema.properties.x.x-link", "link_invalid")),
    (
        {"x": {"x-type": "link", "x-link": {"form": "nope"}}},
        {},
        None,
        ("$.schema.properties.x.x-link.form", "unknown_form"),
    ),
    (
        {"x": {"x-type": "link", "x-link": {"form": "customer", "display": "nam"}}},
        {},
        None,
        ("$.schema.properties.x.x-link.display", "unknown_field"),
    ),
    (
        {"x": {"x-type": "subtable", "items": {"type": "object"}}},
        {},
        None,
        ("$.schema.properties.x.items", "subtable_invalid"),
    ),
    (
        {"x": {"x-type": "subtable", "items": {"properties": {"Q": {"type": "integer"}}}}},
        {},
        None,
        ("$.schema.properties.x.items.properties.Q", "field_name"),
    ),
    (
        {
            "x": {
                "x-type": "subtable",
                "items": {"properties": {"q": {"type": "integer", "x-index": True}}},
            }
        },
        {},
        None,
        ("$.schema.properties.x.items.properties.q.x-index", "index_not_allowed"),
    ),
    (
        {"x": {"x-type": "attachments", "x-index": True}},
        {},
        None,
        ("$.schema.properties.x.x-index", "index_not_allowed"),
    ),
    (
        {
            "x": {
                "x-type": "subtable",
                "items": {
                    "properties": {"n": {"x-type": "serial", "x-serial": {"pattern": "{seq}"}}}
                },
            }
        },
        {},
        None,
        ("$.schema.properties.x.items.properties.n", "top_level_only"),
    ),
    ({"x": {"x-type": "boolean", "x-formula": "true"}}, {}, None, ("$", "")),  # allowed
    (
        {"x": {"x-type": "user", "x-formula": "1"}},
        {},
        None,
        ("$.schema.properties.x.x-formula", "formula_not_allowed"),
    ),
    (
        {"x": {"x-type": "computed", "type": "number"}},
        {},
        None,
        ("$.schema.properties.x.x-formula", "formula_missing"),
    ),
    (
        {"x": {"type": "number", "x-formula": "amout + 1"}, "amount": MONEY},
        {},
        None,
        ("$.schema.properties.x.x-formula", "expression_unknown_field"),
    ),
    (
        {"x": {"type": "string", "x-formula": "1 + 2"}},
        {},
        None,
        ("$.schema.properties.x.x-formula", "expression_wrong_result_type"),
    ),
    (
        {"a": {"type": "number", "x-formula": "b + 1"}, "b": {"type": "number", "x-formula": "a"}},
        {},
        None,
        ("$.schema.properties.b.x-formula", "formula_cycle"),
    ),
    (
        {
            "x": {
                "x-type": "rollup",
                "x-rollup": {
                    "form": "payment",
                    "link": "contract",
                    "aggregate": "total",
                    "field": "amount",
                },
            }
        },
        {},
        None,
        ("$.schema.properties.x.x-rollup.aggregate", "rollup_invalid"),
    ),
    (
        {
            "x": {
                "x-type": "rollup",
                "x-rollup": {
                    "form": "payment",
                    "link": "memo",
                    "aggregate": "sum",
                    "field": "amount",
                },
            }
        },
        {},
        None,
        ("$.schema.properties.x.x-rollup.link", "rollup_link"),
    ),
    (
        {
            "x": {
                "x-type": "rollup",
                "x-rollup": {
                    "form": "payment",
                    "link": "contract",
                    "aggregate": "sum",
                    "field": "memo",
                },
            }
        },
        {},
        None,
        ("$.schema.properties.x.x-rollup.field", "rollup_field"),
    ),
    (
        {
            "x": {
                "x-type": "rollup",
                "x-rollup": {
                    "form": "payment",
                    "link": "contract",
                    "aggregate": "count",
                    "where": "amont > 0",
                },
            }
        },
        {},
        None,
        ("$.schema.properties.x.x-rollup.where", "expression_unknown_field"),
    ),
    (
        {"x": {"x-type": "serial", "x-serial": {"pattern": "{seq}", "reset": "daily"}}},
        {},
        None,
        ("$.schema.properties.x.x-serial.pattern", "serial_reset"),
    ),
    (
        {"x": {"x-type": "serial", "x-serial": {"pattern": "{seq}"}}},
        {"required": ["x"]},
        None,
        ("$.schema.properties.x", "required_system"),
    ),
    ({"x": MONEY}, {"required": ["y"]}, None, ("$.schema.required[0]", "unknown_field")),
    ({"x": MONEY}, {"x-constrants": []}, None, ("$.schema.x-constrants", "unknown_keyword")),
    (
        {"x": MONEY},
        {"x-constraints": [{"key": "k", "check": "x"}]},
        None,
        ("$.schema.x-constraints[0].check", "expression_wrong_result_type"),
    ),
    (
        {"x": MONEY},
        {"x-constraints": [{"check": "x > 0"}]},
        None,
        ("$.schema.x-constraints[0].key", "rule_key"),
    ),
    (
        {"x": MONEY},
        {"x-constraints": [{"key": "k", "check": "x > 0", "path": "y"}]},
        None,
        ("$.schema.x-constraints[0].path", "unknown_field"),
    ),
    (
        {"x": MONEY},
        {"x-unique-together": [["x", "y"]]},
        None,
        ("$.schema.x-unique-together[0][1]", "group_invalid"),
    ),
    (
        {"x": MONEY},
        {"x-status-rules": [{"status": "done"}, {"when": "x > 0", "status": "a"}]},
        None,
        ("$.schema.x-status-rules[0].when", "rule_invalid"),
    ),
    (
        {"x": MONEY},
        {"x-status-rules": [{"when": "x > 0", "status": "Done!"}]},
        None,
        ("$.schema.x-status-rules[0].status", "rule_invalid"),
    ),
    (
        {"x": MONEY},
        {"x-aggregate-constraints": [{"key": "k", "group_by": ["x"], "check": "sum(y) >= 0"}]},
        None,
        ("$.schema.x-aggregate-constraints[0].check", "expression_unknown_field"),
    ),
    ({"x": MONEY}, {"x-display": "nope"}, None, ("$.schema.x-display", "display_invalid")),
    (
        {"x": MONEY},
        {"$schema": "http://json-schema.org/draft-07/schema#"},
        None,
        ("$.schema.$schema", "schema_version"),
    ),
    ({"x": MONEY}, {}, {"fields": {"y": {}}}, ("$.ui.fields.y", "ui_unknown_field")),
    (
        {"x": MONEY},
        {},
        {"fields": {"x": {"widget": "stars"}}},
        ("$.ui.fields.x.widget", "ui_widget"),
    ),
    (
        {"x": MONEY},
        {},
        {"fields": {"x": {"visible_if": "x + 1"}}},
        ("$.ui.fields.x.visible_if", "expression_wrong_result_type"),
    ),
    (
        {"x": MONEY},
        {},
        {"fields": {"x": {"colour": "red"}}},
        ("$.ui.fields.x.colour", "ui_unknown_key"),
    ),
    (
        {"x": MONEY},
        {},
        {"layout": [{"fields": ["x"]}, {"fields": ["x"]}]},
        ("$.ui.layout[1].fields[0]", "ui_duplicate"),
    ),
    (
        {"x": MONEY},
        {},
        {"layout": [{"fields": ["z"]}]},
        ("$.ui.layout[0].fields[0]", "ui_unknown_field"),
    ),
    (
        {"x": MONEY},
        {},
        {"layout": [{"fields": ["x"], "columns": 9}]},
        ("$.ui.layout[0].columns", "ui_invalid"),
    ),
    ({"x": MONEY}, {}, {"theme": "dark"}, ("$.ui.theme", "ui_unknown_key")),
    ({"x": MONEY}, {}, [], ("$.ui", "ui_invalid")),
    (
        {"t": {"x-type": "subtable", "items": {"properties": {"q": {"type": "integer"}}}}},
        {},
        {"fields": {"t": {"columns": {"q": {"required_if": "r > 1"}}}}},
        ("$.ui.fields.t.columns.q.required_if", "expression_unknown_field"),
    ),
]


def _check(props: dict[str, Any], root: dict[str, Any], ui: Any) -> list[tuple[str, str]]:
    known = {"customer": customer_info(), "payment": payment_info()}
    issues = check_definition(
        schema_of(props, root=root), ui, known_forms=known, form_key="contract"
    )
    return [(issue.path, issue.code) for issue in issues]


@pytest.mark.parametrize(("props", "root", "ui", "expected"), CASES)
def test_each_definition_problem_is_reported_at_its_exact_path(
    props: dict[str, Any], root: dict[str, Any], ui: Any, expected: tuple[str, str]
) -> None:
    found = _check(props, root, ui)
    if expected == ("$", ""):
        assert found == []
    else:
        assert expected in found


def test_every_problem_is_reported_at_once() -> None:
    props = {
        "Bad": {"type": "number"},
        "x": {"x-type": "mony"},
        "y": {"type": "string", "pattern": "("},
    }
    found = _check(props, {"x-constrants": []}, {"fields": {"nope": {}}})
    assert {path for path, _code in found} == {
        "$.schema.properties.Bad",
        "$.schema.properties.x.x-type",
        "$.schema.properties.y.pattern",
        "$.schema.x-constrants",
        "$.ui.fields.nope",
    }


def test_a_message_names_the_bad_value_and_what_to_do_in_both_languages() -> None:
    issue = check_definition(schema_of({"x": {"x-type": "mony"}}))[0]
    assert issue.message.render("en") == "Unknown field type “mony”; did you mean “money”?"
    assert issue.message.render("zh-CN") == "未知的字段类型 “mony”；您是想用 “money” 吗？"


def test_compile_form_raises_definition_invalid_with_every_issue() -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        compile_form(schema_of({"X": {"type": "number"}, "y": {"x-type": "nope"}}))
    assert len(raised.value.issues) == 2
    assert "2 problem(s)" in raised.value.render("en")


def test_a_shallow_check_without_known_forms_takes_links_on_trust() -> None:
    props = {
        "c": {"x-type": "link", "x-link": {"form": "customer"}},
        "r": {
            "x-type": "rollup",
            "x-rollup": {
                "form": "payment",
                "link": "contract",
                "aggregate": "sum",
                "field": "amount",
            },
        },
    }
    assert check_definition(schema_of(props)) == []
    assert {
        code
        for _path, code in [
            (i.path, i.code) for i in check_definition(schema_of(props), known_forms={})
        ]
    } == {"unknown_form"}


def test_a_field_may_take_its_schema_from_a_local_definition() -> None:
    schema = schema_of(
        {"amount": {"$ref": "#/$defs/amount", "x-type": "money"}},
        root={"$defs": {"amount": {"type": "number", "minimum": 0}}},
    )
    form = compile_form(schema)
    assert form.fields["amount"].type_name == "money"
    assert [issue.code for issue in form.validate({"amount": -1})] == ["minimum"]


@pytest.mark.parametrize("schema", [None, [], "schema", 5, {"type": "array"}, {"properties": 5}])
def test_a_schema_that_is_not_an_object_schema_is_reported_not_raised(schema: Any) -> None:
    issues = check_definition(schema)
    assert issues
    assert all(issue.path.startswith("$.schema") for issue in issues)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
KEYWORDS = st.sampled_from(
    [
        "type",
        "x-type",
        "properties",
        "items",
        "required",
        "enum",
        "x-options",
        "x-formula",
        "pattern",
        "$ref",
        "x-link",
        "minimum",
        "x-serial",
        "x-rollup",
        "format",
        "x-label",
        "x-constraints",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z]{1,4}", fullmatch=True),
        st.dictionaries(KEYWORDS, JSON, max_size=4),
        max_size=4,
    ),
    st.dictionaries(KEYWORDS, JSON, max_size=3),
    JSON,
)
def test_random_definitions_never_raise(
    props: dict[str, Any], root: dict[str, Any], ui: Any
) -> None:
    issues = check_definition({"type": "object", "properties": props, **root}, ui)
    assert isinstance(issues, list)
    assert all(issue.path.startswith(("$.schema", "$.ui")) for issue in issues)


def test_a_mistake_the_meta_schema_reports_is_not_reported_again_as_a_guess() -> None:
    issues = check_definition(schema_of({"x": {"type": "strin"}}))
    assert [(issue.path, issue.code) for issue in issues] == [
        ("$.schema.properties.x.type", "anyOf")
    ]
    assert issues[0].message.render("en") == (
        "“strin” is not a JSON type; use string, number, integer, boolean, array, object or null."
    )


def test_a_definition_parsed_with_exact_decimals_compiles_and_validates() -> None:
    import simplejson

    text = simplejson.dumps(
        schema_of(
            {
                "price": {"x-type": "money", "minimum": 0.5, "x-scale": 2, "multipleOf": 0.05},
                "stars": {"x-type": "rating", "x-rating-max": 10},
            }
        )
    )
    form = compile_form(simplejson.loads(text, use_decimal=True))
    data = simplejson.loads('{"price": 1.15, "stars": 7}', use_decimal=True)
    assert form.validate(data) == []
    bad = simplejson.loads('{"price": 1.17, "stars": 11}', use_decimal=True)
    assert sorted(issue.code for issue in form.validate(bad)) == ["multipleOf", "rating"]
