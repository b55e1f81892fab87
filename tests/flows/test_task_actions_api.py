"""People acting on requests through the API: every action, its audit line and history,
what is refused, and who may see what."""

from __future__ import annotations

from typing import Any

import pytest

CLAIM = """
flow expense_claim "费用报销" on expense {
  reject needs comment
  step manager "主管审批" {
    approve by manager(initiator)
    edit approval_note
    hide bank_account
  }
  if amount > 5000 { step cfo "财务总监" { approve by role(cfo) } }
  step cashier "出纳付款" {
    task by role(cashier)
    edit paid_on, voucher_no
    then create payment { amount: amount, payee: initiator, memo: title }
  }
  end paid
}
"""


@pytest.fixture
def claim(world: Any) -> Any:
    world.publish(CLAIM)
    return world


def _audit_actions(world: Any, record_id: int) -> list[str]:
    return [a["action"] for a in world.admin.get(f"/api/records/{record_id}/history").payload]


def _history(world: Any, record_id: int) -> list[tuple[str, str | None]]:
    instance = world.instance_of(record_id)
    return [(h["action"], h["step"]) for h in instance["history"]]


def test_submitting_starts_the_flow_and_the_approver_may_read_the_record(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    assert record["status"] == "in_progress"
    (item,) = claim.open_tasks("li")
    assert item["record"] == {
        "id": record["id"],
        "form": "expense",
        "label": "Trip",
        "status": "in_progress",
    }
    assert (item["task"]["step"], item["task"]["step_title"], item["task"]["kind"]) == (
        "manager",
        "主管审批",
        "approve",
    )
    assert item["instance"]["initiator_name"] == "张三"
    assert claim["li"].get(f"/api/records/{record['id']}").status_code == 200
    assert claim["stranger"].get(f"/api/records/{record['id']}").status_code == 404
    instance = claim.instance_of(record["id"], "li")
    assert claim["stranger"].get(f"/api/instances/{instance['id']}").status_code == 404
    assert _audit_actions(claim, record["id"]) == ["submit", "flow:start", "status"]


def test_approving_to_the_end_pays_and_creates_the_payment_as_the_system(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    task = claim.task_of("li", record["id"])
    approved = claim.act("li", task, "approve", {"comment": "fine"})
    assert approved.status_code == 200, approved.payload
    assert approved.payload["current"][0]["step"] == "cashier"
    assert [w["name"] for w in approved.payload["current"][0]["waiting"]] == ["孙七"]
    done = claim.act("sun", claim.task_of("sun", record["id"]), "complete")
    assert done.status_code == 200, done.payload
    assert done.payload["status"] == "paid"
    assert claim.record(record["id"])["status"] == "paid"
    (payment,) = claim.admin.get("/api/forms/payment/records").payload["items"]
    assert payment["data"] == {"amount": 300, "payee": claim.ids["zhang"], "memo": "Trip"}
    assert payment["owner_id"] == claim.ids["zhang"] and payment["created_by"] is None
    assert claim["zhang"].get(f"/api/records/{payment['id']}").status_code == 200
    assert _audit_actions(claim, record["id"]) == [
        "submit",
        "flow:start",
        "status",
        "flow:approve",
        "flow:complete",
        "status",
    ]
    assert ("approved", "manager") in _history(claim, record["id"])
    assert _history(claim, record["id"])[-1] == ("ended", "end#paid")
    done_view = claim["li"].get("/api/tasks?view=done").payload["items"]
    assert [(i["task"]["outcome"], i["task"]["comment"]) for i in done_view] == [
        ("approved", "fine")
    ]


def test_a_rejection_needs_a_comment_and_then_ends_the_request(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    task = claim.task_of("li", record["id"])
    refused = claim.act("li", task, "reject")
    assert refused.status_code == 409
    assert "comment" in refused.payload["detail"]
    assert claim.record(record["id"])["status"] == "in_progress"
    rejected = claim.act("li", task, "reject", {"comment": "no receipt"})
    assert rejected.status_code == 200
    assert claim.record(record["id"])["status"] == "rejected"
    assert claim.open_tasks("li") == []
    assert ("rejected", "manager") in _history(claim, record["id"])


def test_a_returned_request_is_fixed_and_resubmitted_by_its_initiator(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    back = claim.act("li", claim.task_of("li", record["id"]), "return", {"comment": "receipt?"})
    assert back.status_code == 200
    assert back.payload["status"] == "returned"
    (item,) = claim.open_tasks("zhang")
    assert item["task"]["kind"] == "resubmit"
    detail = claim["zhang"].get(f"/api/tasks/{item['task']['id']}").payload
    assert detail["actions"] == ["resubmit"]
    assert "amount" in detail["permissions"]["editable"]
    again = claim.act(
        "zhang",
        item["task"]["id"],
        "resubmit",
        {"data": {"amount": 250}, "version": detail["record"]["version"]},
    )
    assert again.status_code == 200, again.payload
    assert again.payload["status"] == "running"
    assert claim.record(record["id"])["data"]["amount"] == 250
    assert [i["record"]["id"] for i in claim.open_tasks("li")] == [record["id"]]


def test_returning_to_an_earlier_step_asks_it_again(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Laptop", "amount": 9000})
    claim.act("li", claim.task_of("li", record["id"]), "approve")
    cfo_task = claim.task_of("zhao", record["id"])
    assert claim["zhao"].get(f"/api/tasks/{cfo_task}").payload["return_targets"] == ["manager"]
    back = claim.act("zhao", cfo_task, "return", {"target": "manager", "comment": "check"})
    assert back.status_code == 200, back.payload
    assert back.payload["current"][0]["step"] == "manager"
    assert ("returned", "cfo") in _history(claim, record["id"])
    assert claim.open_tasks("zhao") == []
    assert len(claim.open_tasks("li")) == 1


def test_transfer_hands_the_task_over_for_good(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    task = claim.task_of("li", record["id"])
    moved = claim.act("li", task, "transfer", {"user": claim.ids["chen"], "comment": "away"})
    assert moved.status_code == 200, moved.payload
    assert claim.open_tasks("li") == []
    assert claim["li"].get(f"/api/tasks/{task}").payload["task"]["status"] == "cancelled"
    new_task = claim.task_of("chen", record["id"])
    assert claim["chen"].get(f"/api/records/{record['id']}").status_code == 200
    assert claim.act("chen", new_task, "approve").status_code == 200
    assert claim.open_tasks("sun")


def test_delegating_lets_the_delegator_take_the_task_back(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    task = claim.task_of("li", record["id"])
    assert claim.act("li", task, "delegate", {"user": claim.ids["chen"]}).status_code == 200
    delegated = claim.task_of("chen", record["id"])
    assert claim["li"].get(f"/api/tasks/{delegated}").payload["actions"] == [
        "reclaim",
        "comment",
    ]
    assert claim.act("chen", delegated, "reclaim").status_code == 403
    assert claim.act("li", delegated, "reclaim").status_code == 200
    assert claim.open_tasks("chen") == []
    assert claim.task_of("li", record["id"]) != task


@pytest.mark.parametrize(
    ("position", "first", "then"),
    [("before", "chen", "li"), ("after", None, "chen"), ("alongside", "chen", None)],
)
def test_adding_an_approver_before_after_or_alongside(
    claim: Any, position: str, first: str | None, then: str | None
) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    task = claim.task_of("li", record["id"])
    added = claim.act(
        "li", task, "add-approver", {"users": [claim.ids["chen"]], "position": position}
    )
    assert added.status_code == 200, added.payload
    if position == "before":
        assert claim.open_tasks("li") == []
        claim.act("chen", claim.task_of("chen", record["id"]), "approve")
        assert claim.task_of("li", record["id"])
    elif position == "after":
        claim.act("li", task, "approve")
        assert claim.task_of("chen", record["id"])
        assert claim.open_tasks("sun") == []
    else:
        claim.act("chen", claim.task_of("chen", record["id"]), "approve")
        assert claim.open_tasks("sun") == []  # li must still approve (mode all)
        claim.act("li", task, "approve")
    last = claim.task_of(then, record["id"]) if then else None
    if last is not None:
        claim.act(then, last, "approve")
    assert [i["record"]["id"] for i in claim.open_tasks("sun")] == [record["id"]]
    assert ("add_approver", "manager") in _history(claim, record["id"])
    assert first is None or claim["chen"].get(f"/api/records/{record['id']}").status_code == 200


def test_participants_may_comment_and_strangers_do_not_see_the_task(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    task = claim.task_of("li", record["id"])
    assert claim.act("zhang", task, "comment", {"comment": "urgent, please"}).status_code == 200
    assert claim.act("li", task, "comment", {}).status_code == 409
    assert claim.act("stranger", task, "comment", {"comment": "hi"}).status_code == 404
    assert claim["stranger"].get(f"/api/tasks/{task}").status_code == 404
    history = claim.instance_of(record["id"])["history"]
    assert ("comment", "urgent, please") in [(h["action"], h["comment"]) for h in history]


def test_someone_elses_task_answers_403_and_a_decided_one_409(claim: Any) -> None:
    claim["li"].locale = "zh-CN"
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    task = claim.task_of("li", record["id"])
    mine = claim.act("zhang", task, "approve")
    assert mine.status_code == 403
    assert "李四" in mine.payload["detail"]
    assert claim.act("li", task, "approve").status_code == 200
    again = claim.act("li", task, "approve")
    assert again.status_code == 409
    assert any("\u4e00" <= ch <= "\u9fff" for ch in again.payload["detail"])
    assert claim.act("li", task, "dance").status_code == 404


def test_the_initiator_withdraws_until_someone_acts(claim: Any) -> None:
    first = claim.submit("zhang", {"title": "Trip", "amount": 300})
    instance = claim.instance_of(first["id"], "zhang")
    assert claim["li"].post(f"/api/instances/{instance['id']}/withdraw", {}).status_code == 403
    gone = claim["zhang"].post(
        f"/api/instances/{instance['id']}/withdraw", {"comment": "wrong amount"}
    )
    assert gone.status_code == 200
    assert claim.record(first["id"])["status"] == "withdrawn"
    assert claim.open_tasks("li") == []
    second = claim.submit("zhang", {"title": "Hotel", "amount": 300})
    claim.act("li", claim.task_of("li", second["id"]), "approve")
    late = claim["zhang"].post(
        f"/api/instances/{claim.instance_of(second['id'])['id']}/withdraw", {}
    )
    assert late.status_code == 409
    assert claim.record(second["id"])["status"] == "in_progress"
    assert _audit_actions(claim, first["id"])[-2:] == ["flow:withdraw", "status"]


def test_urging_notifies_the_people_asked_once_an_hour(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    instance = claim.instance_of(record["id"], "zhang")["id"]
    assert claim["zhang"].post(f"/api/instances/{instance}/urge").status_code == 200
    assert claim["zhang"].post(f"/api/instances/{instance}/urge").status_code == 409
    assert claim["li"].post(f"/api/instances/{instance}/urge").status_code == 403
    with claim.database.session() as session:
        from sqlalchemy import select

        from formflow.storage.models import Notice

        kinds = list(session.scalars(select(Notice.kind).where(Notice.user_id == claim.ids["li"])))
    assert kinds == ["flow:task", "flow:urge"]


def test_the_task_view_hides_fields_and_only_editable_ones_change(claim: Any) -> None:
    record = claim.submit(
        "zhang", {"title": "Trip", "amount": 300, "bank_account": "6222 0000", "reason": "visit"}
    )
    task = claim.task_of("li", record["id"])
    detail = claim["li"].get(f"/api/tasks/{task}").payload
    assert "bank_account" not in detail["record"]["data"]
    assert detail["record"]["data"]["reason"] == "visit"
    assert detail["permissions"] == {"editable": ["approval_note"], "hidden": ["bank_account"]}
    version = detail["record"]["version"]
    forbidden = claim.act("li", task, "approve", {"data": {"amount": 1}, "version": version})
    assert forbidden.status_code == 409
    assert "amount" in forbidden.payload["detail"]
    unversioned = claim.act("li", task, "approve", {"data": {"approval_note": "ok"}})
    assert unversioned.status_code == 400
    stale = claim.act(
        "li", task, "approve", {"data": {"approval_note": "ok"}, "version": version - 1}
    )
    assert stale.status_code == 409
    assert claim.open_tasks("li")  # nothing happened
    ok = claim.act("li", task, "approve", {"data": {"approval_note": "ok"}, "version": version})
    assert ok.status_code == 200, ok.payload
    data = claim.record(record["id"])["data"]
    assert (data["approval_note"], data["amount"], data["bank_account"]) == ("ok", 300, "6222 0000")


def test_a_created_record_that_fails_validation_rolls_back_the_whole_action(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "A very long title", "amount": 300})
    claim.act("li", claim.task_of("li", record["id"]), "approve")
    task = claim.task_of("sun", record["id"])
    version = claim.record(record["id"])["version"]
    failed = claim.act("sun", task, "complete", {"data": {"voucher_no": "V-1"}, "version": version})
    assert failed.status_code == 422
    assert "payment" in failed.payload["detail"]
    assert [e["path"] for e in failed.payload["errors"]] == ["$.memo"]
    after = claim.record(record["id"])
    assert (after["status"], after["version"]) == ("in_progress", version)
    assert "voucher_no" not in after["data"]
    assert claim.admin.get("/api/forms/payment/records").payload["total"] == 0
    assert [i["task"]["id"] for i in claim.open_tasks("sun")] == [task]


def test_inbox_views_filters_and_pages(claim: Any) -> None:
    ids = [claim.submit("zhang", {"title": f"T{n}", "amount": 10})["id"] for n in range(3)]
    first = claim["li"].get("/api/tasks?limit=2").payload
    assert [i["record"]["id"] for i in first["items"]] == [ids[2], ids[1]]
    rest = claim["li"].get(f"/api/tasks?limit=2&cursor={first['next']}").payload
    assert [i["record"]["id"] for i in rest["items"]] == [ids[0]]
    assert rest["next"] is None
    assert claim["li"].get("/api/tasks?form=customer").payload["items"] == []
    assert len(claim["li"].get("/api/tasks?form=expense").payload["items"]) == 3
    started = claim["zhang"].get("/api/tasks?view=initiated").payload["items"]
    assert [(i["record"]["id"], i["instance"]["current_steps"]) for i in started] == [
        (ids[2], ["manager"]),
        (ids[1], ["manager"]),
        (ids[0], ["manager"]),
    ]
    assert started[0]["task"] is None
    assert claim["li"].get("/api/tasks?view=everything").status_code == 422
    assert claim["li"].get("/api/tasks?cursor=abc").status_code == 400


def test_carbon_copies_are_unread_until_marked_read(world: Any) -> None:
    world.publish(
        """
        flow cc_claim on expense {
          step manager { approve by manager(initiator) then cc role(legal) }
        }
        """
    )
    record = world.submit("zhang", {"title": "Trip", "amount": 300})
    world.act("li", world.task_of("li", record["id"]), "approve")
    (copy,) = world["zhou"].get("/api/tasks?view=cc").payload["items"]
    assert (copy["task"]["kind"], copy["task"]["status"]) == ("cc", "unread")
    assert world["zhou"].get(f"/api/records/{record['id']}").status_code == 200
    assert world.act("zhou", copy["task"]["id"], "approve").status_code == 409
    assert world.act("li", copy["task"]["id"], "read").status_code == 403
    read = world.act("zhou", copy["task"]["id"], "read")
    assert read.status_code == 200, read.payload
    assert read.payload["cc"] == [
        {"user": world.ids["zhou"], "name": "周八", "step": "manager", "read": True}
    ]
    (again,) = world["zhou"].get("/api/tasks?view=cc").payload["items"]
    assert again["task"]["status"] == "read" and again["task"]["read_at"]


def test_initiator_chosen_approvers_come_with_the_submission(world: Any) -> None:
    world.publish(
        """
        flow chosen_claim on expense {
          step pick "自选审批" { approve by chosen(role(finance)) }
        }
        """
    )
    record = world.submit(
        "zhang",
        {"title": "Trip", "amount": 300},
        flow={"chosen": {"pick": [world.ids["sun"]]}, "comment": "sun knows"},
    )
    assert [i["record"]["id"] for i in world.open_tasks("sun")] == [record["id"]]
    assert world.open_tasks("zhao") == []
    started = world.instance_of(record["id"])["history"][0]
    assert (started["action"], started["comment"]) == ("started", "sun knows")
    refused = world["zhang"].post(
        "/api/forms/expense/records",
        {"data": {"title": "X", "amount": 1}, "flow": {"chosen": {"pick": [world.ids["li"]]}}},
    )
    assert refused.status_code == 409
    assert world.admin.get("/api/forms/expense/records").payload["total"] == 1


def test_the_instance_view_draws_the_timeline(claim: Any) -> None:
    record = claim.submit("zhang", {"title": "Trip", "amount": 300})
    claim.act("li", claim.task_of("li", record["id"]), "approve")
    instance = claim.instance_of(record["id"], "zhang")
    status = {node["id"]: node["status"] for node in instance["nodes"]}
    assert (status["manager"], status["cashier"], status["cfo"]) == ("done", "current", "pending")
    assert any(edge["condition"] == "amount > 5000" for edge in instance["edges"])
    assert instance["flow"] == {"key": "expense_claim", "title": "费用报销", "version": 1}
    assert instance["my_tasks"] == []
    assert claim.instance_of(record["id"], "sun")["my_tasks"] == [
        claim.task_of("sun", record["id"])
    ]
