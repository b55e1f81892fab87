"""Checker and compiler: audiences, ``require`` and fields only the flow fills."""

from __future__ import annotations

import pytest
from flowkit import FORMS, ORG

from formflow.dsl import FlowSpec, check_flow, compile_flow
from formflow.forms import compile_form
from formflow.orgchart import DepartmentInfo, OrgChart, UserInfo

CLAIM = compile_form(
    {
        "type": "object",
        "properties": {
            "amount": {"x-type": "money"},
            "reason": {"type": "string"},
            "depts": {"x-type": "departments"},
            "paid_on": {"x-type": "date"},
            "voucher_no": {"type": "string"},
        },
        "x-flow-only": ["paid_on", "voucher_no"],
    }
)
ALL_FORMS = {**FORMS, "claim": CLAIM}


def codes(text: str, org: OrgChart = ORG) -> list[tuple[str, str, int]]:
    return [(d.code, d.severity.value, d.line) for d in check_flow(text, forms=ALL_FORMS, org=org)]


@pytest.mark.parametrize(
    ("code", "text", "line", "severity"),
    [
        (
            "no_members",
            'flow f on claim {\n step a { task by members("项目组") }\n step b '
            "{ task by user(lisi) edit paid_on, voucher_no } }",
            2,
            "warning",
        ),
        (
            "unknown_department",
            'flow f on claim {\n step a { task by members("无此部门") } '
            "step b { task by user(lisi) edit paid_on, voucher_no } }",
            2,
            "error",
        ),
        (
            "not_a_department_field",
            "flow f on claim {\n step a { task by members(field(reason)) }"
            " step b { task by user(lisi) edit paid_on, voucher_no } }",
            2,
            "error",
        ),
        (
            "unknown_field",
            "flow f on claim {\n step a { task by user(lisi)\n require paid_onn "
            "edit paid_on, voucher_no } }",
            3,
            "error",
        ),
        (
            "require_auto",
            "flow f on claim {\n step a { task by user(lisi) edit paid_on, voucher_no"
            " }\n step b { notify initiator require paid_on } }",
            3,
            "error",
        ),
        (
            "flow_only_not_edited",
            "flow f on claim {\n step a { task by user(lisi) edit paid_on } }",
            1,
            "warning",
        ),
    ],
)
def test_each_new_diagnostic_is_reported_where_it_belongs(
    code: str, text: str, line: int, severity: str
) -> None:
    assert (code, severity, line) in codes(text)


def test_a_flow_that_fills_every_flow_only_field_and_uses_audiences_is_clean() -> None:
    text = """flow f on claim {
  step a { task by members(field(depts)), members(initiator), everyone }
  step pay { task by user(lisi) edit paid_on, voucher_no require paid_on, voucher_no }
}"""
    assert codes(text) == []


def test_everyone_warns_when_nobody_is_active() -> None:
    org = OrgChart.build([UserInfo(1, "a", "A", 1, active=False)], [DepartmentInfo(1, "D")])
    text = "flow f on claim {\n step a { task by everyone edit paid_on, voucher_no } }"
    assert ("nobody_active", "warning", 2) in codes(text, org)


def test_members_of_the_initiator_warns_about_people_without_a_department() -> None:
    org = OrgChart.build([UserInfo(1, "a", "A", None)], [DepartmentInfo(1, "D")])
    text = "flow f on claim {\n step a { task by members(initiator) edit paid_on, voucher_no } }"
    found = check_flow(text, forms=ALL_FORMS, org=org)
    assert [d.code for d in found] == ["no_members"]
    assert "A" in found[0].message.render("en")


def test_required_fields_are_compiled_into_the_step_and_stored() -> None:
    text = """flow f on expense_claim {
  step pay { task by role(cashier) edit paid_on require paid_on, voucher_no, items.note
             require paid_on }
}"""
    spec = compile_flow(text, forms=FORMS, org=ORG)
    assert spec.nodes["pay"].required == ("paid_on", "voucher_no", "items.note")
    assert FlowSpec.from_json(spec.to_json()).nodes["pay"].required == spec.nodes["pay"].required


def test_a_stored_spec_without_required_fields_still_reads() -> None:
    spec = compile_flow(
        "flow f on expense_claim { step a { approve by role(cfo) } }", forms=FORMS, org=ORG
    )
    stored = spec.to_json()
    assert "required" not in stored["nodes"][1]
    assert FlowSpec.from_json(stored).nodes["a"].required == ()


@pytest.mark.parametrize("keyword", ["members", "everyone", "require"])
def test_the_new_keywords_remain_usable_as_field_names(keyword: str) -> None:
    form = compile_form({"type": "object", "properties": {keyword: {"type": "string"}}})
    step = f"step s {{ approve by user(lisi) edit {keyword} }}"
    text = f"flow f on x {{ if {keyword} = 'a' {{ {step} }} }}"
    assert check_flow(text, forms={"x": form}, org=ORG) == []
