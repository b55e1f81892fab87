"""The demo company as a pure :class:`~formflow.orgchart.OrgChart`, without a database.

Pack lint runs a pack's simulation cases against this org (the cases name demo users such
as ``zhang.wei`` and ``li.na``), so cases are checked the same way on every machine.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from formflow.orgchart import DepartmentInfo, OrgChart, RoleAssignment, UserInfo


def demo_company() -> dict[str, Any]:
    """The demo company's data (departments, roles, users)."""
    text = (resources.files("formflow.demo") / "company.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def demo_org_chart() -> OrgChart:
    data = demo_company()
    dept_ids = {spec["code"]: index for index, spec in enumerate(data["departments"], start=1)}
    user_ids = {spec["username"]: index for index, spec in enumerate(data["users"], start=1)}
    departments = [
        DepartmentInfo(
            id=dept_ids[spec["code"]],
            name=spec["name"],
            parent_id=dept_ids.get(spec.get("parent", "")),
            head_id=user_ids.get(spec.get("head", "")),
        )
        for spec in data["departments"]
    ]
    users = [
        UserInfo(
            id=user_ids[spec["username"]],
            username=spec["username"],
            display_name=spec["display_name"],
            department_id=dept_ids[spec["department"]],
            locale=spec.get("locale", "zh-CN"),
            email=spec.get("email"),
        )
        for spec in data["users"]
    ]
    assignments = [
        RoleAssignment(role=role, user_id=user_ids[spec["username"]])
        for spec in data["users"]
        for role in spec.get("roles", [])
    ]
    return OrgChart.build(users, departments, assignments)
