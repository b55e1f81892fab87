"""Tokens, logins, throttling and account self-service through the API."""

from __future__ import annotations

from typing import Any

from harness import PASSWORD, Caller


def test_a_token_from_username_and_password_opens_the_api(
    anonymous: Caller, make_user: Any
) -> None:
    make_user("li.na", display_name="李娜")
    response = anonymous.post("/api/auth/token", {"username": "li.na", "password": PASSWORD})
    assert response.status_code == 201
    token = response.payload["token"]
    assert token.startswith("ff_")
    me = Caller(anonymous.client, token=token).get("/api/me")
    assert me.status_code == 200
    assert me.payload["username"] == "li.na"
    assert me.payload["display_name"] == "李娜"


def test_wrong_password_and_unknown_user_get_the_same_answer(
    anonymous: Caller, make_user: Any
) -> None:
    make_user("li.na")
    wrong = anonymous.post("/api/auth/token", {"username": "li.na", "password": "nope nope"})
    unknown = anonymous.post("/api/auth/token", {"username": "nobody", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.mimetype == "application/problem+json"
    assert wrong.payload["detail"] == unknown.payload["detail"] == "Wrong username or password."


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(
    anonymous: Caller, make_user: Any
) -> None:
    make_user("li.na")
    statuses = [
        anonymous.post("/api/auth/token", {"username": "li.na", "password": f"bad-{i}"}).status_code
        for i in range(5)
    ]
    assert statuses == [401] * 5
    locked = anonymous.post("/api/auth/token", {"username": "li.na", "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many failed logins" in locked.payload["detail"]


def test_a_revoked_token_stops_working(api_as: Any) -> None:
    caller: Caller = api_as("li.na")
    tokens = caller.get("/api/auth/tokens").payload
    assert len(tokens) == 1
    assert caller.delete(f"/api/auth/tokens/{tokens[0]['id']}").status_code == 204
    assert caller.get("/api/me").status_code == 401


def test_deactivating_a_user_ends_their_tokens(api_as: Any, admin_api: Caller) -> None:
    caller: Caller = api_as("li.na")
    user_id = caller.get("/api/me").payload["id"]
    assert admin_api.patch(f"/api/users/{user_id}", {"active": False}).status_code == 200
    assert caller.get("/api/me").status_code == 401


def test_changing_the_password_needs_the_current_one_and_ends_other_tokens(
    api_as: Any, anonymous: Caller
) -> None:
    caller: Caller = api_as("li.na")
    wrong = caller.post(
        "/api/me/password", {"current_password": "not it", "new_password": "a new secret 1"}
    )
    assert wrong.status_code == 400
    assert wrong.payload["detail"] == "The current password is wrong."
    ok = caller.post(
        "/api/me/password", {"current_password": PASSWORD, "new_password": "a new secret 1"}
    )
    assert ok.status_code == 204
    assert caller.get("/api/me").status_code == 401
    login = anonymous.post("/api/auth/token", {"username": "li.na", "password": "a new secret 1"})
    assert login.status_code == 201


def test_a_user_may_edit_their_profile_but_not_their_platform_role(api_as: Any) -> None:
    caller: Caller = api_as("li.na")
    assert caller.patch("/api/me", {"locale": "zh-CN"}).payload["locale"] == "zh-CN"
    denied = caller.patch("/api/me", {"platform_role": "admin"})
    assert denied.status_code == 403
    assert caller.get("/api/me").payload["platform_role"] == "user"


def test_errors_come_in_the_callers_language(api_as: Any) -> None:
    caller: Caller = api_as("li.na", locale="zh-CN")
    response = caller.post(
        "/api/me/password", {"current_password": PASSWORD, "new_password": "short"}
    )
    assert response.status_code == 400
    assert response.payload["detail"] == "密码至少需要 8 个字符。"
