"""Form definitions through the API: create, check, publish versions, refuse breaking changes."""

from __future__ import annotations

import copy
from typing import Any

from api.formdefs import EXPENSE, create_form
from harness import Caller


def test_a_designer_creates_a_form_and_everyone_can_read_it(api_as: Any) -> None:
    designer: Caller = api_as("wu.gang", role="designer")
    created = create_form(designer)
    assert created["version"] == 1
    assert created["grants"] == {"everyone": ["create", "read_own"]}
    user: Caller = api_as("zhang.wei")
    assert user.get("/api/forms/expense").payload["schema"]["required"] == ["title", "amount"]
    assert [f["key"] for f in user.get("/api/forms").payload] == ["expense"]


def test_an_ordinary_user_may_not_create_forms(api_as: Any) -> None:
    user: Caller = api_as("zhang.wei")
    response = user.post("/api/forms", {"key": "x", "title": "X", "schema": EXPENSE})
    assert response.status_code == 403
    assert user.get("/api/forms/x").status_code == 404


def test_a_broken_definition_lists_every_problem_with_its_path(admin_api: Caller) -> None:
    schema = {
        "type": "object",
        "properties": {
            "Amount": {"type": "number"},
            "kind": {"type": "string", "x-type": "nope"},
            "other": {"type": "string", "$ref": "https://example.com/schema.json"},
        },
    }
    response = admin_api.post("/api/forms", {"key": "broken", "title": "B", "schema": schema})
    assert response.status_code == 422
    paths = {(e["path"], e["code"]) for e in response.payload["errors"]}
    assert paths == {
        ("$.schema.properties.Amount", "field_name"),
        ("$.schema.properties.kind.x-type", "type_unknown"),
        ("$.schema.properties.other.$ref", "remote_ref"),
    }
    assert admin_api.get("/api/forms/broken").status_code == 404


def test_a_taken_form_key_is_a_409(admin_api: Caller) -> None:
    create_form(admin_api)
    again = admin_api.post("/api/forms", {"key": "expense", "title": "E", "schema": EXPENSE})
    assert again.status_code == 409


def test_publishing_keeps_old_records_on_their_version(admin_api: Caller) -> None:
    create_form(admin_api)
    record = admin_api.post(
        "/api/forms/expense/records", {"data": {"title": "Taxi", "amount": 30}}
    ).payload
    schema = copy.deepcopy(EXPENSE)
    schema["properties"]["note"] = {"type": "string"}
    published = admin_api.put("/api/forms/expense", {"schema": schema, "note": "add a note"})
    assert published.status_code == 200
    assert published.payload["version"] == 2
    assert admin_api.get(f"/api/records/{record['id']}").payload["form_version"] == 1
    versions = admin_api.get("/api/forms/expense/versions").payload
    assert [(v["version"], v["note"]) for v in versions] == [(1, None), (2, "add a note")]
    diff = admin_api.get("/api/forms/expense/diff?old=1&new=2").payload
    assert diff["breaking"] is False
    assert len(diff["changes"]) == 1


def test_a_breaking_change_is_refused_with_the_affected_records(admin_api: Caller) -> None:
    create_form(admin_api)
    record = admin_api.post(
        "/api/forms/expense/records", {"data": {"title": "Taxi", "amount": 30}}
    ).payload
    schema = copy.deepcopy(EXPENSE)
    schema["properties"]["project"] = {"type": "string"}
    schema["required"] = ["title", "amount", "project"]
    refused = admin_api.put("/api/forms/expense", {"schema": schema})
    assert refused.status_code == 409
    assert refused.payload["errors"][0]["path"] == f"$.records[{record['id']}]"
    assert admin_api.get("/api/forms/expense").payload["version"] == 1


def test_a_migration_makes_a_breaking_change_publishable(admin_api: Caller) -> None:
    create_form(admin_api)
    record = admin_api.post(
        "/api/forms/expense/records", {"data": {"title": "Taxi", "amount": 30}}
    ).payload
    schema = copy.deepcopy(EXPENSE)
    schema["properties"]["project"] = {"type": "string"}
    schema["required"] = ["title", "amount", "project"]
    published = admin_api.put(
        "/api/forms/expense",
        {"schema": schema, "migration": {"defaults": {"project": "general"}}},
    )
    assert published.status_code == 200, published.payload
    migrated = admin_api.get(f"/api/records/{record['id']}").payload
    assert migrated["form_version"] == 2
    assert migrated["data"]["project"] == "general"
    actions = [a["action"] for a in admin_api.get(f"/api/records/{record['id']}/history").payload]
    assert actions == ["submit", "migrate"]


def test_validate_returns_problems_computed_values_and_ui_state(admin_api: Caller) -> None:
    create_form(admin_api)
    response = admin_api.post(
        "/api/forms/expense/validate",
        {"data": {"items": [{"qty": 3, "price": 0.1}, {"qty": 1, "price": 0.2}]}},
    )
    assert response.status_code == 200
    body = response.payload
    assert body["valid"] is False
    assert {e["path"] for e in body["errors"]} == {"$.title", "$.amount"}
    assert str(body["data"]["total"]) == "0.50"
    assert body["ui"]["fields"]["$.title"]["required"] is True
    assert admin_api.get("/api/forms/expense/records").payload["total"] == 0
