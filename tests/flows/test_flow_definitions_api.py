"""Flow definitions through the API: check, publish, versions, dry runs, who may do what."""

from __future__ import annotations

from typing import Any

import pytest

CLAIM = """
flow expense_claim "费用报销" on expense {
  step manager "主管审批" { approve by manager(initiator) }
  if amount > 5000 { step cfo "财务总监" { approve by role(cfo) } }
  step cashier "出纳付款" { task by role(cashier) }
  end paid
}
"""
CLAIM_V2 = CLAIM.replace("amount > 5000", "amount > 1000")
BROKEN = """
flow expense_claim on expense {
  step manager { approve by manager(initiator) }
  if amout > 5000 { step cfo { approve by role(cfo) } }
}
"""


def test_a_published_flow_has_version_one_with_its_graph(world: Any) -> None:
    flow = world.publish(CLAIM)
    assert (flow["key"], flow["form"], flow["version"], flow["title"]) == (
        "expense_claim",
        "expense",
        1,
        "费用报销",
    )
    node_ids = {node["id"] for node in flow["spec"]["nodes"]}
    assert {"manager", "cfo", "cashier"} <= node_ids
    assert any(edge["target"] == "cfo" for edge in flow["spec"]["edges"])
    assert flow["versions"] == [
        {
            "version": 1,
            "created_at": flow["versions"][0]["created_at"],
            "created_by": world.ids["admin"],
            "note": None,
            "running": 0,
            "total": 0,
        }
    ]
    assert [w["code"] for w in flow["warnings"]] == ["no_manager"]
    listed = world["zhang"].get("/api/flows").payload
    assert [(f["key"], f["version"]) for f in listed] == [("expense_claim", 1)]


def test_a_broken_flow_is_refused_with_every_diagnostic_and_nothing_is_stored(
    world: Any,
) -> None:
    response = world.admin.post("/api/flows", {"source": BROKEN})
    assert response.status_code == 422
    problem = response.payload
    codes = {d["code"] for d in problem["diagnostics"]}
    assert "unknown_field" in codes
    unknown = next(d for d in problem["diagnostics"] if d["code"] == "unknown_field")
    assert (unknown["line"], unknown["column"]) == (4, 6)
    assert "amount" in unknown.get("hint", "") + unknown["message"]
    assert world.admin.get("/api/flows").payload == []
    assert world.admin.get("/api/flows/expense_claim").status_code == 404


def test_check_lists_problems_with_a_caret_and_stores_nothing(world: Any) -> None:
    response = world.admin.post("/api/flows/check", {"source": BROKEN, "form": "expense"})
    assert response.status_code == 200
    assert response.payload["valid"] is False
    first = response.payload["diagnostics"][0]
    assert first["excerpt"].splitlines()[1].endswith("^")
    good = world.admin.post("/api/flows/check", {"source": CLAIM, "form": "expense"})
    assert good.payload["valid"] is True
    # the top of the company has no manager: a warning naming who is affected
    (warning,) = good.payload["diagnostics"]
    assert (warning["severity"], warning["code"]) == ("warning", "no_manager")
    assert "王五" in warning["message"]
    assert world.admin.get("/api/flows").payload == []


def test_check_reports_a_flow_bound_to_another_form(world: Any) -> None:
    response = world.admin.post("/api/flows/check", {"source": CLAIM, "form": "customer"})
    assert response.payload["valid"] is False
    errors = [d["code"] for d in response.payload["diagnostics"] if d["severity"] == "error"]
    assert errors == ["other_form"]


def test_check_messages_are_translated_for_chinese_designers(world: Any) -> None:
    world.admin.locale = "zh-CN"
    response = world.admin.post("/api/flows/check", {"source": BROKEN})
    unknown = next(d for d in response.payload["diagnostics"] if d["code"] == "unknown_field")
    assert "amout" in unknown["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in unknown["message"])


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/api/flows", {"source": CLAIM}),
        ("POST", "/api/flows/check", {"source": CLAIM}),
        ("PUT", "/api/flows/expense_claim", {"source": CLAIM_V2}),
        ("POST", "/api/automations", {"source": "automation a on customer { when created }"}),
    ],
)
def test_only_designers_and_admins_change_flows(
    world: Any, method: str, url: str, body: Any
) -> None:
    world.publish(CLAIM)
    response = world["zhang"].request(method, url, json=body)
    assert response.status_code == 403
    assert world.admin.get("/api/flows/expense_claim").payload["version"] == 1


def test_a_new_version_leaves_running_requests_on_theirs(world: Any) -> None:
    world.publish(CLAIM)
    first = world.submit("zhang", {"title": "Trip", "amount": 3000})
    published = world.admin.put(
        "/api/flows/expense_claim", {"source": CLAIM_V2, "note": "lower CFO limit"}
    )
    assert published.status_code == 200, published.payload
    assert published.payload["version"] == 2
    second = world.submit("zhang", {"title": "Hotel", "amount": 3000})
    for record, version in ((first, 1), (second, 2)):
        instance = world.instance_of(record["id"])
        assert instance["flow"]["version"] == version
    # v1 skips the CFO for 3000 after the manager; v2 asks the CFO
    world.act("li", world.task_of("li", first["id"]), "approve")
    world.act("li", world.task_of("li", second["id"]), "approve")
    assert [i["record"]["id"] for i in world.open_tasks("zhao")] == [second["id"]]
    assert [i["record"]["id"] for i in world.open_tasks("sun")] == [first["id"]]
    versions = world.admin.get("/api/flows/expense_claim").payload["versions"]
    assert [(v["version"], v["running"], v["total"], v["note"]) for v in versions] == [
        (1, 1, 1, None),
        (2, 1, 1, "lower CFO limit"),
    ]


def test_a_new_version_cannot_move_the_flow_to_another_form(world: Any) -> None:
    world.publish(CLAIM)
    moved = CLAIM.replace("on expense", "on customer").replace("amount > 5000", "true")
    response = world.admin.put("/api/flows/expense_claim", {"source": moved})
    assert response.status_code == 409
    assert "expense" in response.payload["detail"]


def test_a_form_starts_one_flow_and_keys_are_unique(world: Any) -> None:
    world.publish(CLAIM)
    again = world.admin.post("/api/flows", {"source": CLAIM})
    assert again.status_code == 409
    other = world.admin.post("/api/flows", {"source": CLAIM.replace("expense_claim", "other")})
    assert other.status_code == 409
    assert "expense_claim" in other.payload["detail"]


def test_a_dry_run_shows_path_people_and_reasons_and_writes_nothing(world: Any) -> None:
    world.publish(CLAIM)
    response = world["zhang"].post(
        "/api/flows/expense_claim/simulate",
        {"data": {"title": "Laptop", "amount": 9000}, "initiator": "zhang"},
    )
    assert response.status_code == 200, response.payload
    result = response.payload
    assert result["status"] == "paid"
    assert result["path"] == ["manager", "cfo", "cashier"]
    assert result["approvers"] == {"manager": ["李四"], "cfo": ["赵六"], "cashier": ["孙七"]}
    manager = result["steps"][0]
    assert manager["names"] == ["李四"] and "李四" in manager["why"][0]
    assert world.admin.get("/api/forms/expense/records").payload["total"] == 0
    assert world.open_tasks("li") == []


def test_a_dry_run_follows_a_rejection(world: Any) -> None:
    world.publish(CLAIM)
    response = world.admin.post(
        "/api/flows/expense_claim/simulate",
        {
            "data": {"amount": 9000},
            "initiator": world.ids["zhang"],
            "decisions": {"cfo": "reject"},
        },
    )
    assert response.payload["status"] == "rejected"
    assert response.payload["path"] == ["manager", "cfo"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"data": {"amount": 1}, "initiator": "nobody"}, 400),
        ({"data": {"amount": "lots"}, "initiator": "zhang"}, 422),
        ({"data": {}, "initiator": "zhang", "decisions": {"cfo": "maybe"}}, 400),
    ],
)
def test_a_dry_run_with_bad_input_explains_what_is_wrong(
    world: Any, body: Any, status: int
) -> None:
    world.publish(CLAIM)
    response = world.admin.post("/api/flows/expense_claim/simulate", body)
    assert response.status_code == status
    assert response.payload["detail"]
