"""People acting at the same moment, in threads against the real database (SQLite here;
PostgreSQL with FORMFLOW_TEST_DATABASE_URL): exactly one outcome every time."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

ROUNDS = 3

ANY_STEP = """
flow any_claim on expense {
  step finance "财务" { approve by role(finance) any }
  step boss { approve by user(wang) }
}
"""
JOIN = """
flow join_claim on expense {
  parallel {
    branch legal { step legal { approve by role(legal) } }
    branch money { step cfo { approve by role(cfo) } }
  }
  step boss { approve by user(wang) }
}
"""
EDITABLE = """
flow edit_claim on expense {
  withdraw until manager
  step manager { approve by manager(initiator) edit approval_note }
  step boss { approve by user(wang) }
}
"""


def _fresh(caller: Any) -> Any:
    """A caller of its own for a thread (test clients are not shared between threads)."""
    return type(caller)(caller.client.application.test_client(), token=caller.token)


def _post(caller: Any, url: str, body: Any) -> Any:
    client = _fresh(caller)
    return lambda: client.post(url, body).status_code


def _history(world: Any, record_id: int) -> list[tuple[str, str | None]]:
    return [(h["action"], h["step"]) for h in world.instance_of(record_id)["history"]]


def test_two_approvers_of_an_any_step_produce_one_outcome(world: Any, run_threads: Any) -> None:
    world.publish(ANY_STEP)
    for _round in range(ROUNDS):
        record = world.submit("zhang", {"title": "Trip", "amount": 300})
        zhao, sun = world.task_of("zhao", record["id"]), world.task_of("sun", record["id"])
        statuses = run_threads(
            _post(world["zhao"], f"/api/tasks/{zhao}/approve", {}),
            _post(world["sun"], f"/api/tasks/{sun}/approve", {}),
        )
        assert sorted(statuses) == [200, 409]
        history = _history(world, record["id"])
        assert history.count(("step_approved", "finance")) == 1
        assert sum(1 for action, step in history if action == "approved") == 1
        assert [i["record"]["id"] for i in world.open_tasks("wang")].count(record["id"]) == 1
        assert world.open_tasks("zhao") == [] and world.open_tasks("sun") == []
        world.act("wang", world.task_of("wang", record["id"]), "approve")
        assert world.record(record["id"])["status"] == "approved"


def test_the_same_task_approved_twice_at_once_counts_once(world: Any, run_threads: Any) -> None:
    world.publish(ANY_STEP)
    record = world.submit("zhang", {"title": "Trip", "amount": 300})
    task = world.task_of("zhao", record["id"])
    statuses = run_threads(
        _post(world["zhao"], f"/api/tasks/{task}/approve", {}),
        _post(world["zhao"], f"/api/tasks/{task}/approve", {}),
    )
    assert sorted(statuses) == [200, 409]
    assert _history(world, record["id"]).count(("approved", "finance")) == 1


def test_a_join_fires_once_when_its_branches_finish_together(world: Any, run_threads: Any) -> None:
    world.publish(JOIN)
    for _round in range(ROUNDS):
        record = world.submit("zhang", {"title": "Contract", "amount": 300})
        legal, cfo = world.task_of("zhou", record["id"]), world.task_of("zhao", record["id"])
        statuses = run_threads(
            _post(world["zhou"], f"/api/tasks/{legal}/approve", {}),
            _post(world["zhao"], f"/api/tasks/{cfo}/approve", {}),
        )
        assert statuses == [200, 200]
        history = _history(world, record["id"])
        assert history.count(("step_started", "boss")) == 1
        assert [i["record"]["id"] for i in world.open_tasks("wang")].count(record["id"]) == 1


@pytest.mark.parametrize("withdraw_first", [True, False])
def test_an_approver_edit_and_a_withdrawal_at_once_never_merge(
    world: Any, run_threads: Any, withdraw_first: bool
) -> None:
    world.publish(EDITABLE)
    outcomes: Counter[str] = Counter()
    for _round in range(ROUNDS):
        record = world.submit("zhang", {"title": "Trip", "amount": 300})
        seen = world.record(record["id"])["version"]
        task = world.task_of("li", record["id"])
        instance = world.instance_of(record["id"])["id"]
        approve = _post(
            world["li"],
            f"/api/tasks/{task}/approve",
            {"data": {"approval_note": "checked"}, "version": seen},
        )
        withdraw = _post(world["zhang"], f"/api/instances/{instance}/withdraw", {"version": seen})
        jobs = (withdraw, approve) if withdraw_first else (approve, withdraw)
        statuses = dict(
            zip(
                ("withdraw", "approve") if withdraw_first else ("approve", "withdraw"),
                run_threads(*jobs),
                strict=True,
            )
        )
        assert sorted(statuses.values()) == [200, 409]
        after = world.record(record["id"])
        if statuses["withdraw"] == 200:
            outcomes["withdrawn"] += 1
            assert after["status"] == "withdrawn"
            assert "approval_note" not in after["data"]
        else:
            outcomes["approved"] += 1
            assert after["status"] == "in_progress"
            assert after["data"]["approval_note"] == "checked"
            assert world.task_of("wang", record["id"])
    assert sum(outcomes.values()) == ROUNDS
