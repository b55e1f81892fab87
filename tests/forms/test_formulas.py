"""Computed fields: exact decimals, rounding half up, dependency order, sub-table rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from formkit import CONTEXT, codes, make_form
from hypothesis import given
from hypothesis import strategies as st

from formflow.errors import DefinitionInvalid

D = Decimal


def expense_form() -> Any:
    # Definition order is deliberately not the computation order.
    return make_form(
        {
            "total": {"x-type": "money", "x-formula": "sum(items.amount)"},
            "tax": {"x-type": "money", "x-formula": "total * tax_rate"},
            "grand_total": {"x-type": "money", "x-formula": "total + tax"},
            "tax_rate": {"x-type": "percent"},
            "items": {
                "x-type": "subtable",
                "items": {
                    "properties": {
                        "qty": {"type": "integer"},
                        "price": {"x-type": "money", "x-scale": 4},
                        "amount": {"x-type": "money", "x-formula": "qty * price"},
                        "share": {"x-type": "percent", "x-scale": 4, "x-formula": "amount / total"},
                    }
                },
            },
        }
    )


def test_sub_table_totals_are_exact_decimals_rounded_half_up() -> None:
    data = {
        "tax_rate": D("0.13"),
        "items": [
            {"qty": 3, "price": D("0.1")},
            {"qty": 1, "price": D("0.2")},
            {"qty": 2, "price": D("1.0025")},
        ],
    }
    result = expense_form().compute(data, CONTEXT)
    assert [row["amount"] for row in result["items"]] == [D("0.30"), D("0.20"), D("2.01")]
    assert result["total"] == D("2.51")
    assert result["tax"] == D("0.33")  # 0.3263 rounds down
    assert result["grand_total"] == D("2.84")
    assert [row["share"] for row in result["items"]] == [D("0.1195"), D("0.0797"), D("0.8008")]


@pytest.mark.parametrize(
    ("price", "amount"),
    [
        (D("2.345"), D("2.35")),
        (D("2.344"), D("2.34")),
        (D("-2.345"), D("-2.35")),
        (D("0.005"), D("0.01")),
        (D("1.995"), D("2.00")),
    ],
)
def test_money_is_rounded_half_up_to_its_scale(price: Decimal, amount: Decimal) -> None:
    form = make_form(
        {"price": {"type": "number"}, "amount": {"x-type": "money", "x-formula": "price"}}
    )
    assert form.compute({"price": price})["amount"] == amount


def test_compute_leaves_the_input_unchanged_and_overwrites_submitted_computed_values() -> None:
    data: dict[str, Any] = {
        "items": [{"qty": 2, "price": D("5"), "amount": D("999")}],
        "total": D("1"),
    }
    result = expense_form().compute(data, CONTEXT)
    assert data["items"][0]["amount"] == D("999")
    assert (result["items"][0]["amount"], result["total"]) == (D("10.00"), D("10.00"))


def test_a_formula_that_gives_null_leaves_its_field_empty() -> None:
    form = make_form({"a": {"type": "number"}, "b": {"type": "number", "x-formula": "a * 2"}})
    assert form.compute({"b": D("4")}) == {}


def test_a_formula_that_cannot_be_computed_is_reported_by_prepare() -> None:
    form = make_form(
        {"a": {"type": "number"}, "b": {"type": "number", "x-formula": "a * a * a * a"}}
    )
    clean, issues = form.prepare({"a": D("1E+30")})
    assert "b" not in clean
    assert [(issue.path, issue.code) for issue in issues] == [("$.b", "formula_failed")]


def test_formulas_over_dates_give_iso_dates() -> None:
    form = make_form(
        {
            "start": {"x-type": "date"},
            "due": {"x-type": "date", "x-formula": "add_days(start, 30)"},
            "days": {"type": "integer", "x-formula": "days_between(start, due)"},
        }
    )
    assert form.compute({"start": "2026-01-31"}, CONTEXT) == {
        "start": "2026-01-31",
        "due": "2026-03-02",
        "days": D("30"),
    }


def test_a_row_formula_may_read_the_forms_fields() -> None:
    form = make_form(
        {
            "rate": {"type": "number"},
            "lines": {
                "x-type": "subtable",
                "items": {
                    "properties": {
                        "base": {"type": "number"},
                        "net": {"x-type": "money", "x-formula": "base * (1 - rate)"},
                    }
                },
            },
        }
    )
    result = form.compute({"rate": D("0.1"), "lines": [{"base": 100}, {"base": D("9.99")}]})
    assert [row["net"] for row in result["lines"]] == [D("90.00"), D("8.99")]


def test_nested_sub_tables_compute_innermost_first() -> None:
    form = make_form(
        {
            "orders": {
                "x-type": "subtable",
                "items": {
                    "properties": {
                        "lines": {
                            "x-type": "subtable",
                            "items": {
                                "properties": {
                                    "qty": {"type": "integer"},
                                    "price": {"x-type": "money"},
                                    "amount": {"x-type": "money", "x-formula": "qty * price"},
                                }
                            },
                        },
                        "subtotal": {"x-type": "money", "x-formula": "sum(lines.amount)"},
                    }
                },
            },
            "total": {"x-type": "money", "x-formula": "sum(orders.subtotal)"},
        }
    )
    data = {
        "orders": [
            {"lines": [{"qty": 2, "price": D("1.50")}, {"qty": 1, "price": 4}]},
            {"lines": []},
        ]
    }
    result = form.compute(data)
    assert [order.get("subtotal") for order in result["orders"]] == [D("7.00"), D("0.00")]
    assert result["total"] == D("7.00")


def test_a_circle_of_formulas_is_a_definition_error_naming_the_circle() -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        make_form(
            {
                "a": {"type": "number", "x-formula": "c + 1"},
                "b": {"type": "number", "x-formula": "a + 1"},
                "c": {"type": "number", "x-formula": "b + 1"},
            }
        )
    messages = [issue.message.render("en") for issue in raised.value.issues]
    assert len(messages) == 3
    assert all("a → c → b → a" in message for message in messages)


def test_a_formula_using_a_whole_sub_table_waits_for_all_its_computed_columns() -> None:
    form = make_form(
        {
            "items": {
                "x-type": "subtable",
                "items": {
                    "properties": {
                        "qty": {"type": "integer"},
                        "price": {"x-type": "money"},
                        "amount": {"x-type": "money", "x-formula": "qty * price"},
                    }
                },
            },
            "total": {"x-type": "money", "x-formula": "sum(items, amount)"},
        }
    )
    order = [formula.path for formula in form.formulas]
    assert order.index("items.amount") < order.index("total")
    assert form.compute({"items": [{"qty": 2, "price": 3}]})["total"] == D("6.00")


def test_computed_values_are_validated_like_entered_ones() -> None:
    form = make_form(
        {"a": {"type": "number"}, "b": {"type": "number", "maximum": 10, "x-formula": "a * 2"}}
    )
    assert codes(form.prepare({"a": 6})[1]) == ["maximum"]


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=1000),
            st.decimals(min_value=0, max_value=10000, places=2),
        ),
        max_size=8,
    )
)
def test_a_total_equals_the_exact_sum_of_its_rounded_lines(
    lines: list[tuple[int, Decimal]],
) -> None:
    data = {"items": [{"qty": qty, "price": price} for qty, price in lines]}
    result = expense_form().compute(data)
    exact = sum((qty * price for qty, price in lines), D(0))
    assert result["total"] == exact.quantize(D("0.01"))
    assert all(
        row["amount"] == qty * price
        for row, (qty, price) in zip(result["items"], lines, strict=True)
    )
