"""Users, departments and roles through the API, and who may change them."""

from __future__ import annotations

from typing import Any

from harness import Caller


def test_an_admin_creates_a_user_who_can_then_log_in(admin_api: Caller, anonymous: Caller) -> None:
    created = admin_api.post(
        "/api/users",
        {
            "username": "zhao.lei",
            "display_name": "赵磊",
            "password": "a fine password",
            "email": "Zhao.Lei@Example.com",
        },
    )
    assert created.status_code == 201
    assert created.payload["email"] == "zhao.lei@example.com"
    assert "password" not in created.payload and "password_hash" not in created.payload
    login = anonymous.post(
        "/api/auth/token", {"username": "zhao.lei", "password": "a fine password"}
    )
    assert login.status_code == 201


def test_a_non_admin_may_not_create_users(api_as: Any) -> None:
    caller: Caller = api_as("li.na")
    response = caller.post("/api/users", {"username": "mallory"})
    assert response.status_code == 403
    assert caller.get("/api/users?q=mallory").payload["total"] == 0


def test_a_taken_username_is_a_409(admin_api: Caller) -> None:
    assert admin_api.post("/api/users", {"username": "li.na"}).status_code == 201
    again = admin_api.post("/api/users", {"username": "li.na"})
    assert again.status_code == 409
    assert "li.na" in again.payload["detail"]


def test_user_search_pages_with_a_cursor(admin_api: Caller) -> None:
    for index in range(5):
        admin_api.post("/api/users", {"username": f"user{index}"})
    first = admin_api.get("/api/users?q=user&limit=2").payload
    assert first["total"] == 5
    assert [u["username"] for u in first["items"]] == ["user0", "user1"]
    second = admin_api.get(f"/api/users?q=user&limit=2&cursor={first['next']}").payload
    assert [u["username"] for u in second["items"]] == ["user2", "user3"]
    last = admin_api.get(f"/api/users?q=user&limit=2&cursor={second['next']}").payload
    assert [u["username"] for u in last["items"]] == ["user4"]
    assert last["next"] is None


def test_departments_form_a_tree_without_cycles(admin_api: Caller) -> None:
    top = admin_api.post("/api/departments", {"name": "总经办"}).payload
    sales = admin_api.post("/api/departments", {"name": "销售部", "parent_id": top["id"]}).payload
    cycle = admin_api.patch(f"/api/departments/{top['id']}", {"parent_id": sales["id"]})
    assert cycle.status_code == 400
    assert cycle.payload["detail"] == "A department cannot be moved below itself."
    names = [d["name"] for d in admin_api.get("/api/departments").payload]
    assert names == ["总经办", "销售部"]


def test_roles_are_assigned_and_listed_with_their_members(
    admin_api: Caller, make_user: Any
) -> None:
    user_id = make_user("wang.fang")
    assert (
        admin_api.post(
            "/api/roles", {"key": "hr", "name": {"zh-CN": "人事", "en": "HR"}}
        ).status_code
        == 201
    )
    assigned = admin_api.post("/api/roles/hr/members", {"user_id": user_id})
    assert assigned.status_code == 200
    assert assigned.payload["members"] == [{"user_id": user_id, "department_id": None}]
    assert admin_api.delete(f"/api/roles/hr/members/{user_id}").status_code == 204
    roles = admin_api.get("/api/roles").payload
    assert roles == [
        {"key": "hr", "name": {"zh-CN": "人事", "en": "HR"}, "pack": None, "members": []}
    ]


def test_assigning_an_unknown_role_is_a_404(admin_api: Caller, make_user: Any) -> None:
    user_id = make_user("wang.fang")
    response = admin_api.post("/api/roles/nope/members", {"user_id": user_id})
    assert response.status_code == 404
