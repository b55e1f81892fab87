"""Automations on record events and schedules: they run in the writing transaction, follow
status changes, stop loops with a clear error, and run on schedule exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from formflow.config import Settings
from formflow.services.worker import Worker
from formflow.storage.models import AutomationSchedule, Notice

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _publish(world: Any, source: str) -> Any:
    response = world.admin.post("/api/automations", {"source": source})
    assert response.status_code == 200, response.payload
    return response.payload


def _customer(world: Any, **data: Any) -> Any:
    return world.submit("zhang", {"name": "ACME", "owner": world.ids["zhang"], **data}, "customer")


def _notices(world: Any, username: str, kind: str) -> list[Any]:
    with world.database.session() as session:
        rows = session.scalars(
            select(Notice).where(Notice.user_id == world.ids[username], Notice.kind == kind)
        )
        return [row.body for row in rows]


def _schedules(world: Any) -> list[tuple[int | None, datetime, datetime | None]]:
    with world.database.session() as session:
        rows = session.scalars(select(AutomationSchedule).order_by(AutomationSchedule.id))
        return [(row.record_id, row.due_at, row.done_at) for row in rows]


def test_a_changed_field_triggers_its_automation_in_the_same_write(world: Any) -> None:
    published = _publish(
        world,
        """
        automation stage_change "阶段变化" on customer {
          when changed stage
          set last_contact = today()
        }
        """,
    )
    assert [(a["key"], a["form"], a["triggers"][0]["kind"]) for a in published] == [
        ("stage_change", "customer", "changed")
    ]
    customer = _customer(world, stage="lead")
    assert "last_contact" not in customer["data"]
    renamed = world["zhang"].patch(
        f"/api/records/{customer['id']}", {"data": {"name": "ACME Ltd"}, "version": 1}
    )
    assert "last_contact" not in renamed.payload["data"]
    moved = world["zhang"].patch(
        f"/api/records/{customer['id']}",
        {"data": {"stage": "won"}, "version": renamed.payload["version"]},
    )
    assert moved.status_code == 200, moved.payload
    today = datetime.now(UTC).astimezone(SHANGHAI).date().isoformat()
    assert world.record(customer["id"])["data"]["last_contact"] == today
    actions = [
        a["action"] for a in world.admin.get(f"/api/records/{customer['id']}/history").payload
    ]
    assert actions[-2:] == ["automation", "update"]


def test_an_automation_that_triggers_itself_is_stopped_and_nothing_is_saved(
    world: Any,
) -> None:
    _publish(
        world,
        """
        automation counter on customer {
          when updated
          set touches = touches + 1
        }
        """,
    )
    customer = _customer(world, touches=0)
    response = world["zhang"].patch(
        f"/api/records/{customer['id']}", {"data": {"name": "Loop Inc"}, "version": 1}
    )
    assert response.status_code == 409
    assert "counter" in response.payload["detail"]
    after = world.record(customer["id"])
    assert (after["data"]["name"], after["data"]["touches"], after["version"]) == ("ACME", 0, 1)


def test_a_status_a_flow_reaches_triggers_automations(world: Any) -> None:
    world.publish("flow claim on expense { step manager { approve by manager(initiator) } }")
    _publish(
        world,
        """
        automation pay_on_approval on expense {
          when status "approved"
          create payment { amount: amount, payee: initiator, memo: "auto" }
          notify initiator "已付款"
        }
        """,
    )
    record = world.submit("zhang", {"title": "Trip", "amount": 88})
    assert world.admin.get("/api/forms/payment/records").payload["total"] == 0
    world.act("li", world.task_of("li", record["id"]), "approve")
    (payment,) = world.admin.get("/api/forms/payment/records").payload["items"]
    assert payment["data"] == {"amount": 88, "payee": world.ids["zhang"], "memo": "auto"}
    assert [body["zh-CN"] for body in _notices(world, "zhang", "flow:notify")] == ["已付款"]


def test_switching_an_automation_off_stops_it(world: Any) -> None:
    _publish(world, 'automation stamp on customer { when created set stage = "new" }')
    off = world.admin.patch("/api/automations/stamp", {"active": False})
    assert off.status_code == 200 and off.payload["active"] is False
    assert "stage" not in _customer(world)["data"]
    world.admin.patch("/api/automations/stamp", {"active": True})
    assert _customer(world)["data"]["stage"] == "new"
    assert world.admin.patch("/api/automations/nothing", {"active": True}).status_code == 404


def test_a_file_without_automations_or_with_errors_is_refused(world: Any) -> None:
    none = world.admin.post(
        "/api/automations", {"source": "flow f on expense { step s { approve by user(li) } }"}
    )
    assert none.status_code == 400
    broken = world.admin.post(
        "/api/automations", {"source": "automation a on customer { when changed stag }"}
    )
    assert broken.status_code == 422
    assert broken.payload["diagnostics"][0]["code"] == "unknown_field"
    assert world.admin.get("/api/automations").payload == []


def test_a_daily_automation_runs_once_a_day_for_the_records_that_match(
    world: Any, settings: Settings, run_threads: Any
) -> None:
    _publish(
        world,
        """
        automation not_contacted on customer {
          every day at 09:00
          where days_between(last_contact, today()) >= 30
          notify field(owner) "客户已 30 天未跟进"
        }
        """,
    )
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    _customer(world, last_contact=(today - timedelta(days=40)).isoformat())
    _customer(world, last_contact=today.isoformat())
    ((record_id, due, _done),) = _schedules(world)
    assert record_id is None
    assert due.astimezone(SHANGHAI).time().isoformat() == "09:00:00"
    at = due + timedelta(days=1)  # by then the recent customer is 1 day older: still fine
    workers = [Worker(world.database, settings, clock=lambda: at) for _ in range(2)]
    reports = run_threads(*(worker.run_once for worker in workers))
    assert sum(report.automations for report in reports) == 1, reports
    assert [body["zh-CN"] for body in _notices(world, "zhang", "flow:notify")] == [
        "客户已 30 天未跟进"
    ]
    ((_record, next_due, _done),) = _schedules(world)
    assert next_due > at and next_due.astimezone(SHANGHAI).hour == 9


def test_a_date_trigger_keeps_one_schedule_per_record_and_follows_the_date(
    world: Any, settings: Settings
) -> None:
    _publish(
        world,
        """
        automation due_soon on customer {
          3 days before due_on
          notify field(owner) "合同快到期"
        }
        """,
    )
    due_on = date.today() + timedelta(days=20)
    customer = _customer(world, due_on=due_on.isoformat())
    ((record_id, due, _done),) = _schedules(world)
    assert record_id == customer["id"]
    assert due.astimezone(SHANGHAI).date() == due_on - timedelta(days=3)
    later = due_on + timedelta(days=10)
    world["zhang"].patch(
        f"/api/records/{customer['id']}", {"data": {"due_on": later.isoformat()}, "version": 1}
    )
    ((_record, moved, _done),) = _schedules(world)
    assert moved.astimezone(SHANGHAI).date() == later - timedelta(days=3)
    assert Worker(world.database, settings, clock=lambda: moved).run_once().automations == 1
    assert len(_notices(world, "zhang", "flow:notify")) == 1
    ((_record, _due, done),) = _schedules(world)
    assert done is not None


@pytest.mark.parametrize("username", ["zhang", "li"])
def test_only_designers_switch_automations(world: Any, username: str) -> None:
    _publish(world, 'automation stamp on customer { when created set stage = "new" }')
    response = world[username].patch("/api/automations/stamp", {"active": False})
    assert response.status_code == 403
    assert world.admin.get("/api/automations").payload[0]["active"] is True
    with world.database.session() as session:
        assert session.scalar(select(func.count(AutomationSchedule.id))) == 0
