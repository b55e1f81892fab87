"""Rules over many records: rollups kept current, aggregate constraints checked under
concurrency — through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import threading
from decimal import Decimal
from typing import Any

import pytest

from harness import Caller

CONTRACT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"en": "Title", "zh-CN": "标题"}},
        "amount": {"type": "number", "x-type": "money"},
    },
    "required": ["title", "amount"],
}
PAYMENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "contract": {"type": "integer", "x-type": "link", "x-link": {"form": "contract"}},
        "amount": {"type": "number", "x-type": "money"},
        "kind": {"type": "string", "enum": ["payment", "refund"], "x-type": "select"},
    },
    "required": ["contract", "amount"],
}
LEDGER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "item": {"type": "string"},
        "warehouse": {"type": "string"},
        "qty": {"type": "number"},
    },
    "required": ["item", "warehouse", "qty"],
    "x-aggregate-constraints": [
        {
            "key": "no_negative_stock",
            "group_by": ["item", "warehouse"],
            "check": "sum(qty) >= 0",
            "message": {"en": "Stock may not go negative.", "zh-CN": "库存不能为负。"},
        }
    ],
}


def _with_rollup() -> dict[str, Any]:
    schema = copy.deepcopy(CONTRACT)
    schema["properties"]["collected"] = {
        "type": "number",
        "x-type": "rollup",
        "x-rollup": {
            "form": "payment",
            "link": "contract",
            "aggregate": "sum",
            "field": "amount",
            "where": "coalesce(kind, 'payment') != 'refund'",
        },
    }
    schema["properties"]["payments"] = {
        "type": "integer",
        "x-type": "rollup",
        "x-rollup": {"form": "payment", "link": "contract", "aggregate": "count"},
    }
    schema["properties"]["outstanding"] = {
        "type": "number",
        "x-type": "money",
        "x-formula": "amount - coalesce(collected, 0)",
    }
    schema["x-status-rules"] = [
        {"when": "coalesce(collected, 0) >= amount", "status": "collected"},
        {"status": "open"},
    ]
    return schema


@pytest.fixture
def contracts(admin_api: Caller) -> Caller:
    for key, schema in (("contract", CONTRACT), ("payment", PAYMENT)):
        created = admin_api.post("/api/forms", {"key": key, "title": key, "schema": schema})
        assert created.status_code == 201, created.payload
    published = admin_api.put("/api/forms/contract", {"schema": _with_rollup()})
    assert published.status_code == 200, published.payload
    return admin_api


def _contract(api: Caller, record_id: int) -> dict[str, Any]:
    payload: dict[str, Any] = api.get(f"/api/records/{record_id}").payload
    return payload


def test_a_rollup_follows_every_change_of_the_linked_records(contracts: Caller) -> None:
    api = contracts
    first = api.post(
        "/api/forms/contract/records", {"data": {"title": "A", "amount": 1000}}
    ).payload["id"]
    second = api.post(
        "/api/forms/contract/records", {"data": {"title": "B", "amount": 50}}
    ).payload["id"]
    pay = api.post(
        "/api/forms/payment/records", {"data": {"contract": first, "amount": 300.10}}
    ).payload
    api.post("/api/forms/payment/records", {"data": {"contract": first, "amount": 0.2}})
    api.post(
        "/api/forms/payment/records", {"data": {"contract": first, "amount": 999, "kind": "refund"}}
    )
    api.post(
        "/api/forms/payment/records", {"data": {"contract": first, "amount": 5}, "draft": True}
    )
    record = _contract(api, first)
    assert record["data"]["collected"] == Decimal("300.30")
    assert record["data"]["payments"] == 3
    assert record["data"]["outstanding"] == Decimal("699.70")
    assert record["derived_status"] == "open"
    moved = api.patch(
        f"/api/records/{pay['id']}", {"data": {"contract": second}, "version": pay["version"]}
    )
    assert moved.status_code == 200, moved.payload
    assert _contract(api, first)["data"]["collected"] == Decimal("0.20")
    assert _contract(api, second)["data"]["collected"] == Decimal("300.10")
    assert _contract(api, second)["derived_status"] == "collected"
    assert api.delete(f"/api/records/{pay['id']}").status_code == 204
    assert _contract(api, second)["data"]["collected"] == Decimal("0")
    actions = [h["action"] for h in api.get(f"/api/records/{second}/history").payload]
    assert actions.count("rollup") == 2


@pytest.fixture
def ledger(admin_api: Caller) -> Caller:
    created = admin_api.post("/api/forms", {"key": "stock", "title": "Stock", "schema": LEDGER})
    assert created.status_code == 201, created.payload
    return admin_api


def test_stock_may_not_go_negative_and_a_refused_entry_leaves_nothing(ledger: Caller) -> None:
    post = lambda qty, warehouse="A": ledger.post(  # noqa: E731
        "/api/forms/stock/records", {"data": {"item": "bolt", "warehouse": warehouse, "qty": qty}}
    )
    assert post(10).status_code == 201
    assert post(-4).status_code == 201
    refused = post(-7)
    assert refused.status_code == 422
    assert refused.payload["errors"][0]["message"] == "Stock may not go negative."
    assert post(5, "B").status_code == 201
    assert ledger.get("/api/forms/stock/records").payload["total"] == 3


def test_two_concurrent_withdrawals_cannot_both_take_the_last_stock(
    ledger: Caller, app: Any
) -> None:
    assert (
        ledger.post(
            "/api/forms/stock/records", {"data": {"item": "nut", "warehouse": "A", "qty": 10}}
        ).status_code
        == 201
    )
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def take() -> None:
        caller = Caller(app.test_client(), token=ledger.token)
        barrier.wait()
        response = caller.post(
            "/api/forms/stock/records", {"data": {"item": "nut", "warehouse": "A", "qty": -6}}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=take) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 422]
    total = ledger.get("/api/forms/stock/records").payload["total"]
    assert total == 2
