"""The demo company and its working-day calendar load idempotently and count days right."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from formflow.expr import NUMBER, Scope, compile_expression, evaluate
from formflow.services import auth, demo, inbox, org
from formflow.services.actor import SYSTEM
from formflow.services.evaluation import eval_context
from formflow.storage.db import Database
from formflow.storage.models import Record


def test_the_demo_org_loads_twice_without_error_or_duplicates(database: Database) -> None:
    for _ in range(2):
        with database.session(write=True) as session:
            users = demo.load_demo_org(session, "demo-password-1")
    assert {u.username for u in users} >= {"zhang.wei", "li.na", "wang.fang", "liu.yang"}
    with database.session() as session:
        chart = org.load_org_chart(session)
        zhang = chart.user_by_name("zhang.wei")
        li = chart.user_by_name("li.na")
        assert zhang is not None and li is not None
        assert chart.manager_of(zhang.id) == li.id
        assert [chart.users[i].username for i in chart.members_of_role("hr")] == ["wang.fang"]
        _page, total = org.list_users(session, SYSTEM, limit=100)
        assert total == len(users)


def test_working_days_skip_the_spring_festival_and_count_make_up_saturdays(
    database: Database,
) -> None:
    for _ in range(2):
        with database.session(write=True) as session:
            demo.load_demo_calendar(session)
    with database.session() as session:
        calendar = org.load_calendar(session)
        # Fri 13 Feb .. Mon 2 Mar 2026: Sat 14 Feb and Sat 28 Feb are make-up workdays,
        # 15-23 Feb is the Spring Festival holiday.
        assert calendar.workdays_between(date(2026, 2, 13), date(2026, 3, 2)) == 8
        assert calendar.is_workday(date(2026, 2, 14))
        assert not calendar.is_workday(date(2026, 2, 16))
        checked = compile_expression(
            "workdays_between(date('2026-02-13'), date('2026-03-02'))", Scope(), NUMBER
        )
        assert evaluate(checked, {}, eval_context(session)) == 8


def test_the_whole_demo_loads_twice_and_fills_the_inboxes(
    database: Database, tmp_path: Path
) -> None:
    for attempt in range(2):
        with database.session(write=True) as session:
            _users, reports = demo.load_demo(session, "demo-password-1", uploads=tmp_path)
        assert reports["oa"].skipped is (attempt == 1)
    with database.session() as session:
        statuses = Counter(session.scalars(select(Record.status)))
        assert statuses["in_progress"] > 0 and statuses["approved"] > 0
        assert statuses["rejected"] > 0 and statuses["draft"] == 1
        li_na = auth.actor_for(session, org.find_user(session, "li.na"))
        assert inbox.list_inbox(session, li_na).items


def test_the_worker_keeps_planner_statistics_fresh(database: Database, settings: Any) -> None:
    from formflow.services.worker import Worker, refresh_statistics

    worker = Worker(database, settings, jobs=[refresh_statistics])
    report = worker.run_once()
    assert report.errors == []
    assert worker.statistics_at is not None
