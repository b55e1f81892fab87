"""What people do to OA requests besides approving: reject, return and resubmit, withdraw.

Every OA flow is tried with one ordinary request by zhang.wei (销售部), whose first approver is
li.na — his manager, or the head of his department, as the step asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from oakit import (
    Office,
    announcement,
    contract,
    expense,
    leave,
    overtime,
    purchase,
    seal,
    trip,
)

#: form -> (data as zhang.wei submits it, a field the applicant corrects on resubmission,
#: its corrected value, the first step).
REQUESTS: dict[str, tuple[Callable[[Office], dict[str, Any]], str, Any, str]] = {
    "leave_request": (
        lambda o: leave("2026-12-01", "2026-12-02"),
        "reason",
        "家中有事，改为两天",
        "manager",
    ),
    "expense_claim": (lambda o: expense("320"), "purpose", "11 月客户拜访（补发票）", "manager"),
    "purchase_request": (
        lambda o: purchase(("10", "25")),
        "reason",
        "部门日常用纸（补充规格）",
        "dept_head",
    ),
    "contract_approval": (
        lambda o: contract("50000", [o.upload("zhang.wei")]),
        "summary",
        "每周五次保洁，含玻璃清洁，按月结算。",
        "legal_review",
    ),
    "business_trip": (lambda o: trip("2000"), "destination", "杭州", "manager"),
    "seal_request": (
        lambda o: seal("contract", [o.upload("zhang.wei")]),
        "purpose",
        "签订年度代理协议（第二版）",
        "dept_head",
    ),
    "overtime": (lambda o: overtime(), "reason", "赶制投标文件（含周末准备）", "manager"),
    "announcement": (
        lambda o: announcement("notice", o.departments["sales"]),
        "subject",
        "关于开展年度消防演练的通知（更正时间）",
        "dept_head",
    ),
}
FIRST = {"manager": "li.na", "dept_head": "li.na", "legal_review": "zhou.min"}
FORMS = sorted(REQUESTS)


def _submit(office: Office, form: str) -> tuple[dict[str, Any], str, str]:
    make, _field, _value, step = REQUESTS[form]
    record = office.submit("zhang.wei", form, make(office))
    return record, step, FIRST[step]


@pytest.mark.parametrize("form", FORMS)
def test_a_rejection_needs_a_comment_and_ends_the_request_rejected(
    office: Office, form: str
) -> None:
    record, step, approver = _submit(office, form)
    task = office.task_of(approver, record["id"])
    refused = office.act(approver, task, "reject")
    assert refused.status_code == 409
    assert "comment" in refused.payload["detail"]
    assert office.record(record["id"])["status"] == "in_progress"
    assert office.task_of(approver, record["id"]) == task
    rejected = office.act(approver, task, "reject", {"comment": "预算不足，本月暂缓"})
    assert rejected.status_code == 200, rejected.payload
    assert rejected.payload["status"] == "rejected"
    assert office.record(record["id"])["status"] == "rejected"
    assert office.asked(record["id"]) == {}
    assert ("rejected", step, approver) in office.history(record["id"])
    assert all(i["record"]["id"] != record["id"] for i in office.inbox(approver))


@pytest.mark.parametrize("form", FORMS)
def test_a_returned_request_goes_back_to_the_applicant_and_starts_again_when_resubmitted(
    office: Office, form: str
) -> None:
    record, step, approver = _submit(office, form)
    _make, field, corrected, _step = REQUESTS[form]
    back = office.act(
        approver, office.task_of(approver, record["id"]), "return", {"comment": "请补充说明"}
    )
    assert back.status_code == 200, back.payload
    assert back.payload["status"] == "returned"
    assert office.asked(record["id"]) == {step: {"zhang.wei"}}
    assert office.record(record["id"])["status"] == "in_progress"
    task = office.task_of("zhang.wei", record["id"])
    detail = office.task("zhang.wei", task)
    assert detail["actions"] == ["resubmit"]
    assert field in detail["permissions"]["editable"]
    assert all(i["record"]["id"] != record["id"] for i in office.inbox(approver))
    again = office.act(
        "zhang.wei",
        task,
        "resubmit",
        {"data": {field: corrected}, "version": detail["record"]["version"]},
    )
    assert again.status_code == 200, again.payload
    assert again.payload["status"] == "running"
    assert office.record(record["id"])["data"][field] == corrected
    assert approver in office.asked(record["id"])[step]
    assert office.task_of(approver, record["id"]) != task


@pytest.mark.parametrize("form", FORMS)
def test_the_applicant_withdraws_before_anyone_acts_and_not_after(
    office: Office, form: str
) -> None:
    first, step, approver = _submit(office, form)
    assert office.withdraw(approver, first["id"]).status_code in (403, 404)
    gone = office.withdraw("zhang.wei", first["id"], "提交错了")
    assert gone.status_code == 200, gone.payload
    assert office.record(first["id"])["status"] == "withdrawn"
    assert office.asked(first["id"]) == {}
    assert all(i["record"]["id"] != first["id"] for i in office.inbox(approver))
    assert office.instance(first["id"], "zhang.wei")["status"] == "withdrawn"
    assert office.history(first["id"])[-1][::2] == ("ended", "zhang.wei")

    second, step, approver = _submit(office, form)
    office.decide(approver, second["id"], step)
    before = (office.record(second["id"]), office.asked(second["id"]))
    late = office.withdraw("zhang.wei", second["id"])
    assert late.status_code == 409
    assert (office.record(second["id"]), office.asked(second["id"])) == before
    assert before[0]["status"] != "withdrawn"


def test_a_claim_corrected_below_the_threshold_after_a_return_no_longer_needs_finance(
    office: Office,
) -> None:
    record = office.submit("zhang.wei", "expense_claim", expense("4000", "2000"))
    office.decide("li.na", record["id"], "manager")
    assert office.asked(record["id"]) == {"finance": {"chen.jing"}}
    task = office.task_of("chen.jing", record["id"])
    assert office.act("chen.jing", task, "return", {"comment": "酒店发票另报"}).status_code == 200
    resubmit = office.task_of("zhang.wei", record["id"])
    detail = office.task("zhang.wei", resubmit)
    (first, _hotel) = detail["record"]["data"]["lines"]
    again = office.act(
        "zhang.wei",
        resubmit,
        "resubmit",
        {"data": {"lines": [first]}, "version": detail["record"]["version"]},
    )
    assert again.status_code == 200, again.payload
    assert office.record(record["id"])["data"]["total"] == 4000
    office.run_through(record["id"], [{"manager": {"li.na"}}, {"pay": {"zhao.lei"}}])
    assert office.record(record["id"])["status"] == "paid"
    steps = [step for action, step, _actor in office.history(record["id"]) if action == "returned"]
    assert steps == ["finance"]


def test_a_leave_lengthened_after_a_return_now_goes_to_hr(office: Office) -> None:
    record = office.submit("zhang.wei", "leave_request", leave("2026-11-30", "2026-12-02"))
    task = office.task_of("li.na", record["id"])
    assert office.act("li.na", task, "return", {"comment": "请一次请完"}).status_code == 200
    resubmit = office.task_of("zhang.wei", record["id"])
    version = office.task("zhang.wei", resubmit)["record"]["version"]
    again = office.act(
        "zhang.wei", resubmit, "resubmit", {"data": {"end_date": "2026-12-04"}, "version": version}
    )
    assert again.status_code == 200, again.payload
    assert office.record(record["id"])["data"]["days"] == 5
    office.run_through(record["id"], [{"manager": {"li.na"}}, {"hr": {"wang.fang"}}])
    assert office.record(record["id"])["status"] == "approved"
