"""Audiences as approvers: ``members(...)`` of departments and ``everyone``.

The org of flowkit: 总公司 [1] > 销售部 [2] (张三, 李四, 陈一), 财务部 [3] (赵六, 孙七);
王五, 周八, 吴九 and the inactive 郑十 sit in 总公司 itself; 项目组 [4] has nobody.
"""

from __future__ import annotations

from typing import Any

import pytest
from flowkit import FORMS, NAMES, ORG, USERS, expressions

from formflow.dsl import FlowSpec, compile_flow
from formflow.engine import simulate
from formflow.engine.state import msg_from_json
from formflow.forms import compile_form

NOTICE = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "dept": {"x-type": "department"},
        "depts": {"x-type": "departments"},
        "readers": {"x-type": "users"},
        "targets": {
            "x-type": "subtable",
            "items": {"properties": {"department": {"x-type": "department"}}},
        },
    },
}
ALL_FORMS = {**FORMS, "notice": compile_form(NOTICE)}


def spec_for(rule: str, verb: str = "task by") -> FlowSpec:
    text = f'flow f on notice {{ step s "确认" {{ {verb} {rule} }} }}'
    return compile_flow(text, forms=ALL_FORMS, org=ORG)


def asked(rule: str, data: dict[str, Any], initiator: str = "zhangsan") -> list[str]:
    result = simulate(
        spec_for(rule), data, NAMES[initiator], ORG, expressions=expressions("expense_claim")
    )
    return [USERS[user][0] for user in result.steps[0].people] if result.steps else []


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ('members("销售部")', {}, ["zhangsan", "lisi", "chenyi"]),
        ("members(initiator)", {}, ["zhangsan", "lisi", "chenyi"]),
        ("members(field(dept))", {"dept": 3}, ["zhaoliu", "sunqi"]),
        (
            "members(field(depts))",
            {"depts": [3, 2]},
            ["zhaoliu", "sunqi", "zhangsan", "lisi", "chenyi"],
        ),
        (
            "members(field(targets.department))",
            {"targets": [{"department": 2}, {"department": 3}, {"department": 2}]},
            ["zhangsan", "lisi", "chenyi", "zhaoliu", "sunqi"],
        ),
        ("field(readers)", {"readers": [6, 7]}, ["zhouba", "wujiu"]),
    ],
)
def test_members_of_departments_and_user_lists_are_asked(
    rule: str, data: dict[str, Any], expected: list[str]
) -> None:
    assert asked(rule, data) == expected


def test_members_include_the_departments_below_and_never_inactive_people() -> None:
    people = asked('members("总公司")', {})
    assert set(people) == {name for uid, (name, _d, _dept) in USERS.items() if uid != 8}
    assert "zhengshi" not in people


def test_everyone_asks_every_active_user_once() -> None:
    people = asked("everyone, members(initiator)", {})
    assert len(people) == len(set(people)) == 8
    assert "zhengshi" not in people


def test_the_simulation_explains_members_per_department() -> None:
    result = simulate(
        spec_for("members(field(depts))"),
        {"depts": [3, 4]},
        NAMES["zhangsan"],
        ORG,
        expressions=expressions("expense_claim"),
    )
    lines = [line.render("en") for line in result.steps[0].explanations]
    assert lines == ["members of 财务部: 赵六, 孙七", "members of 项目组: there is nobody."]
    zh = [line.render("zh-CN") for line in result.steps[0].explanations]
    assert zh[0] == "财务部的成员：赵六, 孙七"


def test_an_empty_department_field_is_explained_and_follows_the_empty_policy() -> None:
    result = simulate(
        spec_for("members(field(depts))"),
        {},
        NAMES["zhangsan"],
        ORG,
        expressions=expressions("expense_claim"),
    )
    assert result.steps == ()
    assert result.status == "approved"  # on empty skip (the default)
    assert result.state is not None
    notes = [
        msg_from_json(entry.note).render("en")
        for entry in result.state.history
        if entry.action == "explained" and entry.note is not None
    ]
    assert notes == ["The field `depts` is empty."]


def test_everyone_is_explained_with_a_count() -> None:
    result = simulate(spec_for("everyone"), {}, NAMES["zhangsan"], ORG, expressions=expressions())
    (line,) = [m.render("en") for m in result.steps[0].explanations]
    assert line.startswith("everyone (8): 张三, 李四")


def test_cc_and_notify_reach_members_and_everyone() -> None:
    text = """
flow f on notice {
  step s { approve by user(lisi) then cc members(field(depts)) }
  step t { notify everyone "已发布" }
}
"""
    spec = compile_flow(text, forms=ALL_FORMS, org=ORG)
    result = simulate(spec, {"depts": [3]}, NAMES["zhangsan"], ORG, expressions=expressions())
    kinds = {effect.kind: effect.to_json() for effect in result.effects}
    assert kinds["carbon_copy"]["users"] == [NAMES["zhaoliu"], NAMES["sunqi"]]
    assert len(kinds["notify"]["users"]) == 8


def test_rules_survive_the_json_round_trip_of_a_stored_spec() -> None:
    spec = spec_for("members(field(targets.department)), everyone")
    again = FlowSpec.from_json(spec.to_json())
    assert again.nodes["s"].approvers == spec.nodes["s"].approvers
