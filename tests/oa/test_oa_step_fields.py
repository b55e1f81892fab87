"""What each OA step lets its approver see and change, through ``GET /api/tasks/{id}``.

A step's ``edit`` fields are the only ones its approver may change (the cashier's payment
date, HR's note ...); its ``hide`` fields are left out of what the approver can read — the
task, the record and its change history (the payee's bank account for the manager). A change
to any other field is refused and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from oakit import TASK_VALUES, Office, announcement, contract, expense, leave, seal, trip

PAYEE = ["payee_account_name", "payee_account_no", "payee_bank"]
PAYMENT = ("payment_method", "paid_on", "voucher_no")


@dataclass(frozen=True)
class StepFields:
    """A request, the steps approved before the one under test, and what that step allows."""

    form: str
    data: Callable[[Office], dict[str, Any]]
    before: list[tuple[str, str]]  # (user, step) approved first
    step: str
    user: str
    editable: list[str]
    hidden: list[str]
    change: dict[str, Any]
    forbidden: dict[str, Any]


CASES = [
    StepFields(
        "expense_claim",
        lambda o: expense("320"),
        [],
        "manager",
        "li.na",
        [],
        PAYEE,
        {},
        {"paid_on": "2026-12-01"},
    ),
    StepFields(
        "expense_claim",
        lambda o: expense("6000"),
        [("li.na", "manager")],
        "finance",
        "chen.jing",
        ["finance_note"],
        [],
        {"finance_note": "发票已核对"},
        {"purpose": "改一下用途"},
    ),
    StepFields(
        "expense_claim",
        lambda o: expense("320"),
        [("li.na", "manager")],
        "pay",
        "zhao.lei",
        ["paid_on", "payment_method", "voucher_no"],
        [],
        {
            "paid_on": "2026-12-01",
            "payment_method": "bank_transfer",
            "voucher_no": "记-2026-12-001",
        },
        {"payee_account_no": "6225880299999999"},
    ),
    StepFields(
        "leave_request",
        lambda o: leave("2026-11-30", "2026-12-04"),
        [("li.na", "manager")],
        "hr",
        "wang.fang",
        ["hr_note"],
        [],
        {"hr_note": "年假余额 10 天，已核对"},
        {"end_date": "2026-12-03"},
    ),
    StepFields(
        "seal_request",
        lambda o: seal("company", [o.upload("zhang.wei")]),
        [("li.na", "dept_head")],
        "legal",
        "zhou.min",
        ["legal_opinion"],
        [],
        {"legal_opinion": "文本已审，可以用印"},
        {"copies": 5},
    ),
    StepFields(
        "seal_request",
        lambda o: seal("contract", [o.upload("zhang.wei")]),
        [("li.na", "dept_head")],
        "stamp",
        "wang.fang",
        ["keeper_note", "used_at"],
        [],
        {"used_at": "2026-12-01T02:00:00Z", "keeper_note": "已盖章两份"},
        {"seal_type": "company"},
    ),
    StepFields(
        "seal_request",
        lambda o: seal(
            "contract", [o.upload("zhang.wei")], usage="take_out", carrier=o.ids["zhang.wei"]
        ),
        [("li.na", "dept_head"), ("wang.fang", "stamp")],
        "return_check",
        "wang.fang",
        ["keeper_note", "returned", "returned_at"],
        [],
        {"returned": True, "returned_at": "2026-12-08T07:30:00Z"},
        {"expected_return_date": "2026-12-31"},
    ),
    StepFields(
        "contract_approval",
        lambda o: contract("50000", [o.upload("zhang.wei")]),
        [],
        "legal_review",
        "zhou.min",
        ["legal_opinion"],
        [],
        {"legal_opinion": "条款无异议"},
        {"finance_opinion": "法务不能写财务意见"},
    ),
    StepFields(
        "contract_approval",
        lambda o: contract("50000", [o.upload("zhang.wei")]),
        [],
        "finance_review",
        "chen.jing",
        ["finance_opinion"],
        [],
        {"finance_opinion": "预算内，同意"},
        {"amount": 1},
    ),
    StepFields(
        "business_trip",
        lambda o: trip("3000", advance="2000"),
        [("li.na", "manager")],
        "advance_payment",
        "zhao.lei",
        ["advance_paid_on", "advance_voucher_no"],
        [],
        {"advance_paid_on": "2026-12-04", "advance_voucher_no": "记-2026-12-002"},
        {"advance_amount": 3000},
    ),
    StepFields(
        "announcement",
        lambda o: announcement("notice", o.departments["sales"]),
        [],
        "dept_head",
        "li.na",
        ["body", "subject", "summary"],
        [],
        {"subject": "关于开展年度消防安全演练的通知（时间调整）"},
        {"kind": "policy"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.form}.{c.step}" for c in CASES])
def test_a_step_shows_its_approver_only_what_it_may_see_and_takes_only_what_it_may_change(
    office: Office, case: StepFields
) -> None:
    record = office.submit("zhang.wei", case.form, case.data(office))
    for user, step in case.before:
        office.decide(user, record["id"], step)
    task_id = office.task_of(case.user, record["id"])
    detail = office.task(case.user, task_id)
    assert detail["task"]["step"] == case.step
    assert sorted(detail["permissions"]["editable"]) == case.editable
    assert sorted(detail["permissions"]["hidden"]) == case.hidden
    stored = office.record(record["id"])
    read = office[case.user].get(f"/api/records/{record['id']}").payload
    history = office[case.user].get(f"/api/records/{record['id']}/history").payload
    changed = {change["path"] for entry in history for change in entry["changes"]}
    for name in case.hidden:  # hidden in the task, the record and its history alike
        assert name in stored["data"] and name not in detail["record"]["data"]
        assert name not in read["data"] and f"$.{name}" not in changed
    action = detail["actions"][0]
    assert action in ("approve", "complete")
    version = detail["record"]["version"]

    refused = office.act(case.user, task_id, action, {"data": case.forbidden, "version": version})
    assert refused.status_code == 409, refused.payload
    assert next(iter(case.forbidden)) in refused.payload["detail"]
    assert office.record(record["id"]) == stored
    assert office.task_of(case.user, record["id"]) == task_id

    body: dict[str, Any] = {"data": case.change, "version": version} if case.change else {}
    done = office.act(case.user, task_id, action, body)
    assert done.status_code == 200, done.payload
    data = office.record(record["id"])["data"]
    for name, value in case.change.items():
        assert data[name] == value
    for name, value in case.forbidden.items():
        assert data.get(name) == stored["data"].get(name) != value


#: Task steps that record something, the fields they must record, and values for them.
RECORDING = [
    (
        "expense_claim",
        lambda o: expense("320"),
        [("li.na", "manager")],
        "pay",
        "zhao.lei",
        {"payment_method": "bank_transfer", "paid_on": "2026-12-01", "voucher_no": "记-0301"},
    ),
    (
        "seal_request",
        lambda o: seal("contract", [o.upload("zhang.wei")]),
        [("li.na", "dept_head")],
        "stamp",
        "wang.fang",
        {"used_at": "2026-12-01T02:00:00Z"},
    ),
    (
        "seal_request",
        lambda o: seal(
            "contract", [o.upload("zhang.wei")], usage="take_out", carrier=o.ids["zhang.wei"]
        ),
        [("li.na", "dept_head"), ("wang.fang", "stamp")],
        "return_check",
        "wang.fang",
        {"returned_at": "2026-12-08T07:30:00Z"},
    ),
    (
        "business_trip",
        lambda o: trip("3000", advance="2000"),
        [("li.na", "manager")],
        "advance_payment",
        "zhao.lei",
        {"advance_paid_on": "2026-12-04", "advance_voucher_no": "记-0302"},
    ),
]


@pytest.mark.parametrize(
    ("form", "data", "before", "step", "user", "values"),
    RECORDING,
    ids=[f"{r[0]}.{r[3]}" for r in RECORDING],
)
def test_a_task_step_is_not_done_until_it_records_what_the_readme_says_it_records(
    office: Office,
    form: str,
    data: Callable[[Office], dict[str, Any]],
    before: list[tuple[str, str]],
    step: str,
    user: str,
    values: dict[str, Any],
) -> None:
    record = office.submit("zhang.wei", form, data(office))
    for approver, earlier in before:
        office.decide(approver, record["id"], earlier)
    task_id = office.task_of(user, record["id"])
    stored = office.record(record["id"])
    empty = office.act(user, task_id, "complete")
    assert empty.status_code == 422, empty.payload
    assert sorted(e["path"] for e in empty.payload["errors"]) == sorted(f"$.{n}" for n in values)
    assert office.record(record["id"]) == stored
    version = office.task(user, task_id)["record"]["version"]
    done = office.act(user, task_id, "complete", {"data": values, "version": version})
    assert done.status_code == 200, done.payload
    assert step not in office.asked(record["id"])
    if step == "return_check":  # completing the return step means the seal is back
        assert office.record(record["id"])["data"]["returned"] is True


#: Per form, the fields only its flow's steps fill in, and the first approver of zhang.wei.
FLOW_ONLY = [
    (
        "expense_claim",
        lambda o: expense("320"),
        {"finance_note": "自己批了", **{k: TASK_VALUES[k] for k in PAYMENT}},
        "li.na",
    ),
    ("leave_request", lambda o: leave("2026-12-01", "2026-12-02"), {"hr_note": "已核对"}, "li.na"),
    (
        "seal_request",
        lambda o: seal("contract", [o.upload("zhang.wei")]),
        {
            "legal_opinion": "同意",
            "used_at": TASK_VALUES["used_at"],
            "keeper_note": "已盖章",
            "returned": True,
            "returned_at": TASK_VALUES["returned_at"],
        },
        "li.na",
    ),
    (
        "contract_approval",
        lambda o: contract("50000", [o.upload("zhang.wei")]),
        {"legal_opinion": "无异议", "finance_opinion": "同意"},
        "zhou.min",
    ),
    (
        "business_trip",
        lambda o: trip("3000", advance="2000"),
        {k: TASK_VALUES[k] for k in ("advance_paid_on", "advance_voucher_no")},
        "li.na",
    ),
]


@pytest.mark.parametrize(
    ("form", "data", "flow_only", "approver"), FLOW_ONLY, ids=[f[0] for f in FLOW_ONLY]
)
def test_the_applicant_cannot_fill_in_what_the_approvers_and_the_cashier_record(
    office: Office,
    form: str,
    data: Callable[[Office], dict[str, Any]],
    flow_only: dict[str, Any],
    approver: str,
) -> None:
    valid = data(office)
    for name, value in flow_only.items():
        refused = office.post_request("zhang.wei", form, {**valid, name: value})
        assert refused.status_code == 422, (name, refused.payload)
        assert [e["path"] for e in refused.payload["errors"]] == [f"$.{name}"]
    record = office.submit("zhang.wei", form, valid)
    back = office.act(approver, office.task_of(approver, record["id"]), "return", {"comment": "改"})
    assert back.status_code == 200, back.payload
    task_id = office.task_of("zhang.wei", record["id"])
    detail = office.task("zhang.wei", task_id)
    assert not set(flow_only) & set(detail["permissions"]["editable"])
    version = detail["record"]["version"]
    sneaked = office.act("zhang.wei", task_id, "resubmit", {"data": flow_only, "version": version})
    assert sneaked.status_code == 409, sneaked.payload
    assert not set(flow_only) & set(office.record(record["id"])["data"])
