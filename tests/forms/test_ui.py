"""The UI schema: layout, widgets, and conditions evaluated per submission and per row."""

from __future__ import annotations

from typing import Any

from formkit import CONTEXT, make_form

LAYOUT_FORM: dict[str, Any] = {
    "kind": {"x-type": "select", "x-options": [{"value": "trip"}, {"value": "meal"}]},
    "city": {"type": "string"},
    "guests": {"type": "integer"},
    "amount": {"x-type": "money"},
    "lines": {
        "x-type": "subtable",
        "items": {
            "properties": {
                "what": {"type": "string"},
                "cost": {"x-type": "money"},
                "receipt": {"type": "string"},
                "double": {"x-type": "money", "x-formula": "cost * 2"},
            }
        },
    },
}
UI: dict[str, Any] = {
    "layout": [
        {
            "title": {"zh-CN": "基本信息", "en": "Basics"},
            "columns": 2,
            "fields": ["kind", "amount"],
        },
        {"title": "差旅", "fields": ["city"], "visible_if": "kind = 'trip'"},
    ],
    "fields": {
        "guests": {
            "visible_if": "kind = 'meal'",
            "required_if": "amount > 500",
            "widget": "stepper",
            "help": {"zh-CN": "人数", "en": "Head count"},
        },
        "amount": {"readonly_if": "kind = 'trip'"},
        "lines": {
            "widget": "cards",
            "columns": {"receipt": {"visible_if": "cost >= 100", "required_if": "cost >= 100"}},
        },
    },
}


def test_sections_keep_their_order_and_unplaced_fields_follow_in_a_last_section() -> None:
    form = make_form(LAYOUT_FORM, ui=UI)
    assert [section.fields for section in form.ui.sections] == [
        ("kind", "amount"),
        ("city",),
        ("guests", "lines"),
    ]
    assert form.ui.sections[0].columns == 2


def test_every_field_gets_its_widget_or_its_types_default() -> None:
    form = make_form(LAYOUT_FORM, ui=UI)
    widgets = {path: item.widget for path, item in form.ui.fields.items()}
    assert widgets["guests"] == "stepper"
    assert widgets["kind"] == "dropdown"
    assert widgets["lines"] == "cards"
    assert widgets["lines.cost"] == "money"
    assert widgets["lines.double"] == "money"  # shown read-only (see the UI state)


def test_section_and_field_conditions_decide_visibility_required_and_readonly() -> None:
    form = make_form(LAYOUT_FORM, ui=UI)
    trip = form.evaluate_ui({"kind": "trip", "amount": 800}, CONTEXT)
    assert trip.sections == (True, True, True)
    assert trip.state("$.city").visible
    assert not trip.state("$.guests").visible
    assert not trip.state("$.guests").required  # hidden fields are never required
    assert trip.state("$.amount").readonly
    meal = form.evaluate_ui({"kind": "meal", "amount": 800}, CONTEXT)
    assert meal.sections == (True, False, True)
    assert not meal.state("$.city").visible
    assert meal.state("$.guests").visible and meal.state("$.guests").required
    assert not meal.state("$.amount").readonly


def test_an_empty_condition_is_not_true() -> None:
    state = make_form(LAYOUT_FORM, ui=UI).evaluate_ui({}, CONTEXT)
    assert not state.state("$.guests").visible
    assert state.sections == (True, False, True)


def test_column_conditions_are_evaluated_per_row_after_computing() -> None:
    form = make_form(LAYOUT_FORM, ui=UI)
    state = form.evaluate_ui({"lines": [{"cost": 20}, {"cost": 150}]}, CONTEXT)
    assert [state.state(f"$.lines[{i}].receipt").visible for i in range(2)] == [False, True]
    assert [state.state(f"$.lines[{i}].receipt").required for i in range(2)] == [False, True]
    assert state.state("$.lines[1].double").readonly


def test_the_ui_state_serialises_for_the_api() -> None:
    form = make_form(LAYOUT_FORM, ui=UI)
    body = form.evaluate_ui({"kind": "meal"}, CONTEXT).as_json()
    assert body["sections"] == [True, False, True]
    assert body["fields"]["$.guests"] == {"visible": True, "required": False, "readonly": False}


def test_a_required_row_column_is_enforced_on_submit_and_hidden_values_are_dropped() -> None:
    form = make_form(LAYOUT_FORM, ui=UI)
    clean, issues = form.prepare(
        {"kind": "meal", "lines": [{"cost": 20, "receipt": "r1"}, {"cost": 150}]}, context=CONTEXT
    )
    assert [(issue.path, issue.code) for issue in issues] == [("$.lines[1].receipt", "required")]
    assert "receipt" not in clean["lines"][0]


def test_without_a_ui_schema_every_field_is_visible_in_one_section() -> None:
    form = make_form({"a": {"type": "string"}, "b": {"type": "number"}}, ["a"])
    assert [section.fields for section in form.ui.sections] == [("a", "b")]
    state = form.evaluate_ui({})
    assert state.state("$.a").required and state.state("$.b").visible


def test_a_hidden_computed_value_is_kept_because_it_is_data_not_input() -> None:
    form = make_form(
        {"qty": {"type": "integer"}, "double": {"type": "integer", "x-formula": "qty * 2"}},
        ui={"fields": {"double": {"visible_if": "qty > 10"}}},
    )
    clean, issues = form.prepare({"qty": 3}, context=CONTEXT)
    assert (clean, issues) == ({"qty": 3, "double": 6}, [])
