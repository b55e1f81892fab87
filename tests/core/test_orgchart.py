"""Approver resolution over the org chart: managers, chains, heads, role holders."""

from __future__ import annotations

import pytest

from formflow.orgchart import DepartmentInfo, OrgChart, RoleAssignment, UserInfo

# 总经办 (1, head liu=1) > 销售部 (2, head li=2) > 华东组 (3, no head)
#                       > 人事部 (4, head wang=4)
CHART = OrgChart.build(
    [
        UserInfo(1, "liu.yang", "刘洋", department_id=1),
        UserInfo(2, "li.na", "李娜", department_id=2),
        UserInfo(3, "zhang.wei", "张伟", department_id=3),
        UserInfo(4, "wang.fang", "王芳", department_id=4),
        UserInfo(5, "sun.li", "孙丽", department_id=3, manager_id=4),
        UserInfo(6, "gone", "离职", department_id=2, active=False),
    ],
    [
        DepartmentInfo(1, "总经办"),
        DepartmentInfo(2, "销售部", parent_id=1, head_id=2),
        DepartmentInfo(3, "华东组", parent_id=2),
        DepartmentInfo(4, "人事部", parent_id=1, head_id=4),
    ],
    [
        RoleAssignment("hr", 4),
        RoleAssignment("hr", 2, department_id=2),
        RoleAssignment("sales", 3),
        RoleAssignment("sales", 6),
    ],
)


@pytest.mark.parametrize(
    ("user", "manager"),
    [(3, 2), (2, None), (5, 4), (4, None), (1, None)],
)
def test_the_manager_is_explicit_else_the_nearest_head_who_is_someone_else(
    user: int, manager: int | None
) -> None:
    # 总经办 has no head here, so li.na and wang.fang have no manager above them.
    assert CHART.manager_of(user) == manager


def test_a_chain_of_managers_stops_at_the_top_and_never_loops() -> None:
    assert CHART.manager_chain(3, 5) == [2]
    looped = OrgChart.build(
        [UserInfo(1, "a", "A", manager_id=2), UserInfo(2, "b", "B", manager_id=1)]
    )
    assert looped.manager_chain(1, 10) == [2]
    assert looped.manager_at_level(1, 2) is None


def test_the_chain_up_to_a_role_includes_the_first_holder() -> None:
    chart = OrgChart.build(
        [
            UserInfo(1, "a", "A", manager_id=2),
            UserInfo(2, "b", "B", manager_id=3),
            UserInfo(3, "c", "C", manager_id=4),
            UserInfo(4, "d", "D"),
        ],
        assignments=[RoleAssignment("cfo", 3)],
    )
    assert chart.manager_chain_until_role(1, "cfo") == [2, 3]
    assert chart.manager_chain_until_role(1, "ceo") == [2, 3, 4]


def test_department_heads_are_found_walking_up() -> None:
    assert CHART.department_head(3) == 2
    assert CHART.head_of_users_department(5) == 2


def test_role_members_within_a_department_count_scoped_and_unscoped_holders() -> None:
    assert CHART.members_of_role("hr") == [2, 4]
    assert CHART.members_of_role("hr", 3) == [2]  # scoped to 销售部, which holds 华东组
    assert CHART.members_of_role("hr", 4) == [4]  # unscoped holder working in 人事部
    assert CHART.members_of_role("sales") == [3]  # the inactive holder is never asked


def test_members_of_a_department_include_its_subtree() -> None:
    assert CHART.members_of_department(2) == [2, 3, 5]
    assert CHART.members_of_department(2, recursive=False) == [2]
