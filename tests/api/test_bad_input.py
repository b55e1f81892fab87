"""Bad input of any kind answers 4xx with a specific problem document and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from api.formdefs import create_form
from harness import Caller


def test_malformed_json_is_a_400_with_its_position(admin_api: Caller) -> None:
    response = admin_api.request(
        "POST", "/api/users", data='{"username": "x",', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "line 1" in response.payload["detail"]


def test_a_body_that_is_not_json_is_a_415(admin_api: Caller) -> None:
    response = admin_api.request(
        "POST", "/api/users", data="username=x", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert "application/json" in response.payload["detail"]


def test_an_oversized_body_is_a_413(admin_api: Caller, app: Any) -> None:
    limit = app.extensions["formflow"].settings.max_request_bytes
    response = admin_api.post("/api/users", {"username": "x" * (limit + 10)})
    assert response.status_code == 413


def test_unknown_fields_are_refused_not_ignored(admin_api: Caller) -> None:
    response = admin_api.post("/api/users", {"username": "zhao.lei", "is_superuser": True})
    assert response.status_code == 422
    assert response.payload["errors"] == [
        {"path": "$.is_superuser", "message": "Unknown field: remove it.", "code": "unknown_field"}
    ]
    assert admin_api.get("/api/users?q=zhao").payload["total"] == 0


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({}, "$.username", "required"),
        ({"username": 12}, "$.username", "type"),
        ({"username": "ok.name", "department_id": "3"}, "$.department_id", "type"),
        ({"username": "ok.name", "locale": "fr"}, "$.locale", "enum"),
    ],
)
def test_each_invalid_field_is_named_with_its_path(
    admin_api: Caller, body: dict[str, Any], path: str, code: str
) -> None:
    response = admin_api.post("/api/users", body)
    assert response.status_code == 422
    assert [(e["path"], e["code"]) for e in response.payload["errors"]] == [(path, code)]


def test_a_body_that_is_a_list_is_refused(admin_api: Caller) -> None:
    response = admin_api.post("/api/users", [{"username": "x"}])
    assert response.status_code == 400
    assert response.payload["detail"] == "The body must be a JSON object."


def test_unknown_routes_and_wrong_methods_answer_problem_documents(admin_api: Caller) -> None:
    missing = admin_api.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    wrong = admin_api.request("PUT", "/api/me")
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]


def test_a_bad_query_parameter_is_a_422(admin_api: Caller) -> None:
    response = admin_api.get("/api/users?limit=100000")
    assert response.status_code == 422
    assert response.payload["errors"][0]["path"] == "$query.limit"


def test_anonymous_calls_get_401_with_a_hint(anonymous: Caller) -> None:
    response = anonymous.get("/api/me")
    assert response.status_code == 401
    assert "Bearer" in response.payload["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_nul_character_in_any_text_is_refused(admin_api: Caller) -> None:
    response = admin_api.request(
        "POST",
        "/api/users",
        data='{"username": "a\\u0000b"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "NUL" in response.payload["detail"]


def test_a_multipart_part_without_a_name_is_a_client_error(admin_api: Caller) -> None:
    # Schemathesis found it: werkzeug gives such a part the name None.
    body = b"--B\r\nContent-Disposition: form-data\r\n\r\n{}\r\n--B--\r\n"
    response = admin_api.request(
        "POST",
        "/api/attachments",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )
    assert 400 <= response.status_code < 500, response.payload


def test_a_nul_character_in_the_path_or_query_is_refused(admin_api: Caller) -> None:
    # PostgreSQL cannot compare text holding NUL; such a request must stop before any query.
    create_form(admin_api)
    for url in (
        "/api/forms/expense/records?filter=title%20%3D%20%27%00%27",
        "/api/forms/ex%00pense/records",
        "/api/tasks?q=%00",
    ):
        response = admin_api.get(url)
        assert response.status_code == 400, (url, response.payload)
        assert "NUL" in response.payload["detail"]
