"""Form-level rules: status rules, unique keys, aggregate constraints, rollups, display."""

from __future__ import annotations

from decimal import Decimal

import pytest
from formkit import CONTEXT, make_form, payment_info

from formflow.errors import DefinitionInvalid
from formflow.forms import Aggregate

D = Decimal

ORDER = {
    "delivered_pct": {"x-type": "percent"},
    "billed_pct": {"x-type": "percent"},
    "title": {"type": "string"},
    "employee": {"x-type": "user"},
    "day": {"x-type": "date"},
}
RULES = [
    {"when": "delivered_pct < 1 and billed_pct < 1", "status": "to_deliver_and_bill"},
    {"when": "billed_pct < 1", "status": "to_bill", "label": {"zh-CN": "待开票", "en": "To bill"}},
    {"status": "completed"},
]


@pytest.mark.parametrize(
    ("delivered", "billed", "status"),
    [
        (D("0.5"), D("0"), "to_deliver_and_bill"),
        (D("1"), D("0.3"), "to_bill"),
        (D("1"), D("1"), "completed"),
        (None, None, "completed"),
    ],
)
def test_the_first_status_rule_that_holds_gives_the_status(
    delivered: Decimal | None, billed: Decimal | None, status: str
) -> None:
    form = make_form(ORDER, root={"x-status-rules": RULES})
    data = {
        key: value
        for key, value in {"delivered_pct": delivered, "billed_pct": billed}.items()
        if value is not None
    }
    assert form.derive_status(data, CONTEXT) == status


def test_a_form_without_status_rules_derives_no_status() -> None:
    assert make_form(ORDER).derive_status({}) is None


def test_unique_keys_combine_unique_together_and_unique_fields() -> None:
    form = make_form(
        {**ORDER, "code": {"type": "string", "x-unique": True}},
        root={"x-unique-together": [["employee", "day"]]},
    )
    assert form.unique_together == (("employee", "day"), ("code",))
    assert form.indexed_fields == {"code": "text"}


def test_aggregate_constraints_see_each_field_as_the_list_of_its_group_values() -> None:
    form = make_form(
        {"item": {"type": "string"}, "warehouse": {"type": "string"}, "qty": {"type": "number"}},
        root={
            "x-aggregate-constraints": [
                {
                    "key": "stock_not_negative",
                    "group_by": ["item", "warehouse"],
                    "check": "sum(qty) >= 0",
                    "message": {"zh-CN": "库存不能为负", "en": "Stock cannot go negative"},
                }
            ]
        },
    )
    rule = form.aggregate_constraints[0]
    assert (rule.key, rule.group_by, rule.source) == (
        "stock_not_negative",
        ("item", "warehouse"),
        "sum(qty) >= 0",
    )
    assert rule.check.ok


def test_a_rollup_is_parsed_with_its_where_filter_checked_against_the_other_form() -> None:
    form = make_form(
        {
            "collected": {
                "x-type": "rollup",
                "x-rollup": {
                    "form": "payment",
                    "link": "contract",
                    "aggregate": "sum",
                    "field": "amount",
                    "where": "status = 'confirmed'",
                },
            }
        },
        known_forms={"payment": payment_info()},
        form_key="contract",
    )
    rollup = form.rollup_fields["collected"].rollup
    assert rollup is not None
    assert (rollup.form, rollup.link, rollup.aggregate, rollup.field) == (
        "payment",
        "contract",
        Aggregate.SUM,
        "amount",
    )
    assert rollup.where_checked is not None and rollup.where_checked.ok
    assert form.system_fields == frozenset({"collected"})


def test_a_rollup_over_a_link_to_another_form_is_refused() -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        make_form(
            {
                "collected": {
                    "x-type": "rollup",
                    "x-rollup": {"form": "payment", "link": "contract", "aggregate": "count"},
                }
            },
            known_forms={"payment": payment_info()},
            form_key="invoice",
        )
    assert [issue.code for issue in raised.value.issues] == ["rollup_link"]


def test_the_display_field_is_x_display_or_the_first_text_field() -> None:
    assert make_form(ORDER).display_field == "title"
    assert make_form(ORDER, root={"x-display": "day"}).display_field == "day"


def test_a_form_describes_itself_to_other_forms() -> None:
    info = make_form(ORDER, root={"x-display": "title"}).info("sales_order")
    assert (info.key, info.display, list(info.fields)) == ("sales_order", "title", list(ORDER))
    assert set(info.scope().fields) == set(ORDER)
