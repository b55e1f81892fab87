"""Who hears about an OA request when it ends: the applicant is told, HR gets a copy.

Copies are read through the API (``GET /api/tasks?view=cc``); notices to the applicant are
the notice rows the outbox delivers.
"""

from __future__ import annotations

from typing import Any

import pytest
from oakit import Office, expense, leave, overtime
from sqlalchemy import select

from formflow.storage.models import Notice


def _told(office: Office, username: str) -> list[str]:
    with office.database.session() as session:
        rows = session.scalars(
            select(Notice)
            .where(Notice.user_id == office.ids[username], Notice.kind == "flow:notify")
            .order_by(Notice.id)
        )
        return [row.body["zh-CN"] for row in rows]


def _copies(office: Office, username: str, record_id: int) -> list[str]:
    return [
        i["task"]["status"] for i in office.inbox(username, "cc") if i["record"]["id"] == record_id
    ]


@pytest.mark.parametrize(
    ("form", "data", "stages", "told"),
    [
        ("leave_request", leave("2026-12-01", "2026-12-01"), [{"manager": {"li.na"}}], "请假"),
        ("overtime", overtime(), [{"manager": {"li.na"}}], None),
    ],
    ids=["leave", "overtime"],
)
def test_an_approved_leave_or_overtime_is_copied_to_hr(
    office: Office, form: str, data: dict[str, Any], stages: list[Any], told: str | None
) -> None:
    record = office.submit("zhang.wei", form, data)
    assert _copies(office, "wang.fang", record["id"]) == []
    office.run_through(record["id"], stages)
    assert _copies(office, "wang.fang", record["id"]) == ["unread"]
    task = office.inbox("wang.fang", "cc")[0]["task"]["id"]
    assert office.act("wang.fang", task, "read").status_code == 200
    assert _copies(office, "wang.fang", record["id"]) == ["read"]
    if told:
        assert any(told in text for text in _told(office, "zhang.wei"))


def test_a_rejected_leave_is_not_copied_and_the_applicant_is_not_told_it_was_approved(
    office: Office,
) -> None:
    record = office.submit("zhang.wei", "leave_request", leave("2026-12-01", "2026-12-01"))
    task = office.task_of("li.na", record["id"])
    assert office.act("li.na", task, "reject", {"comment": "月底结账"}).status_code == 200
    assert _copies(office, "wang.fang", record["id"]) == []
    assert not any("已批准" in text for text in _told(office, "zhang.wei"))


def test_the_applicant_is_told_when_the_cashier_has_paid(office: Office) -> None:
    record = office.submit("zhang.wei", "expense_claim", expense("320"))
    office.decide("li.na", record["id"], "manager")
    assert not any("已支付" in text for text in _told(office, "zhang.wei"))
    office.decide("zhao.lei", record["id"], "pay")
    assert any("报销款已支付" in text for text in _told(office, "zhang.wei"))
