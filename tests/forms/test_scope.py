"""The expression scope a form gives formulas, conditions, flows and filters."""

from __future__ import annotations

from formkit import customer_info, make_form

from formflow.errors import DefinitionInvalid
from formflow.expr import BOOLEAN, DATE, NUMBER, STRING, ListType, RefType, RowType
from formflow.forms import LabelMsg


def test_each_field_has_the_expression_type_of_its_values() -> None:
    form = make_form(
        {
            "amount": {"x-type": "money"},
            "title": {"type": "string"},
            "due": {"x-type": "date"},
            "paid": {"type": "boolean"},
            "tags": {"x-type": "multiselect", "x-options": [{"value": "a"}]},
            "owner": {"x-type": "user"},
            "customer": {"x-type": "link", "x-link": {"form": "customer"}},
            "lines": {"x-type": "subtable", "items": {"properties": {"qty": {"type": "integer"}}}},
        },
        known_forms={"customer": customer_info()},
    )
    fields = form.scope.fields
    assert fields["amount"] == NUMBER
    assert fields["title"] == STRING
    assert fields["due"] == DATE
    assert fields["paid"] == BOOLEAN
    assert fields["tags"] == ListType(STRING)
    assert fields["owner"] == RefType("user")
    assert fields["customer"] == RefType("record", "customer")
    lines = fields["lines"]
    assert isinstance(lines, ListType) and lines.origin == "lines"
    assert lines.item == RowType({"qty": NUMBER})
    assert "customer" in form.scope.forms


def test_a_formula_may_navigate_into_a_linked_forms_fields() -> None:
    known = {"customer": customer_info()}
    props = {
        "customer": {"x-type": "link", "x-link": {"form": "customer"}},
        "vip": {"type": "boolean", "x-formula": "customer.level = 'a'"},
    }
    assert make_form(props, known_forms=known).formulas[0].checked.ok
    try:
        make_form(
            {**props, "bad": {"type": "boolean", "x-formula": "customer.levle = 'a'"}},
            known_forms=known,
        )
    except DefinitionInvalid as raised:
        assert [issue.path for issue in raised.issues] == ["$.schema.properties.bad.x-formula"]
    else:
        raise AssertionError("a misspelt attribute of a linked form must be reported")


def test_a_label_is_shown_in_the_readers_language_and_falls_back_sensibly() -> None:
    form = make_form(
        {
            "amount": {"type": "number", "x-label": {"zh-CN": "金额", "en": "Amount"}},
            "note": {"type": "string", "title": "Note"},
            "plain": {"type": "string"},
            "cn_only": {"type": "string", "x-label": {"zh-CN": "备注"}},
        }
    )
    titles = {name: spec.title() for name, spec in form.fields.items()}
    assert all(isinstance(title, LabelMsg) for title in titles.values())
    assert titles["amount"].render("en") == "Amount"
    assert titles["amount"].render("zh-CN") == "金额"
    assert titles["note"].render("zh-CN") == "Note"
    assert titles["plain"].render("en") == "plain"
    assert titles["cn_only"].render("en") == "备注"


def test_a_label_with_braces_is_shown_as_written() -> None:
    form = make_form({"a": {"type": "integer", "minimum": 1, "x-label": "{x} <b>"}})
    issue = form.validate({"a": 0})[0]
    assert issue.message.render("en").startswith("{x} <b> must be at least 1")
