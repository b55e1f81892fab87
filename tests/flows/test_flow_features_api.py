"""Through the API: fields only the flow fills, fields required at a step, hidden fields that
never leak, audiences of departments, and record readers as data (x-readers)."""

from __future__ import annotations

from typing import Any

import pytest

from formflow.services import org
from formflow.services.actor import SYSTEM

CLAIM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "amount": {"x-type": "money"},
        "bank_account": {"type": "string"},
        "paid_on": {"x-type": "date"},
        "voucher_no": {"type": "string"},
        "lines": {
            "x-type": "subtable",
            "items": {"properties": {"item": {"type": "string"}, "secret": {"type": "string"}}},
        },
    },
    "required": ["title", "amount"],
    "x-display": "title",
    "x-flow-only": ["paid_on", "voucher_no"],
}
CLAIM_FLOW = """
flow claim_flow on claim {
  on reject return to initiator
  step manager { approve by manager(initiator) hide bank_account, lines.secret }
  step pay {
    task by role(cashier)
    edit paid_on, voucher_no
    require paid_on, voucher_no
  }
}
"""
NOTICE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "audience": {
            "x-options": [{"value": "all", "label": "全员"}, {"value": "some", "label": "部分"}]
        },
        "targets": {
            "x-type": "subtable",
            "items": {"properties": {"department": {"x-type": "department"}}},
        },
        "extra_readers": {"x-type": "users"},
        "roles": {"x-type": "multiselect", "x-options": [{"value": "legal", "label": "法务"}]},
    },
    "required": ["title", "audience"],
    "x-display": "title",
    "x-readers": {
        "fields": ["targets.department", "extra_readers", "roles"],
        "everyone_if": "audience = 'all'",
    },
}


def _form(world: Any, key: str, schema: dict[str, Any], **extra: Any) -> None:
    body = {"key": key, "title": key, "schema": schema, **extra}
    response = world.admin.post("/api/forms", body)
    assert response.status_code == 201, response.payload


@pytest.fixture
def claims(world: Any) -> Any:
    _form(world, "claim", CLAIM)
    world.publish(CLAIM_FLOW)
    return world


def _claim(world: Any, **data: Any) -> Any:
    body = {"title": "差旅", "amount": 300, "bank_account": "6222000011112222", **data}
    return world.callers["zhang"].post("/api/forms/claim/records", {"data": body})


def test_the_initiator_cannot_fill_in_fields_only_the_flow_fills(claims: Any) -> None:
    response = _claim(claims, paid_on="2026-01-05", voucher_no="V1")
    assert response.status_code == 422
    assert [(e["path"], e["code"]) for e in response.payload["errors"]] == [
        ("$.paid_on", "flow_only"),
        ("$.voucher_no", "flow_only"),
    ]
    listed = claims.admin.get("/api/forms/claim/records").payload
    assert listed["total"] == 0


def test_a_draft_cannot_carry_flow_only_values_either(claims: Any) -> None:
    response = claims.callers["zhang"].post(
        "/api/forms/claim/records", {"data": {"title": "x", "voucher_no": "V"}, "draft": True}
    )
    assert response.status_code == 422
    assert response.payload["errors"][0]["path"] == "$.voucher_no"


def test_a_step_with_required_fields_cannot_be_completed_without_them(claims: Any) -> None:
    record = _claim(claims).payload
    claims.act("li", claims.task_of("li", record["id"]), "approve")
    task = claims.task_of("sun", record["id"])
    refused = claims.act("sun", task, "complete")
    assert refused.status_code == 422
    assert [e["path"] for e in refused.payload["errors"]] == ["$.paid_on", "$.voucher_no"]
    assert claims.record(record["id"])["status"] == "in_progress"
    current = claims.record(record["id"])
    done = claims.act(
        "sun",
        task,
        "complete",
        {"data": {"paid_on": "2026-01-06", "voucher_no": "V-9"}, "version": current["version"]},
    )
    assert done.status_code == 200, done.payload
    final = claims.record(record["id"])
    assert final["status"] == "approved"
    assert final["data"]["voucher_no"] == "V-9"


def test_rejecting_is_never_blocked_by_required_fields(claims: Any) -> None:
    record = _claim(claims).payload
    claims.act("li", claims.task_of("li", record["id"]), "approve")
    task = claims.task_of("sun", record["id"])
    response = claims.act("sun", task, "return", {"target": "initiator", "comment": "发票缺失"})
    assert response.status_code == 200, response.payload


def test_a_returned_request_cannot_be_corrected_into_flow_only_fields(claims: Any) -> None:
    record = _claim(claims).payload
    claims.act("li", claims.task_of("li", record["id"]), "return", {"target": "initiator"})
    task = claims.task_of("zhang", record["id"])
    current = claims.record(record["id"])
    response = claims.act(
        "zhang",
        task,
        "resubmit",
        {"data": {"voucher_no": "V-1"}, "version": current["version"]},
    )
    assert response.status_code == 409
    assert "voucher_no" in response.payload["detail"]


def test_fields_hidden_at_a_step_never_reach_its_approver(claims: Any) -> None:
    lines = [{"item": "车票", "secret": "内部"}]
    record = _claim(claims, lines=lines).payload
    record_id = record["id"]
    li = claims.callers["li"]
    for _round in range(2):  # before and after the manager acted
        seen = li.get(f"/api/records/{record_id}")
        assert seen.status_code == 200
        assert "bank_account" not in seen.payload["data"]
        assert seen.payload["data"]["lines"] == [{"item": "车票"}]
        history = li.get(f"/api/records/{record_id}/history").payload
        paths = [change["path"] for entry in history for change in entry["changes"]]
        assert "$.title" in paths
        assert not [p for p in paths if "bank_account" in p or "secret" in p]
        if _round == 0:
            claims.act("li", claims.task_of("li", record_id), "approve")
    owner = claims.callers["zhang"].get(f"/api/records/{record_id}").payload
    assert owner["data"]["bank_account"] == "6222000011112222"
    cashier = claims.callers["sun"].get(f"/api/records/{record_id}").payload
    assert cashier["data"]["bank_account"] == "6222000011112222"  # the pay step hides nothing


def test_hidden_fields_are_left_out_of_lists_and_record_pages(claims: Any, app: Any) -> None:
    record_id = _claim(claims).payload["id"]
    # li reads the record only as its manager: a participant
    page = claims.callers["li"].get("/api/forms/claim/records?total=true").payload
    (item,) = page["items"]
    assert item["id"] == record_id
    assert "bank_account" not in item["data"]
    assert item["data"]["title"] == "差旅"


def test_members_of_departments_get_a_task_each(world: Any) -> None:
    _form(
        world,
        "memo",
        {
            "type": "object",
            "properties": {"title": {"type": "string"}, "depts": {"x-type": "departments"}},
        },
    )
    world.publish("flow memo_flow on memo { step read { task by members(field(depts)) } }")
    record = world.submit(
        "wang", {"title": "新制度", "depts": [world.departments["财务部"]]}, "memo"
    )
    assert sorted(t["task"]["step"] for t in world.open_tasks("zhao")) == ["read"]
    assert sorted(t["task"]["step"] for t in world.open_tasks("sun")) == ["read"]
    assert world.open_tasks("zhang") == []
    world.act("zhao", world.task_of("zhao", record["id"]), "complete")
    world.act("sun", world.task_of("sun", record["id"]), "complete")
    assert world.record(record["id"])["status"] == "approved"


def _notice(world: Any, **data: Any) -> Any:
    body = {"title": "通知", "audience": "some", **data}
    return world.submit("wang", body, "notice")


@pytest.fixture
def notices(world: Any) -> Any:
    _form(world, "notice", NOTICE, grants={"everyone": ["create", "read_own"]})
    return world


def test_a_notice_is_read_by_the_departments_it_targets_and_nobody_else(notices: Any) -> None:
    sales = notices.departments["销售部"]
    record = _notice(notices, targets=[{"department": sales}])
    for username, status in [("zhang", 200), ("li", 200), ("sun", 404), ("stranger", 404)]:
        response = notices.callers[username].get(f"/api/records/{record['id']}")
        assert response.status_code == status, username
    zhang = notices.callers["zhang"].get("/api/forms/notice/records?total=true").payload
    assert [item["id"] for item in zhang["items"]] == [record["id"]]
    assert zhang["total"] == 1
    sun = notices.callers["sun"].get("/api/forms/notice/records?total=true").payload
    assert sun == {"items": [], "total": 0, "next": None}


def test_a_department_reads_the_notices_of_the_departments_above_it_targets(
    notices: Any,
) -> None:
    record = _notice(notices, targets=[{"department": notices.departments["总公司"]}])
    assert notices.callers["sun"].get(f"/api/records/{record['id']}").status_code == 200
    assert notices.callers["stranger"].get(f"/api/records/{record['id']}").status_code == 404


def test_people_roles_and_everyone_are_readers_too(notices: Any) -> None:
    by_user = _notice(notices, extra_readers=[notices.ids["stranger"]])
    by_role = _notice(notices, roles=["legal"])
    for_all = _notice(notices, audience="all")
    stranger = notices.callers["stranger"]
    assert stranger.get(f"/api/records/{by_user['id']}").status_code == 200
    assert stranger.get(f"/api/records/{by_role['id']}").status_code == 404
    assert notices.callers["zhou"].get(f"/api/records/{by_role['id']}").status_code == 200
    assert stranger.get(f"/api/records/{for_all['id']}").status_code == 200
    listed = stranger.get("/api/forms/notice/records?total=true").payload
    assert sorted(item["id"] for item in listed["items"]) == sorted([by_user["id"], for_all["id"]])


def test_moving_a_user_to_another_department_changes_what_they_read_at_once(
    notices: Any,
) -> None:
    record = _notice(notices, targets=[{"department": notices.departments["销售部"]}])
    sun = notices.callers["sun"]
    assert sun.get(f"/api/records/{record['id']}").status_code == 404
    with notices.database.session(write=True) as session:
        org.update_user(
            session, SYSTEM, notices.ids["sun"], {"department_id": notices.departments["销售部"]}
        )
    assert sun.get(f"/api/records/{record['id']}").status_code == 200
    assert sun.get("/api/forms/notice/records").payload["items"][0]["id"] == record["id"]


def test_changing_the_audience_of_a_record_changes_its_readers(notices: Any) -> None:
    record = _notice(notices, targets=[{"department": notices.departments["销售部"]}])
    admin = notices.admin
    changed = admin.patch(
        f"/api/records/{record['id']}",
        {
            "data": {"targets": [{"department": notices.departments["财务部"]}]},
            "version": record["version"],
        },
    )
    assert changed.status_code == 200, changed.payload
    assert notices.callers["zhang"].get(f"/api/records/{record['id']}").status_code == 404
    assert notices.callers["sun"].get(f"/api/records/{record['id']}").status_code == 200


def test_removing_x_readers_from_the_form_revokes_what_it_granted(notices: Any) -> None:
    record = _notice(notices, audience="all")
    assert notices.callers["stranger"].get(f"/api/records/{record['id']}").status_code == 200
    schema = {key: value for key, value in NOTICE.items() if key != "x-readers"}
    response = notices.admin.put("/api/forms/notice", {"title": "notice", "schema": schema})
    assert response.status_code == 200, response.payload
    assert notices.callers["stranger"].get(f"/api/records/{record['id']}").status_code == 404


def test_a_list_shows_own_records_whole_and_others_without_their_hidden_fields(
    claims: Any,
) -> None:
    theirs = _claim(claims).payload["id"]
    body = {"title": "我的", "amount": 100, "bank_account": "6222111122223333"}
    mine = claims.callers["li"].post("/api/forms/claim/records", {"data": body}).payload["id"]
    page = claims.callers["li"].get("/api/forms/claim/records?sort=id").payload
    shown = {item["id"]: item["data"] for item in page["items"]}
    assert set(shown) == {theirs, mine}
    assert "bank_account" not in shown[theirs]
    assert shown[mine]["bank_account"] == "6222111122223333"


@pytest.mark.parametrize(
    ("filter_text", "titles"),
    [
        ("{li} in readers", ["a", "c"]),
        ("contains(readers, {sun})", ["b", "c"]),
        ("is_empty(readers)", ["d"]),
        ("len(readers) = 2", ["c"]),
        ("{sales} in depts", ["a"]),
    ],
)
def test_lists_filter_on_people_and_departments_picked_in_a_field(
    world: Any, filter_text: str, titles: list[str]
) -> None:
    _form(
        world,
        "memo",
        {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "readers": {"x-type": "users"},
                "depts": {"x-type": "departments"},
            },
            "x-display": "title",
        },
    )
    ids, sales = world.ids, world.departments["销售部"]
    for title, readers, depts in [
        ("a", [ids["li"]], [sales]),
        ("b", [ids["sun"]], []),
        ("c", [ids["sun"], ids["li"]], []),
        ("d", [], []),
    ]:
        world.submit("zhang", {"title": title, "readers": readers, "depts": depts}, "memo")
    text = filter_text.format(li=ids["li"], sun=ids["sun"], sales=sales)
    response = world.admin.get("/api/forms/memo/records", query_string={"filter": text})
    assert response.status_code == 200, response.payload
    assert sorted(item["data"]["title"] for item in response.payload["items"]) == titles


def test_publishing_x_readers_gives_existing_records_their_readers(world: Any) -> None:
    schema = {key: value for key, value in NOTICE.items() if key != "x-readers"}
    _form(world, "notice", schema, grants={"everyone": ["create", "read_own"]})
    sales = world.departments["销售部"]
    record = world.submit(
        "wang",
        {"title": "旧通知", "audience": "some", "targets": [{"department": sales}]},
        "notice",
    )
    zhang = world.callers["zhang"]
    assert zhang.get(f"/api/records/{record['id']}").status_code == 404
    response = world.admin.put("/api/forms/notice", {"title": "notice", "schema": NOTICE})
    assert response.status_code == 200, response.payload
    assert zhang.get(f"/api/records/{record['id']}").status_code == 200
    assert world.callers["sun"].get(f"/api/records/{record['id']}").status_code == 404
