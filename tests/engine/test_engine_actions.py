"""Task actions: return, transfer, add approver, delegate, comment, withdraw, urge, cc."""

from __future__ import annotations

import pytest
from flowkit import NAMES, Driver, kinds

from formflow.engine import MarkCcRead, TaskAction, TaskVerb, Urge, Withdraw
from formflow.errors import PermissionDenied, TransitionNotAllowed

THREE = """
flow f on expense_claim {
  step a { approve by user(lisi) }
  step b { approve by user(zhaoliu) }
  step c { approve by user(zhouba) }
}"""


def test_return_to_the_initiator_reruns_every_step_after_resubmission() -> None:
    run = Driver(THREE)
    run.start()
    run.act("lisi")
    run.act("zhaoliu", "return", comment="发票不全")
    assert run.status == "returned"
    assert run.open() == [("b", "zhangsan")]
    run.act("zhangsan")  # resubmit
    assert run.status == "running"
    assert run.open() == [("a", "lisi")]


def test_return_to_the_initiator_can_resume_at_the_step_that_returned_it() -> None:
    head = "flow f on expense_claim {"
    run = Driver(THREE.replace(head, head + " on resubmit resume"))
    run.start()
    run.act("lisi")
    run.act("zhaoliu", "return")
    run.act("zhangsan")
    assert run.open() == [("b", "zhaoliu")]


def test_return_to_an_earlier_step_reruns_from_there() -> None:
    run = Driver(THREE)
    run.start()
    run.act("lisi")
    run.act("zhaoliu")
    run.act("zhouba", "return", target="a", comment="请再看一下")
    assert run.open() == [("a", "lisi")]
    run.act("lisi")
    assert run.open() == [("b", "zhaoliu")]
    assert run.state is not None
    entry = next(e for e in run.state.history if e.action == "returned")
    assert (entry.step, entry.to_step, entry.comment) == ("c", "a", "请再看一下")


def test_returning_to_a_step_that_has_not_run_is_refused() -> None:
    run = Driver(THREE)
    run.start()
    with pytest.raises(TransitionNotAllowed):
        run.act("lisi", "return", target="c")


PARALLEL = """
flow f on expense_claim {
  step intake { approve by user(wangwu) }
  parallel {
    branch { step legal { approve by role(legal) } step legal2 { approve by user(lisi) } }
    branch { step finance { approve by role(cfo) } }
  }
  step final { approve by user(sunqi) }
}"""


def test_return_inside_a_parallel_branch_reruns_only_that_branch() -> None:
    run = Driver(PARALLEL)
    run.start()
    run.act("wangwu")
    run.act("zhouba")
    run.act("lisi", "return", target="legal")
    assert run.open() == [("finance", "zhaoliu"), ("legal", "zhouba")]
    run.act("zhaoliu")
    run.act("zhouba")
    run.act("lisi")
    assert run.open() == [("final", "sunqi")]


def test_return_from_after_the_join_into_a_branch_reruns_only_that_branch() -> None:
    run = Driver(PARALLEL)
    run.start()
    run.act("wangwu")
    run.act("zhouba")
    run.act("lisi")
    run.act("zhaoliu")
    run.act("sunqi", "return", target="finance")
    assert run.open() == [("finance", "zhaoliu")]  # legal's approvals stand
    run.act("zhaoliu")
    assert run.open() == [("final", "sunqi")]
    run.act("sunqi")
    assert run.status == "approved"


def test_return_from_a_branch_to_a_step_before_the_split_cancels_both_branches() -> None:
    run = Driver(PARALLEL)
    run.start()
    run.act("wangwu")
    effects = run.act("zhaoliu", "return", target="intake")
    assert run.open() == [("intake", "wangwu")]
    assert "task_cancelled" in kinds(effects)


def test_return_into_a_sibling_branch_is_refused() -> None:
    run = Driver(PARALLEL)
    run.start()
    run.act("wangwu")
    run.act("zhouba")
    with pytest.raises(TransitionNotAllowed):
        run.act("zhaoliu", "return", target="legal")


def test_transfer_hands_the_task_over_for_good() -> None:
    run = Driver(THREE)
    run.start()
    run.act("lisi", "transfer", user="chenyi")
    assert run.open() == [("a", "chenyi")]
    run.act("chenyi")
    assert run.open() == [("b", "zhaoliu")]


def test_delegate_and_reclaim() -> None:
    run = Driver(THREE)
    run.start()
    run.act("lisi", "delegate", user="chenyi")
    assert run.open() == [("a", "chenyi")]
    assert run.state is not None
    task = run.state.open_tasks()[0]
    run.send(TaskAction(task.id, NAMES["lisi"], TaskVerb.RECLAIM))
    assert run.open() == [("a", "lisi")]


def test_adding_an_approver_before_sends_the_task_back_afterwards() -> None:
    run = Driver(THREE)
    run.start()
    run.act("lisi", "add_approver", users=["chenyi"], position="before")
    assert run.open() == [("a", "chenyi")]
    run.act("chenyi")
    assert run.open() == [("a", "lisi")]
    run.act("lisi")
    assert run.open() == [("b", "zhaoliu")]


def test_adding_an_approver_after_asks_them_once_the_actor_approves() -> None:
    run = Driver(THREE)
    run.start()
    run.act("lisi", "add_approver", users=["chenyi"], position="after")
    run.act("lisi")
    assert run.open() == [("a", "chenyi")]
    run.act("chenyi")
    assert run.open() == [("b", "zhaoliu")]


def test_only_the_assignee_can_act_on_a_task() -> None:
    run = Driver(THREE)
    run.start()
    assert run.state is not None
    task = run.state.open_tasks()[0]
    with pytest.raises(PermissionDenied):
        run.send(TaskAction(task.id, NAMES["zhaoliu"], TaskVerb.APPROVE))


def test_a_completed_task_cannot_be_acted_on_twice() -> None:
    run = Driver(THREE)
    run.start()
    assert run.state is not None
    task = run.state.open_tasks()[0]
    run.act("lisi")
    with pytest.raises(TransitionNotAllowed) as error:
        run.send(TaskAction(task.id, NAMES["lisi"], TaskVerb.APPROVE))
    assert "already completed" in error.value.message.render("en")
    assert "已" in error.value.message.render("zh-CN")


def test_a_reject_needs_a_comment_when_the_step_says_so() -> None:
    run = Driver(
        "flow f on expense_claim { reject needs comment step a { approve by user(lisi) } }"
    )
    run.start()
    with pytest.raises(TransitionNotAllowed):
        run.act("lisi", "reject")
    run.act("lisi", "reject", comment="金额不对")
    assert run.status == "rejected"


def test_comments_are_open_to_participants_only() -> None:
    run = Driver(THREE)
    run.start()
    run.act("lisi", "comment", comment="我看一下")
    assert run.open() == [("a", "lisi")]
    assert run.state is not None
    assert run.state.history[-1].comment == "我看一下"


def test_the_initiator_can_withdraw_before_anyone_acts_but_not_after() -> None:
    run = Driver(THREE)
    run.start()
    with pytest.raises(PermissionDenied):
        run.send(Withdraw(NAMES["lisi"]))
    run.act("lisi")
    with pytest.raises(TransitionNotAllowed):
        run.send(Withdraw(NAMES["zhangsan"]))
    fresh = Driver(THREE)
    fresh.start()
    task = fresh.task_of("lisi")
    fresh.send(Withdraw(NAMES["zhangsan"]))
    assert fresh.status == "withdrawn"
    with pytest.raises(TransitionNotAllowed):
        fresh.send(TaskAction(task, NAMES["lisi"], TaskVerb.APPROVE))


def test_urging_notifies_the_people_asked_at_most_once_an_hour() -> None:
    run = Driver(THREE)
    run.start()
    effects = run.send(Urge(NAMES["zhangsan"]))
    assert [(e.kind, e.users) for e in effects] == [("notify", (NAMES["lisi"],))]  # type: ignore[attr-defined]
    with pytest.raises(TransitionNotAllowed):
        run.send(Urge(NAMES["zhangsan"]))
    run.later(hours=2)
    assert run.send(Urge(NAMES["zhangsan"]))


def test_carbon_copies_are_recorded_unread_and_can_be_marked_read() -> None:
    run = Driver("flow f on expense_claim { step a { approve by user(lisi) then cc role(hr) } }")
    run.start()
    effects = run.act("lisi")
    assert "carbon_copy" in kinds(effects)
    assert run.state is not None
    assert [(c.user, c.read) for c in run.state.cc] == [(NAMES["wujiu"], False)]
    run.send(MarkCcRead(NAMES["wujiu"]))
    assert [(c.user, c.read) for c in run.state.cc] == [(NAMES["wujiu"], True)]


def test_a_rejection_can_send_the_request_back_to_an_earlier_step() -> None:
    run = Driver("""
flow f on expense_claim {
  step a { approve by user(lisi) }
  step b { approve by user(zhaoliu) on reject return to a }
}""")
    run.start()
    run.act("lisi")
    run.act("zhaoliu", "reject", comment="请主管复核")
    assert run.status == "running"
    assert run.open() == [("a", "lisi")]
