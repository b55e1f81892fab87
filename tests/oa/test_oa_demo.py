"""The demo company after ``load_demo``, as its people see it through the API.

What each person finds waiting is what the OA pack's README promises ("What the demo shows,
per person"); loading the demo a second time changes nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from oakit import DEMO_PASSWORD, Office
from sqlalchemy import func, select

from formflow.config import Settings
from formflow.services import demo
from formflow.storage.db import Database
from formflow.storage.models import FlowTask, Record
from harness import Caller

#: Per person, (form, step) of requests the README says wait for them.
WAITING = {
    "li.na": {
        ("oa.leave_request", "manager"),
        ("oa.expense_claim", "manager"),
        ("oa.seal_request", "dept_head"),
    },
    "liu.yang": {
        ("oa.leave_request", "manager"),
        ("oa.leave_request", "gm"),
        ("oa.purchase_request", "dept_head"),
    },
    "wang.fang": {
        ("oa.leave_request", "hr"),
        ("oa.announcement", "dept_head"),
        ("oa.seal_request", "return_check"),
    },
    "chen.jing": {("oa.expense_claim", "finance"), ("oa.purchase_request", "finance")},
    "zhao.lei": {("oa.expense_claim", "pay")},
    "zhou.min": {("oa.seal_request", "legal")},
}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _counts(database: Database) -> tuple[Counter[str], int]:
    with database.session() as session:
        statuses = Counter(session.scalars(select(Record.status)))
        tasks = int(session.scalar(select(func.count()).select_from(FlowTask)) or 0)
    return statuses, tasks


class TestLoadingTwice:
    @pytest.fixture
    def preload(self) -> str:
        return "oa"

    def test_the_demo_loads_twice_and_the_second_time_changes_nothing(
        self, database: Database, settings: Settings, office: Office
    ) -> None:
        reports = []
        counts = []
        for _ in range(2):
            with database.session(write=True) as session:
                _users, loaded = demo.load_demo(
                    session, DEMO_PASSWORD, uploads=settings.uploads_dir
                )
            reports.append(loaded["oa"])
            counts.append(_counts(database))
        assert reports[0].records > 0 and reports[0].problems == []
        assert (reports[0].skipped, reports[1].skipped) == (False, True)
        assert counts[0] == counts[1]
        assert counts[0][0]["in_progress"] > 0
        assert office.inbox("li.na") and office.inbox("zhang.wei", "initiated")


@pytest.fixture
def preload() -> str:
    return "demo"


@pytest.fixture
def demo_office(office: Office) -> Office:
    """The demo company after ``load_demo``."""
    return office


def _logged_in(app: Flask, username: str) -> Caller:
    """A client that logs in with the demo password, as a person would."""
    client = Caller(app.test_client())
    response = client.post("/api/auth/token", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code in (200, 201), response.payload
    return Caller(app.test_client(), token=response.payload["token"])


def test_zhang_wei_logs_in_and_sees_his_requests_with_a_claim_returned_to_him(
    demo_office: Office, app: Flask
) -> None:
    zhang = _logged_in(app, "zhang.wei")
    mine = zhang.get("/api/tasks?view=initiated&limit=100").payload["items"]
    statuses = Counter(i["record"]["status"] for i in mine)
    assert {"approved", "rejected", "paid", "in_progress"} <= set(statuses)
    assert all(i["instance"]["initiator"] == demo_office.ids["zhang.wei"] for i in mine)
    open_tasks = zhang.get("/api/tasks").payload["items"]
    returned = [i for i in open_tasks if i["record"]["form"] == "oa.expense_claim"]
    assert [i["task"]["kind"] for i in returned] == ["resubmit"]
    leave = zhang.get("/api/forms/oa.leave_request/records?limit=100").payload["items"]
    assert leave and {r["owner_id"] for r in leave} == {demo_office.ids["zhang.wei"]}


@pytest.mark.parametrize("username", sorted(WAITING))
def test_each_approver_finds_in_the_inbox_what_the_readme_promises(
    demo_office: Office, app: Flask, username: str
) -> None:
    caller = _logged_in(app, username)
    items = caller.get("/api/tasks?limit=100").payload["items"]
    assert WAITING[username] <= {(i["record"]["form"], i["task"]["step"]) for i in items}
    for item in items:
        detail = caller.get(f"/api/tasks/{item['task']['id']}")
        assert detail.status_code == 200, detail.payload
        assert detail.payload["actions"]


def test_li_na_has_a_request_waiting_for_four_days_and_chen_jing_an_overdue_claim(
    demo_office: Office,
) -> None:
    now = datetime.now(UTC)
    waiting = [_at(i["task"]["created_at"]) for i in demo_office.inbox("li.na")]
    assert min(waiting) <= now - timedelta(days=3, hours=12)
    claims = [
        i for i in demo_office.inbox("chen.jing") if i["record"]["form"] == "oa.expense_claim"
    ]
    assert any(_at(i["task"]["due_at"]) < now for i in claims)


def test_zhou_min_reviews_a_company_seal_and_sun_li_keeps_a_draft(demo_office: Office) -> None:
    (seal,) = [i for i in demo_office.inbox("zhou.min") if i["record"]["form"] == "oa.seal_request"]
    detail: dict[str, Any] = demo_office.task("zhou.min", seal["task"]["id"])
    assert detail["record"]["data"]["seal_type"] in ("company", "legal_rep")
    drafts = demo_office["sun.li"].get("/api/forms/oa.leave_request/records?limit=100")
    assert "draft" in [r["status"] for r in drafts.payload["items"]]


def test_li_na_approves_a_demo_leave_and_it_moves_on(demo_office: Office) -> None:
    (item,) = [i for i in demo_office.inbox("li.na") if i["record"]["form"] == "oa.leave_request"]
    record_id = item["record"]["id"]
    demo_office.decide("li.na", record_id, "manager")
    assert "manager" not in demo_office.asked(record_id)
    assert all(i["record"]["id"] != record_id for i in demo_office.inbox("li.na"))
