"""Approver rules, modes, and the policies for empty, self and repeated approvers."""

from __future__ import annotations

import pytest
from flowkit import Driver

from formflow.engine.state import msg_from_json


def one_step(rule: str, mode: str = "", policies: str = "", flow_policies: str = "") -> str:
    return f"""
flow f on expense_claim {{
  {flow_policies}
  step s "审批" {{ approve by {rule} {mode} {policies} }}
}}
"""


@pytest.mark.parametrize(
    ("rule", "data", "expected", "why"),
    [
        ("user(zhouba)", {}, ["zhouba"], "named user: 周八"),
        ('user("wujiu", sunqi)', {}, ["sunqi", "wujiu"], "named user: 吴九"),
        ("role(finance)", {}, ["sunqi", "zhaoliu"], "role finance: 赵六"),
        ('role(finance, "财务部")', {}, ["sunqi", "zhaoliu"], "role finance in 财务部: 孙七"),
        ('department_head("财务部")', {}, ["zhaoliu"], "head of 财务部: 赵六"),
        ("department_head(initiator)", {}, ["lisi"], "head of 销售部: 李四"),
        ("department_head(field(dept))", {"dept": 3}, ["zhaoliu"], "head of 财务部: 赵六"),
        ("manager(initiator)", {}, ["lisi"], "manager of 张三, level 1: 李四"),
        ("manager(initiator, 2)", {}, ["wangwu"], "manager of 张三, level 2: 王五"),
        ("manager(field(reviewer))", {"reviewer": 4}, ["wangwu"], "manager of 赵六, level 1: 王五"),
        ("manager_chain(initiator, 2)", {}, ["lisi", "wangwu"], "manager of 张三, level 2: 王五"),
        ("manager_chain(initiator, until role(admin))", {}, ["lisi", "wangwu"], "level 2: 王五"),
        ("field(reviewer)", {"reviewer": 6}, ["zhouba"], "picked in field reviewer: 周八"),
        ("initiator", {}, ["zhangsan"], "the initiator: 张三"),
    ],
)
def test_each_approver_rule_finds_people_and_explains_why(
    rule: str, data: dict[str, object], expected: list[str], why: str
) -> None:
    run = Driver(one_step(rule, "all", "on self allow"), {"amount": 1, **data})
    run.start("zhangsan")
    assert run.state is not None
    first = sorted({user for _step, user in run.open()})
    assert first == expected
    run_state = next(iter(run.state.runs.values()))
    explanations = [msg_from_json(e).render("en") for e in run_state.explanations]
    assert any(why in line for line in explanations), explanations


def test_a_manager_chain_is_asked_one_after_another_by_default() -> None:
    run = Driver(one_step("manager_chain(initiator, 2)"))
    run.start("zhangsan")
    assert run.open() == [("s", "lisi")]
    run.act("lisi")
    assert run.open() == [("s", "wangwu")]
    run.act("wangwu")
    assert run.status == "approved"


def test_people_chosen_by_the_initiator_are_asked() -> None:
    run = Driver(one_step("chosen(role(finance))", "any"))
    run.start("zhangsan", chosen={"s": ["sunqi"]})
    assert run.open() == [("s", "sunqi")]


def test_choosing_someone_outside_the_candidates_is_refused() -> None:
    from formflow.errors import TransitionNotAllowed

    run = Driver(one_step("chosen(role(finance))"))
    with pytest.raises(TransitionNotAllowed):
        run.start("zhangsan", chosen={"s": ["zhouba"]})


def test_all_mode_needs_everyone_and_one_rejection_rejects() -> None:
    run = Driver(one_step("role(finance)", "all"))
    run.start("zhangsan")
    run.act("zhaoliu")
    assert run.status == "running"
    assert run.open() == [("s", "sunqi")]
    run.act("sunqi", "reject")
    assert run.status == "rejected"


def test_any_mode_completes_once_and_cancels_the_other_tasks() -> None:
    run = Driver(one_step("role(finance)", "any"))
    run.start("zhangsan")
    effects = run.act("sunqi")
    assert run.status == "approved"
    cancelled = [e for e in effects if e.kind == "task_cancelled"]
    assert [(e.assignee, e.reason) for e in cancelled] == [(4, "step_decided")]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("vote", "actions", "status"),
    [
        ("vote 2", [("zhaoliu", "approve"), ("sunqi", "approve")], "approved"),
        ("vote 2", [("zhaoliu", "reject"), ("sunqi", "reject")], "rejected"),
        (
            "vote 2",
            [("zhaoliu", "approve"), ("zhouba", "reject"), ("sunqi", "approve")],
            "approved",
        ),
        ("vote 60%", [("zhaoliu", "approve"), ("sunqi", "approve")], "approved"),
        ("vote 60%", [("zhaoliu", "reject"), ("sunqi", "reject")], "rejected"),
    ],
)
def test_vote_thresholds_decide_as_soon_as_the_outcome_is_certain(
    vote: str, actions: list[tuple[str, str]], status: str
) -> None:
    run = Driver(one_step("user(zhaoliu, sunqi, zhouba)", vote))
    run.start("zhangsan")
    for user, verb in actions:
        run.act(user, verb)
    assert run.status == status
    assert run.open() == []


@pytest.mark.parametrize(
    ("policy", "status", "action"),
    [
        ("on empty skip", "approved", "skipped"),
        ("on empty approve", "approved", "auto_approved"),
    ],
)
def test_a_step_whose_approvers_resolve_to_nobody_follows_its_empty_policy(
    policy: str, status: str, action: str
) -> None:
    run = Driver(one_step("field(reviewer)", "", policy))
    run.start("zhangsan")
    assert run.status == status
    assert run.state is not None
    assert any(e.action == action and e.step == "s" for e in run.state.history)


def test_an_empty_step_can_be_sent_to_a_named_admin() -> None:
    run = Driver(one_step("field(reviewer)", "", "on empty assign user(wangwu)"))
    run.start("zhangsan")
    assert run.open() == [("s", "wangwu")]


def test_inactive_people_are_never_asked() -> None:
    run = Driver(one_step("user(zhengshi)", "", "on empty skip"))
    run.start("zhangsan")
    assert run.status == "approved"
    assert run.open() == []


@pytest.mark.parametrize(
    ("policy", "expected_open", "status"),
    [
        ("on self allow", [("s", "zhangsan")], "running"),
        ("on self forbid", [("s", "lisi")], "running"),
        ("on self skip", [], "approved"),
    ],
)
def test_the_self_approval_policy_decides_what_happens_to_the_initiators_own_task(
    policy: str, expected_open: list[tuple[str, str]], status: str
) -> None:
    run = Driver(one_step("initiator", "", policy))
    run.start("zhangsan")
    assert run.open() == expected_open
    assert run.status == status


DEDUPE = """
flow f on expense_claim {
  step a { approve by user(lisi) }
  step b { approve by user(lisi, zhaoliu) all }
}
"""


def test_someone_who_approved_the_previous_step_is_not_asked_again() -> None:
    run = Driver(DEDUPE)
    run.start("zhangsan")
    run.act("lisi")
    assert run.open() == [("b", "zhaoliu")]


def test_duplicates_are_asked_again_when_the_flow_says_so() -> None:
    head = "flow f on expense_claim {"
    run = Driver(DEDUPE.replace(head, head + " on duplicate ask"))
    run.start("zhangsan")
    run.act("lisi")
    assert run.open() == [("b", "lisi"), ("b", "zhaoliu")]


def test_a_task_step_is_completed_rather_than_approved() -> None:
    run = Driver("flow f on expense_claim { step pay { task by role(cashier) } }")
    run.start("zhangsan")
    assert run.state is not None
    task = run.state.open_tasks()[0]
    assert task.kind.value == "task"
    run.act("sunqi")
    assert run.status == "approved"
    assert run.state.tasks[task.id].outcome == "completed"
