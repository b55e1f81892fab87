"""Companies and positions through the API: kept by admins, referred to by departments and
people, never deleted while in use, and a wrong id is a clear 400 rather than a server error."""

from __future__ import annotations

from typing import Any

from harness import Caller


def _company(admin_api: Caller, code: str = "sh01") -> dict[str, Any]:
    created = admin_api.post(
        "/api/companies", {"code": code, "name": {"zh-CN": "上海分公司", "en": "Shanghai Branch"}}
    )
    assert created.status_code == 201, created.payload
    return dict(created.payload)


def test_an_admin_keeps_the_list_of_companies(admin_api: Caller) -> None:
    company = _company(admin_api)
    assert company["name"] == {"zh-CN": "上海分公司", "en": "Shanghai Branch"}
    renamed = admin_api.patch(f"/api/companies/{company['id']}", {"name": "上海公司"})
    assert renamed.status_code == 200 and renamed.payload["name"] == "上海公司"
    listed = {c["code"]: c for c in admin_api.get("/api/companies").payload}
    assert listed["sh01"]["name"] == "上海公司"


def test_company_codes_are_unique_and_well_formed(admin_api: Caller) -> None:
    _company(admin_api)
    again = admin_api.post("/api/companies", {"code": "sh01", "name": "again"})
    assert again.status_code == 409 and "sh01" in again.payload["detail"]
    bad = admin_api.post("/api/companies", {"code": "no spaces", "name": "x"})
    assert bad.status_code == 422
    assert bad.payload["errors"][0]["path"] == "$.code"
    other = _company(admin_api, "bj01")
    clash = admin_api.patch(f"/api/companies/{other['id']}", {"code": "sh01"})
    assert clash.status_code == 409
    assert {c["code"] for c in admin_api.get("/api/companies").payload} >= {"sh01", "bj01"}


def test_only_admins_change_companies_and_positions(admin_api: Caller, api_as: Any) -> None:
    company = _company(admin_api)
    caller: Caller = api_as("li.na")
    assert caller.post("/api/companies", {"code": "x1", "name": "x"}).status_code == 403
    assert caller.patch(f"/api/companies/{company['id']}", {"name": "x"}).status_code == 403
    assert caller.post("/api/positions", {"code": "p1", "name": "x"}).status_code == 403
    assert caller.get("/api/companies").status_code == 200  # everyone may read the list
    assert "x1" not in {c["code"] for c in admin_api.get("/api/companies").payload}
    chinese: Caller = api_as("admin", locale="zh-CN")
    bad = chinese.post("/api/companies", {"code": "带 空格", "name": "x"})
    assert bad.payload["errors"][0]["message"] == "请使用 1–64 个字母、数字、点、短横线或下划线。"


def test_positions_belong_to_companies_and_people_hold_them(admin_api: Caller) -> None:
    company = _company(admin_api)
    created = admin_api.post(
        "/api/positions",
        {"code": "sales_mgr", "name": "销售经理", "company_id": company["id"], "grade": "M2"},
    )
    assert created.status_code == 201, created.payload
    position = created.payload
    assert (position["company_id"], position["grade"]) == (company["id"], "M2")
    admin_api.post("/api/positions", {"code": "clerk", "name": "文员"})
    of_company = admin_api.get(f"/api/positions?company_id={company['id']}").payload
    assert [p["code"] for p in of_company] == ["sales_mgr"]
    user = admin_api.post(
        "/api/users", {"username": "zhou.qi", "position_id": position["id"]}
    ).payload
    assert user["position_id"] == position["id"]
    held = admin_api.delete(f"/api/positions/{position['id']}")
    assert held.status_code == 409 and "sales_mgr" in held.payload["detail"]
    admin_api.patch(f"/api/users/{user['id']}", {"position_id": None})
    assert admin_api.delete(f"/api/positions/{position['id']}").status_code == 204
    assert admin_api.get(f"/api/positions?company_id={company['id']}").payload == []


def test_a_company_in_use_is_not_deleted(admin_api: Caller) -> None:
    company = _company(admin_api)
    department = admin_api.post(
        "/api/departments", {"name": "上海销售部", "company_id": company["id"]}
    ).payload
    refused = admin_api.delete(f"/api/companies/{company['id']}")
    assert refused.status_code == 409 and "1 departments" in refused.payload["detail"]
    admin_api.patch(f"/api/departments/{department['id']}", {"company_id": None})
    assert admin_api.delete(f"/api/companies/{company['id']}").status_code == 204
    assert admin_api.get(f"/api/companies/{company['id']}").status_code in (404, 405)


def test_unknown_ids_are_bad_input_in_the_users_language_and_change_nothing(
    api_as: Any, admin_api: Caller
) -> None:
    chinese: Caller = api_as("admin", locale="zh-CN")
    user = chinese.post("/api/users", {"username": "ghost.user", "position_id": 999_999})
    assert user.status_code == 400
    assert user.payload["detail"] == "职位 999999 不存在。"
    assert admin_api.get("/api/users?q=ghost").payload["total"] == 0
    department = admin_api.post("/api/departments", {"name": "幽灵部", "company_id": 999_999})
    assert department.status_code == 400
    assert "999999" in department.payload["detail"]
    assert "幽灵部" not in {d["name"] for d in admin_api.get("/api/departments").payload}
    position = admin_api.post("/api/positions", {"code": "p9", "name": "x", "company_id": 999_999})
    assert position.status_code == 400
    assert admin_api.get("/api/positions").payload == []
    missing = admin_api.patch("/api/companies/999999", {"name": "x"})
    assert missing.status_code == 404


def test_a_department_code_taken_on_update_is_a_409(admin_api: Caller) -> None:
    admin_api.post("/api/departments", {"name": "甲", "code": "dept_a"})
    other = admin_api.post("/api/departments", {"name": "乙", "code": "dept_b"}).payload
    clash = admin_api.patch(f"/api/departments/{other['id']}", {"code": "dept_a"})
    assert clash.status_code == 409 and "dept_a" in clash.payload["detail"]
