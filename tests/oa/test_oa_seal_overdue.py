"""A seal taken out and not returned by its date is chased every morning at 09:00 (automation
``oa.seal_overdue_return``): the person carrying it and the seal keeper are reminded until
the keeper records its return.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from oakit import Office, seal
from sqlalchemy import select

from formflow.config import Settings
from formflow.services.worker import Worker
from formflow.storage.models import AutomationSchedule, Notice

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: When the daily automation runs next.
_pending = select(AutomationSchedule.due_at).where(AutomationSchedule.done_at.is_(None))


def _reminders(office: Office, username: str) -> list[str]:
    """The overdue reminders ``username`` received (other notices are left out)."""
    with office.database.session() as session:
        rows = session.scalars(
            select(Notice)
            .where(Notice.user_id == office.ids[username], Notice.kind == "flow:notify")
            .order_by(Notice.id)
        )
        texts = [row.body["zh-CN"] for row in rows]
    return [text for text in texts if "超过预计归还日期" in text]


def _take_out(office: Office, expected_return: str) -> dict[str, Any]:
    """A contract seal zhang.wei takes out, approved and handed over by the keeper."""
    data = seal(
        "contract",
        [office.upload("zhang.wei")],
        usage="take_out",
        carrier=office.ids["zhang.wei"],
        take_out_date="2026-11-02",
        expected_return_date=expected_return,
    )
    record = office.submit("zhang.wei", "seal_request", data)
    office.decide("li.na", record["id"], "dept_head")
    office.decide("wang.fang", record["id"], "stamp", data={"used_at": "2026-11-02T01:30:00Z"})
    assert office.asked(record["id"]) == {"return_check": {"wang.fang"}}
    return record


def test_an_overdue_take_out_is_chased_each_morning_until_its_return_is_recorded(
    office: Office, settings: Settings
) -> None:
    overdue = _take_out(office, "2026-11-05")
    _take_out(office, "2099-12-31")  # still out, but not due back yet
    assert _reminders(office, "zhang.wei") == []
    with office.database.session() as session:
        (due,) = session.scalars(_pending).all()
    assert due.astimezone(SHANGHAI).time().isoformat() == "09:00:00"

    assert Worker(office.database, settings, clock=lambda: due).run_once().automations == 1
    assert _reminders(office, "zhang.wei") == _reminders(office, "wang.fang")
    (reminder,) = _reminders(office, "zhang.wei")

    office.decide(
        "wang.fang",
        overdue["id"],
        "return_check",
        data={"returned": True, "returned_at": "2026-11-28T02:00:00Z"},
    )
    assert office.record(overdue["id"])["status"] == "approved"
    with office.database.session() as session:
        (next_due,) = session.scalars(_pending).all()
    assert next_due >= due + timedelta(days=1)
    assert Worker(office.database, settings, clock=lambda: next_due).run_once().automations == 1
    assert _reminders(office, "zhang.wei") == [reminder]
    assert _reminders(office, "wang.fang") == [reminder]
