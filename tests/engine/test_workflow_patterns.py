"""The 20 basic control-flow patterns of the Workflow Patterns catalogue, one test each.

docs/flow-dsl.md ("Workflow patterns") shows the same flows.
"""

from __future__ import annotations

import pytest
from flowkit import Driver

from formflow.engine import TimerFired, Withdraw
from formflow.errors import TransitionNotAllowed


def test_pattern_01_sequence() -> None:
    run = Driver("""
flow f on expense_claim {
  step a { approve by user(lisi) }
  step b { approve by user(zhaoliu) }
}""")
    run.start()
    run.act("lisi")
    assert run.open() == [("b", "zhaoliu")]


PARALLEL = """
flow f on expense_claim {
  parallel {
    branch legal { step legal { approve by role(legal) } }
    branch finance { step finance { approve by role(cfo) } }
  }
  step last { approve by user(wangwu) }
}"""


def test_pattern_02_parallel_split() -> None:
    run = Driver(PARALLEL)
    run.start()
    assert run.open() == [("finance", "zhaoliu"), ("legal", "zhouba")]
    assert run.state is not None
    assert sorted(t for t in run.state.tokens if t != "root") == ["root/1.1", "root/1.2"]


def test_pattern_03_synchronization() -> None:
    run = Driver(PARALLEL)
    run.start()
    run.act("zhouba")
    assert run.open() == [("finance", "zhaoliu")]
    run.act("zhaoliu")
    assert run.open() == [("last", "wangwu")]


CHOICE = """
flow f on expense_claim {
  if amount > 5000 { step big { approve by role(cfo) } }
  else if amount > 1000 { step medium { approve by manager(initiator, 2) } }
  else { step small { approve by manager(initiator) } }
  step pay { task by role(cashier) }
}"""


@pytest.mark.parametrize(
    ("amount", "first"),
    [(9000, ("big", "zhaoliu")), (3000, ("medium", "wangwu")), (100, ("small", "lisi"))],
)
def test_pattern_04_exclusive_choice(amount: int, first: tuple[str, str]) -> None:
    run = Driver(CHOICE, {"amount": amount})
    run.start()
    assert run.open() == [first]


def test_pattern_05_simple_merge() -> None:
    for amount, user in ((9000, "zhaoliu"), (100, "lisi")):
        run = Driver(CHOICE, {"amount": amount})
        run.start()
        run.act(user)
        assert run.open() == [("pay", "sunqi")]


MULTI = """
flow f on expense_claim {
  parallel {
    branch legal when amount > 1000 { step legal { approve by role(legal) } }
    branch finance when urgent { step finance { approve by role(cfo) } }
    branch hr when amount > 1000000 { step hr { approve by role(hr) } }
  }
  step last { approve by user(wangwu) }
}"""


def test_pattern_06_multi_choice() -> None:
    run = Driver(MULTI, {"amount": 5000, "urgent": True})
    run.start()
    assert run.open() == [("finance", "zhaoliu"), ("legal", "zhouba")]


def test_pattern_07_structured_synchronizing_merge() -> None:
    run = Driver(MULTI, {"amount": 5000, "urgent": False})
    run.start()
    assert run.open() == [("legal", "zhouba")]
    run.act("zhouba")  # only the started branch is waited for
    assert run.open() == [("last", "wangwu")]


def test_pattern_08_multi_merge() -> None:
    run = Driver("""
flow f on expense_claim {
  parallel join each {
    branch { step a { approve by user(lisi) } }
    branch { step b { approve by user(zhaoliu) } }
  }
  step after { approve by user(wangwu) }
}""")
    run.start()
    run.act("lisi")
    run.act("zhaoliu")
    assert run.open() == [("after", "wangwu"), ("after", "wangwu")]
    run.act("wangwu")
    assert run.status == "running"
    run.act("wangwu")
    assert run.status == "approved"


def test_pattern_09_structured_discriminator() -> None:
    run = Driver("""
flow f on expense_claim {
  parallel join any keep others {
    branch { step a { approve by user(lisi) } }
    branch { step b { approve by user(zhaoliu) } }
  }
  step after { approve by user(wangwu) }
}""")
    run.start()
    run.act("zhaoliu")
    assert run.open() == [("a", "lisi"), ("after", "wangwu")]
    run.act("lisi")  # completes, but is ignored by the join
    assert run.open() == [("after", "wangwu")]
    assert run.state is not None
    assert any(e.action == "branch_ignored" for e in run.state.history)


def test_pattern_10_arbitrary_cycles() -> None:
    run = Driver(
        """
flow f on expense_claim {
  step draft { task by initiator }
  step review { approve by user(lisi) on self allow }
  if amount > 1000 { step fix { task by initiator then set amount = amount - 1000 } goto review }
}""",
        {"amount": 1500},
    )
    run.start()
    run.act("zhangsan")
    run.act("lisi")
    run.act("zhangsan")  # fix: amount becomes 500, back to review
    run.data["amount"] = 500  # the service applies the SetFields effect
    assert run.open() == [("review", "lisi")]
    run.act("lisi")
    assert run.status == "approved"


def test_pattern_11_implicit_termination() -> None:
    run = Driver("""
flow f on expense_claim {
  parallel join each {
    branch { step a { approve by user(lisi) } }
    branch { step b { approve by user(zhaoliu) } }
  }
}""")
    run.start()
    run.act("lisi")
    assert run.status == "running"  # one branch is still working
    run.act("zhaoliu")
    assert run.status == "approved"  # nothing left to do


def test_pattern_12_multiple_instances_without_synchronization() -> None:
    run = Driver(
        """
flow f on expense_claim {
  step post { then create ledger for each items { amount: row.amount, note: row.note } }
  step done { approve by user(lisi) }
}""",
        {"amount": 30, "items": [{"amount": 10, "note": "a"}, {"amount": 20, "note": "b"}]},
    )
    effects = run.start()
    created = [e for e in effects if e.kind == "create_record"]
    assert [e.row for e in created] == [0, 1]  # type: ignore[attr-defined]
    assert run.open() == [("done", "lisi")]  # the flow does not wait for the records


def test_pattern_13_multiple_instances_with_a_priori_design_time_knowledge() -> None:
    run = Driver(
        "flow f on expense_claim { step s { approve by user(lisi, zhaoliu, zhouba) all } }"
    )
    run.start()
    assert len(run.open()) == 3
    for user in ("lisi", "zhaoliu", "zhouba"):
        run.act(user)
    assert run.status == "approved"


def test_pattern_14_multiple_instances_with_a_priori_run_time_knowledge() -> None:
    run = Driver("flow f on expense_claim { step s { approve by role(finance) all } }")
    run.start()
    assert run.open() == [("s", "sunqi"), ("s", "zhaoliu")]  # known when the step starts


def test_pattern_15_multiple_instances_without_a_priori_run_time_knowledge() -> None:
    run = Driver("flow f on expense_claim { step s { approve by user(lisi) all } }")
    run.start()
    run.act("lisi", "add_approver", users=["zhouba"], position="alongside")  # 加签
    assert run.open() == [("s", "lisi"), ("s", "zhouba")]
    run.act("lisi")
    assert run.status == "running"
    run.act("zhouba")
    assert run.status == "approved"


def test_pattern_16_deferred_choice() -> None:
    run = Driver("""
flow f on expense_claim {
  parallel join any {
    branch { step by_legal { approve by role(legal) } }
    branch { step by_hr { approve by role(hr) } }
  }
}""")
    run.start()
    run.act("wujiu")  # whoever acts first decides the branch
    assert run.status == "approved"
    assert run.open() == []


def test_pattern_17_interleaved_parallel_routing() -> None:
    run = Driver("""
flow f on expense_claim {
  interleave {
    branch { step a1 { approve by user(lisi) } step a2 { approve by user(zhouba) } }
    branch { step b { approve by user(zhaoliu) } }
  }
}""")
    run.start()
    run.act("lisi", step="a1")
    with pytest.raises(TransitionNotAllowed):
        run.act("zhaoliu")  # branch a is being worked on
    run.act("zhouba", step="a2")
    run.act("zhaoliu")
    assert run.status == "approved"


def test_pattern_18_milestone() -> None:
    text = """
flow f on expense_claim {
  withdraw until review
  step review { approve by user(lisi) }
  step pay { task by user(sunqi) }
}"""
    early = Driver(text)
    early.start()
    early.send(Withdraw(1))
    assert early.status == "withdrawn"
    late = Driver(text)
    late.start()
    late.act("lisi")
    with pytest.raises(TransitionNotAllowed):
        late.send(Withdraw(1))


def test_pattern_19_cancel_activity() -> None:
    run = Driver("""
flow f on expense_claim {
  step optional { approve by user(lisi) after 2d skip }
  step next { approve by user(zhaoliu) }
}""")
    effects = run.start()
    key = next(e.key for e in effects if e.kind == "schedule_timer")  # type: ignore[attr-defined]
    run.later(days=2)
    run.send(TimerFired(key))
    assert run.open() == [("next", "zhaoliu")]


def test_pattern_20_cancel_case() -> None:
    run = Driver(PARALLEL)
    run.start()
    effects = run.send(Withdraw(1, comment="不需要了"))
    assert run.status == "withdrawn"
    assert run.open() == []
    assert sum(1 for e in effects if e.kind == "task_cancelled") == 2
