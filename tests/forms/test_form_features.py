"""Field types users, departments and uscc; money in a record's currency; x-flow-only and
x-readers as form definitions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formflow.expr import EvalContext, ListType, RefType, compile_expression, evaluate
from formflow.forms import check_definition, compile_form
from formflow.forms.uscc import ALPHABET, check_character, uscc_problem

PEOPLE = compile_form(
    {
        "type": "object",
        "properties": {
            "readers": {"x-type": "users"},
            "depts": {"x-type": "departments"},
            "code": {"x-type": "uscc"},
        },
    }
)


@pytest.mark.parametrize(
    ("data", "codes"),
    [
        ({"readers": [1, 2], "depts": [3]}, []),
        ({"readers": [1, 1]}, ["uniqueItems"]),
        ({"readers": [0]}, ["minimum"]),
        ({"depts": ["a"]}, ["type"]),
        ({"readers": 5}, ["type"]),
    ],
)
def test_multi_pickers_hold_lists_of_distinct_ids(data: dict[str, Any], codes: list[str]) -> None:
    assert [issue.code for issue in PEOPLE.validate(data)] == codes


def test_multi_pickers_list_every_id_as_a_reference_and_are_lists_in_expressions() -> None:
    refs = PEOPLE.references({"readers": [4, 5], "depts": [2]})
    assert [(r.kind, r.id, r.path) for r in refs] == [
        ("user", 4, "$.readers[0]"),
        ("user", 5, "$.readers[1]"),
        ("department", 2, "$.depts[0]"),
    ]
    assert PEOPLE.scope.fields["readers"] == ListType(RefType("user"))
    checked = compile_expression("len(readers) = 2 and count(depts) = 1", PEOPLE.scope)
    context = EvalContext(today=date(2026, 1, 5), now=datetime(2026, 1, 5, tzinfo=UTC))
    assert evaluate(checked, {"readers": [4, 5], "depts": [2]}, context) is True


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "91110000600037341L", "914403001922038216", "91440300708461136T"]
)
def test_real_unified_social_credit_codes_are_accepted(code: str) -> None:
    assert uscc_problem(code) is None
    assert PEOPLE.validate({"code": code}) == []


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "has 17"),
        ("91350100M000100Y44", "should be 3"),
        ("91350100m000100y43", "capital letters"),
        ("91350100I000100Y43", "contains I"),
    ],
)
def test_wrong_codes_are_refused_saying_why(code: str, fragment: str) -> None:
    (issue,) = PEOPLE.validate({"code": code})
    assert issue.code == "uscc"
    assert fragment in issue.message.render("en")
    assert issue.message.render("zh-CN") != issue.message.render("en")


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.integers(0, 17), st.data())
def test_any_single_changed_character_breaks_the_check(
    body: str, position: int, data: st.DataObject
) -> None:
    code = body + check_character(body)
    assert uscc_problem(code) is None
    other = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
    changed = code[:position] + other + code[position + 1 :]
    assert uscc_problem(changed) is not None


PRICED = compile_form(
    {
        "type": "object",
        "properties": {
            "currency": {"type": "string"},
            "amount": {"x-type": "money", "x-currency": {"field": "currency"}},
            "fee": {"x-type": "money", "x-currency": {"field": "currency"}, "x-scale": 4},
            "lines": {
                "x-type": "subtable",
                "items": {
                    "properties": {
                        "cur": {"type": "string"},
                        "price": {"x-type": "money", "x-currency": {"field": "cur"}},
                        "tax": {"x-type": "money", "x-currency": {"field": "currency"}},
                    }
                },
            },
        },
    }
)


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ({"currency": "JPY", "amount": Decimal("1200")}, []),
        ({"currency": "JPY", "amount": Decimal("1200.00")}, []),
        ({"currency": "JPY", "amount": Decimal("1200.5")}, [("$.amount", "scale")]),
        ({"currency": "KWD", "amount": Decimal("1.125")}, []),
        ({"currency": "CNY", "amount": Decimal("1.125")}, [("$.amount", "scale")]),
        ({"currency": "CNY", "fee": Decimal("1.1250")}, []),
        ({"currency": "ABC", "amount": Decimal("1")}, [("$.currency", "currency")]),
        (
            {"currency": "JPY", "lines": [{"cur": "USD", "price": Decimal("1.5"), "tax": 2}]},
            [],
        ),
        (
            {"currency": "JPY", "lines": [{"cur": "JPY", "price": Decimal("1.5")}]},
            [("$.lines[0].price", "scale")],
        ),
        (
            {"currency": "JPY", "lines": [{"tax": Decimal("0.5")}]},
            [("$.lines[0].tax", "scale")],
        ),
    ],
)
def test_money_is_checked_in_the_currency_its_record_names(
    data: dict[str, Any], problems: list[tuple[str, str]]
) -> None:
    assert [(i.path, i.code) for i in PRICED.validate(data)] == problems


def test_a_currency_field_must_exist_and_hold_a_code() -> None:
    schema = {
        "type": "object",
        "properties": {
            "paid": {"type": "boolean"},
            "amount": {"x-type": "money", "x-currency": {"field": "paid"}},
            "other": {"x-type": "money", "x-currency": {"field": "nope"}},
            "bad": {"x-type": "money", "x-currency": {"fld": "x"}},
        },
    }
    paths = [issue.path for issue in check_definition(schema)]
    assert paths == [
        "$.schema.properties.bad.x-currency",
        "$.schema.properties.amount.x-currency.field",
        "$.schema.properties.other.x-currency.field",
    ]


AUDIENCE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "audience": {
            "x-options": [{"value": "all", "label": "全员"}, {"value": "some", "label": "部分"}]
        },
        "people": {"x-type": "users"},
        "owner": {"x-type": "user"},
        "depts": {"x-type": "departments"},
        "targets": {
            "x-type": "subtable",
            "items": {"properties": {"department": {"x-type": "department"}}},
        },
        "roles": {"x-type": "multiselect", "x-options": [{"value": "hr", "label": "HR"}]},
        "paid_on": {"x-type": "date"},
        "total": {"x-type": "money", "x-formula": "1"},
    },
    "x-readers": {
        "fields": ["people", "owner", "depts", "targets.department", "roles"],
        "everyone_if": "audience = 'all'",
    },
    "x-flow-only": ["paid_on"],
}


@pytest.mark.parametrize(
    ("data", "principals"),
    [
        ({"audience": "all"}, {"everyone"}),
        (
            {"audience": "some", "people": [3, 4], "owner": 4, "depts": [2]},
            {"user:3", "user:4", "department:2"},
        ),
        (
            {"targets": [{"department": 5}, {}, {"department": 5}], "roles": ["hr"]},
            {"department:5", "role:hr"},
        ),
        ({}, set()),
    ],
)
def test_reader_principals_come_from_the_record(data: dict[str, Any], principals: set[str]) -> None:
    form = compile_form(AUDIENCE)
    assert form.readers is not None
    assert form.readers.principals(data) == principals
    assert form.flow_only == ("paid_on",)


@pytest.mark.parametrize(
    ("keyword", "value", "path", "code"),
    [
        ("x-readers", {"fields": ["paid_on"]}, "$.schema.x-readers.fields[0]", "readers_invalid"),
        ("x-readers", {"fields": [], "whom": 1}, "$.schema.x-readers.whom", "readers_invalid"),
        ("x-readers", {"fields": []}, "$.schema.x-readers", "readers_invalid"),
        (
            "x-readers",
            {"everyone_if": "audience"},
            "$.schema.x-readers.everyone_if",
            "expression_wrong_result_type",
        ),
        ("x-readers", ["people"], "$.schema.x-readers", "readers_invalid"),
        ("x-flow-only", ["nope"], "$.schema.x-flow-only[0]", "unknown_field"),
        ("x-flow-only", ["total"], "$.schema.x-flow-only[0]", "flow_only_invalid"),
        ("x-flow-only", ["paid_on", "paid_on"], "$.schema.x-flow-only[1]", "flow_only_invalid"),
        ("x-flow-only", "paid_on", "$.schema.x-flow-only", "flow_only_invalid"),
    ],
)
def test_bad_reader_and_flow_only_definitions_are_reported_at_their_path(
    keyword: str, value: Any, path: str, code: str
) -> None:
    schema = {**AUDIENCE, keyword: value}
    found = [(issue.path, issue.code) for issue in check_definition(schema)]
    assert (path, code) in found


def test_readers_wait_until_the_when_condition_holds() -> None:
    schema = {
        **AUDIENCE,
        "properties": {**AUDIENCE["properties"], "published": {"type": "boolean"}},
        "x-readers": {**AUDIENCE["x-readers"], "when": "published"},
    }
    form = compile_form(schema)
    assert form.readers is not None
    data = {"audience": "all", "people": [3]}
    assert form.readers.principals(data) == frozenset()
    assert form.readers.principals({**data, "published": True}) == {"everyone", "user:3"}


def test_a_flow_only_field_cannot_be_required() -> None:
    schema = {**AUDIENCE, "required": ["paid_on"]}
    (issue,) = check_definition(schema)
    assert (issue.path, issue.code) == ("$.schema.x-flow-only[0]", "flow_only_invalid")
    assert "require" in issue.message.render("en")
