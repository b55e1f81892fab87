"""The thin path: a two-step sequential approval, parsed, checked, compiled and run."""

from __future__ import annotations

import pytest
from flowkit import Driver, kinds

TWO_STEPS = """
flow expense_claim "费用报销" on expense_claim {
  step manager "主管审批" { approve by manager(initiator) }
  step finance "财务审批" { approve by role(cfo) }
}
"""


def test_two_approvals_in_a_row_approve_the_request() -> None:
    run = Driver(TWO_STEPS)
    run.start("zhangsan")
    assert run.open() == [("manager", "lisi")]
    run.act("lisi")
    assert run.open() == [("finance", "zhaoliu")]
    effects = run.act("zhaoliu")
    assert run.status == "approved"
    assert kinds(effects)[-1] == "instance_ended"
    assert run.open() == []


def test_a_rejection_at_the_first_step_rejects_the_request() -> None:
    run = Driver(TWO_STEPS)
    run.start("zhangsan")
    run.act("lisi", "reject", comment="太贵")
    assert run.status == "rejected"
    assert run.open() == []


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_history_records_who_did_what_from_which_step(verb: str) -> None:
    run = Driver(TWO_STEPS)
    run.start("zhangsan")
    run.act("lisi", verb, comment="ok")
    assert run.state is not None
    entry = next(e for e in run.state.history if e.actor == 2 and e.comment == "ok")
    assert entry.step == "manager"
    assert entry.action == ("approved" if verb == "approve" else "rejected")
