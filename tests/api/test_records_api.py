"""Records through the API: exact data, every error at once, drafts, concurrency, audit,
authorization, filters, sorting and pages."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from api.formdefs import EXPENSE, create_form
from harness import Caller


@pytest.fixture
def expense(admin_api: Caller) -> dict[str, Any]:
    form: dict[str, Any] = create_form(admin_api)
    return form


def test_a_valid_record_is_stored_with_computed_total_and_serial(api_as: Any, expense: Any) -> None:
    user: Caller = api_as("zhang.wei")
    response = user.post(
        "/api/forms/expense/records",
        {
            "data": {
                "title": "Trip",
                "amount": 20.1,
                "items": [{"qty": 3, "price": 0.1}, {"qty": 1, "price": 0.2}],
            }
        },
    )
    assert response.status_code == 201
    record = response.payload
    assert record["status"] == "submitted"
    assert record["data"]["total"] == Decimal("0.50")
    assert record["data"]["amount"] == Decimal("20.1")
    assert record["data"]["no"].startswith("BX-") and record["data"]["no"].endswith("-0001")
    assert record["version"] == 1
    assert user.get(f"/api/records/{record['id']}").payload["data"] == record["data"]


def test_every_problem_is_reported_at_once_and_nothing_is_stored(api_as: Any, expense: Any) -> None:
    user: Caller = api_as("zhang.wei")
    response = user.post(
        "/api/forms/expense/records",
        {"data": {"amount": "lots", "category": "party", "items": [{"qty": 0}]}},
    )
    assert response.status_code == 422
    paths = {e["path"]: e["code"] for e in response.payload["errors"]}
    assert set(paths) == {"$.title", "$.amount", "$.category", "$.items[0].qty", "$.items[0].price"}
    assert user.get("/api/forms/expense/records").payload["total"] == 0


def test_errors_are_translated_for_chinese_users(api_as: Any, expense: Any) -> None:
    user: Caller = api_as("zhang.wei", locale="zh-CN")
    response = user.post("/api/forms/expense/records", {"data": {"amount": 1}})
    assert response.status_code == 422
    assert response.payload["detail"] == "数据有 1 处问题，请查看错误列表。"
    assert "标题" in response.payload["errors"][0]["message"]


def test_a_draft_skips_required_fields_until_it_is_submitted(api_as: Any, expense: Any) -> None:
    user: Caller = api_as("zhang.wei")
    draft = user.post("/api/forms/expense/records", {"data": {"amount": 5}, "draft": True})
    assert draft.status_code == 201
    assert draft.payload["status"] == "draft"
    assert "no" not in draft.payload["data"]
    record_id = draft.payload["id"]
    early = user.patch(f"/api/records/{record_id}", {"version": 1, "submit": True})
    assert early.status_code == 422
    assert [e["path"] for e in early.payload["errors"]] == ["$.title"]
    submitted = user.patch(
        f"/api/records/{record_id}", {"data": {"title": "Lunch"}, "version": 1, "submit": True}
    )
    assert submitted.status_code == 200
    assert submitted.payload["status"] == "submitted"
    assert submitted.payload["data"]["no"].endswith("-0001")


def test_a_stale_version_is_refused_and_nothing_is_overwritten(api_as: Any, expense: Any) -> None:
    user: Caller = api_as("zhang.wei")
    record = user.post(
        "/api/forms/expense/records", {"data": {"title": "A", "amount": 1}, "draft": True}
    ).payload
    first = user.patch(f"/api/records/{record['id']}", {"data": {"title": "B"}, "version": 1})
    assert first.status_code == 200
    assert first.payload["version"] == 2
    stale = user.patch(f"/api/records/{record['id']}", {"data": {"title": "C"}, "version": 1})
    assert stale.status_code == 409
    assert stale.payload["type"].endswith("stale_version")
    assert user.get(f"/api/records/{record['id']}").payload["data"]["title"] == "B"


def test_the_audit_trail_names_each_change_from_old_to_new(api_as: Any, expense: Any) -> None:
    user: Caller = api_as("zhang.wei")
    record = user.post(
        "/api/forms/expense/records",
        {"data": {"title": "A", "amount": 1, "items": [{"qty": 1, "price": 2}]}, "draft": True},
    ).payload
    user.patch(
        f"/api/records/{record['id']}",
        {"data": {"items": [{"qty": 2, "price": 2}], "amount": None}, "version": 1},
    )
    history = user.get(f"/api/records/{record['id']}/history").payload
    assert [h["action"] for h in history] == ["create", "update"]
    assert history[1]["changes"] == [
        {"path": "$.amount", "old": 1, "new": None},
        {"path": "$.items[0].qty", "old": 1, "new": 2},
        {"path": "$.total", "old": Decimal("2.00"), "new": Decimal("4.00")},
    ]


def test_submitted_documents_marked_immutable_cannot_be_changed(admin_api: Caller) -> None:
    schema = copy.deepcopy(EXPENSE)
    schema["x-immutable"] = True
    create_form(admin_api, schema=schema)
    record = admin_api.post(
        "/api/forms/expense/records", {"data": {"title": "A", "amount": 1}}
    ).payload
    response = admin_api.patch(
        f"/api/records/{record['id']}", {"data": {"title": "B"}, "version": 1}
    )
    assert response.status_code == 409
    assert "cancel and amend" in response.payload["detail"]


def test_another_users_record_answers_404_everywhere(api_as: Any, expense: Any) -> None:
    owner: Caller = api_as("zhang.wei")
    other: Caller = api_as("sun.li")
    record = owner.post(
        "/api/forms/expense/records", {"data": {"title": "Mine", "amount": 1}}
    ).payload
    url = f"/api/records/{record['id']}"
    assert other.get(url).status_code == 404
    assert other.get(url + "/history").status_code == 404
    assert other.patch(url, {"data": {"title": "x"}, "version": 1}).status_code == 404
    assert other.delete(url).status_code == 404
    assert other.get("/api/forms/expense/records").payload["total"] == 0
    assert owner.get("/api/forms/expense/records").payload["total"] == 1


def test_a_user_without_the_create_grant_gets_403(admin_api: Caller, api_as: Any) -> None:
    create_form(admin_api, grants={"role:hr": ["create", "read_all"]})
    user: Caller = api_as("zhang.wei")
    response = user.post("/api/forms/expense/records", {"data": {"title": "A", "amount": 1}})
    assert response.status_code == 403
    hr: Caller = api_as("wang.fang", roles=["hr"])
    assert (
        hr.post("/api/forms/expense/records", {"data": {"title": "A", "amount": 1}}).status_code
        == 201
    )


def test_a_picked_user_must_exist(api_as: Any, expense: Any) -> None:
    user: Caller = api_as("zhang.wei")
    response = user.post(
        "/api/forms/expense/records", {"data": {"title": "A", "amount": 1, "approver": 999}}
    )
    assert response.status_code == 422
    assert response.payload["errors"] == [
        {
            "path": "$.approver",
            "message": "User 999 does not exist or is deactivated.",
            "code": "unknown_user",
        }
    ]


def test_deleting_hides_the_record_but_keeps_its_trail(api_as: Any, expense: Any) -> None:
    user: Caller = api_as("zhang.wei")
    record = user.post(
        "/api/forms/expense/records", {"data": {"title": "A", "amount": 1}, "draft": True}
    ).payload
    assert user.delete(f"/api/records/{record['id']}?version=2").status_code == 409
    assert user.delete(f"/api/records/{record['id']}?version=1").status_code == 204
    assert user.get(f"/api/records/{record['id']}").status_code == 404
    assert user.get("/api/forms/expense/records").payload["total"] == 0


def _seed(caller: Caller) -> list[dict[str, Any]]:
    rows = [
        ("taxi", 12, "travel", "2026-03-01"),
        ("hotel", 480, "travel", "2026-03-02"),
        ("lunch", 35.5, "meal", "2026-03-02"),
        ("paper", 20, "office", "2026-02-27"),
        ("flight", 1250, "travel", "2026-02-20"),
        ("dinner", 35.5, "meal", None),
    ]
    created = []
    for title, amount, category, spent_on in rows:
        data = {"title": title, "amount": amount, "category": category}
        if spent_on:
            data["spent_on"] = spent_on
        created.append(caller.post("/api/forms/expense/records", {"data": data}).payload)
    return created


@pytest.mark.parametrize(
    ("expression", "titles"),
    [
        ("amount > 100", {"hotel", "flight"}),
        ("category = 'meal' and amount >= 35.5", {"lunch", "dinner"}),
        ("category in ['office', 'meal'] or amount = 12", {"taxi", "lunch", "paper", "dinner"}),
        ("not (category = 'travel')", {"lunch", "paper", "dinner"}),
        ("spent_on >= date('2026-03-01')", {"taxi", "hotel", "lunch"}),
        ("spent_on = null", {"dinner"}),
        ("is_empty(spent_on) or amount / 2 > 600", {"dinner", "flight"}),
        ("contains(title, 'in')", {"dinner"}),
        ("starts_with(title, 'h') or ends_with(title, 'ht')", {"hotel", "flight"}),
        ("amount * 2 - 1 = 70", {"lunch", "dinner"}),
    ],
)
def test_filters_select_exactly_the_matching_records(
    admin_api: Caller, expense: Any, expression: str, titles: set[str]
) -> None:
    _seed(admin_api)
    page = admin_api.get("/api/forms/expense/records", query_string={"filter": expression})
    assert page.status_code == 200, page.payload
    assert {r["data"]["title"] for r in page.payload["items"]} == titles
    assert page.payload["total"] == len(titles)


def test_a_filter_with_a_mistake_answers_422_with_its_position(
    admin_api: Caller, expense: Any
) -> None:
    response = admin_api.get("/api/forms/expense/records", query_string={"filter": "amout > 5"})
    assert response.status_code == 422
    diagnostic = response.payload["diagnostics"][0]
    assert (diagnostic["line"], diagnostic["column"]) == (1, 1)
    assert "amount" in diagnostic.get("hint", "") + diagnostic["message"]
    syntax = admin_api.get("/api/forms/expense/records", query_string={"filter": "amount >"})
    assert syntax.status_code == 422
    assert syntax.payload["diagnostics"][0]["column"] >= 8


def test_sorting_by_a_field_pages_through_every_record_once(
    admin_api: Caller, expense: Any
) -> None:
    _seed(admin_api)
    seen: list[str] = []
    cursor = None
    while True:
        query = {"sort": "-amount", "limit": 2}
        if cursor:
            query["cursor"] = cursor
        page = admin_api.get("/api/forms/expense/records", query_string=query).payload
        seen.extend(r["data"]["title"] for r in page["items"])
        cursor = page["next"]
        if cursor is None:
            break
    assert seen[:2] == ["flight", "hotel"]
    assert seen[-1] == "taxi"
    assert sorted(seen) == sorted(["taxi", "hotel", "lunch", "paper", "flight", "dinner"])


def test_sorting_by_an_unknown_key_is_refused(admin_api: Caller, expense: Any) -> None:
    response = admin_api.get("/api/forms/expense/records", query_string={"sort": "password"})
    assert response.status_code == 400
    assert "amount" in response.payload["detail"]


def test_a_filter_can_name_the_reader_as_current_user(admin_api: Caller) -> None:
    create_form(admin_api)
    me = admin_api.get("/api/me").payload["id"]
    admin_api.post(
        "/api/forms/expense/records", {"data": {"title": "mine", "amount": 1, "approver": me}}
    )
    admin_api.post("/api/forms/expense/records", {"data": {"title": "other", "amount": 2}})
    page = admin_api.get(
        "/api/forms/expense/records", query_string={"filter": "approver = current_user"}
    )
    assert page.status_code == 200, page.payload
    assert [r["data"]["title"] for r in page.payload["items"]] == ["mine"]
