"""A small company for the flow service tests, built through the services and the API.

The org::

    总公司 (head wang)
    ├── 销售部 (head li):   zhang, li, chen
    └── 财务部 (head zhao): zhao (cfo, finance), sun (cashier, finance)
    zhou (legal), stranger (no department)

Forms: ``expense`` (the flows run on it), ``payment`` (created by flows: amount and payee
required), ``customer`` (for automations). Every user is a ``Caller`` (tests/conftest.py)
with a token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from formflow.services import auth, org
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database

EXPENSE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": 80},
        "amount": {"type": "number", "x-type": "money"},
        "reason": {"type": "string"},
        "bank_account": {"type": "string"},
        "approval_note": {"type": "string"},
        "paid_on": {"type": "string", "format": "date"},
        "voucher_no": {"type": "string"},
        "status_text": {"type": "string"},
        "reviewer": {"type": "integer", "x-type": "user"},
        "customer": {
            "type": "integer",
            "x-type": "link",
            "x-link": {"form": "customer", "display": "name"},
        },
        "items": {
            "type": "array",
            "x-type": "subtable",
            "items": {
                "type": "object",
                "properties": {"amount": {"type": "number"}, "note": {"type": "string"}},
            },
        },
    },
    "required": ["title", "amount"],
    "x-display": "title",
}
PAYMENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "x-type": "money"},
        "payee": {"type": "integer", "x-type": "user"},
        "memo": {"type": "string", "maxLength": 10},
    },
    "required": ["amount", "payee"],
}
CUSTOMER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "owner": {"type": "integer", "x-type": "user"},
        "stage": {"type": "string"},
        "last_contact": {"type": "string", "format": "date"},
        "touches": {"type": "integer"},
        "due_on": {"type": "string", "format": "date"},
    },
    "required": ["name"],
    "x-display": "name",
}


@dataclass
class World:
    """The company: callers by username, user ids, and the admin."""

    database: Database
    admin: Any
    callers: dict[str, Any]
    ids: dict[str, int]
    departments: dict[str, int]

    def __getitem__(self, username: str) -> Any:
        return self.callers[username]

    def publish(self, source: str, **extra: Any) -> Any:
        response = self.admin.post("/api/flows", {"source": source, **extra})
        assert response.status_code == 201, response.payload
        return response.payload

    def submit(
        self, username: str, data: dict[str, Any], form: str = "expense", **extra: Any
    ) -> Any:
        response = self.callers[username].post(
            f"/api/forms/{form}/records", {"data": data, **extra}
        )
        assert response.status_code == 201, response.payload
        return response.payload

    def instance_of(self, record_id: int, username: str = "admin") -> Any:
        caller = self.admin if username == "admin" else self.callers[username]
        response = caller.get(f"/api/instances?record={record_id}")
        assert response.status_code == 200, response.payload
        return response.payload[0]

    def open_tasks(self, username: str) -> list[Any]:
        response = self.callers[username].get("/api/tasks")
        assert response.status_code == 200, response.payload
        return list(response.payload["items"])

    def task_of(self, username: str, record_id: int) -> int:
        for item in self.open_tasks(username):
            if item["record"]["id"] == record_id:
                return int(item["task"]["id"])
        raise AssertionError(f"{username} has no open task for record {record_id}")

    def act(self, username: str, task_id: int, action: str, body: Any = None) -> Any:
        return self.callers[username].post(f"/api/tasks/{task_id}/{action}", body or {})

    def record(self, record_id: int) -> Any:
        return self.admin.get(f"/api/records/{record_id}").payload


def _user(session: Any, username: str, name: str, **values: Any) -> int:
    user = org.create_user(session, SYSTEM, username=username, display_name=name, **values)
    return user.id


@pytest.fixture
def world(database: Database, app: Any, admin_api: Any) -> World:
    ids: dict[str, int] = {}
    depts: dict[str, int] = {}
    with database.session(write=True) as session:
        for username, name in [
            ("wang", "王五"),
            ("li", "李四"),
            ("zhao", "赵六"),
            ("zhang", "张三"),
            ("chen", "陈一"),
            ("sun", "孙七"),
            ("zhou", "周八"),
            ("stranger", "路人"),
        ]:
            ids[username] = _user(session, username, name)
        top = org.create_department(session, SYSTEM, name="总公司", head_id=ids["wang"])
        sales = org.create_department(
            session, SYSTEM, name="销售部", parent_id=top.id, head_id=ids["li"]
        )
        finance = org.create_department(
            session, SYSTEM, name="财务部", parent_id=top.id, head_id=ids["zhao"]
        )
        depts.update({"总公司": top.id, "销售部": sales.id, "财务部": finance.id})
        placement = {
            "wang": top.id,
            "li": sales.id,
            "zhang": sales.id,
            "chen": sales.id,
            "zhao": finance.id,
            "sun": finance.id,
            "zhou": top.id,
        }
        for username, dept in placement.items():
            org.update_user(session, SYSTEM, ids[username], {"department_id": dept})
        for key, members in {
            "cfo": ["zhao"],
            "finance": ["zhao", "sun"],
            "cashier": ["sun"],
            "legal": ["zhou"],
        }.items():
            org.ensure_role(session, SYSTEM, key, key)
            for username in members:
                org.assign_role(session, SYSTEM, key, ids[username])
        tokens = {
            username: auth.create_token(session, SYSTEM, org.find_user(session, username), name="t")
            for username in ids
        }
    caller = type(admin_api)  # the Caller of tests/conftest.py
    callers = {
        username: caller(app.test_client(), token=token) for username, token in tokens.items()
    }
    with database.session() as session:
        ids["admin"] = org.find_user(session, "admin").id
    for key, schema in {"customer": CUSTOMER, "expense": EXPENSE, "payment": PAYMENT}.items():
        body = {"key": key, "title": {"zh-CN": key, "en": key}, "schema": schema}
        if key == "customer":  # a master: owners keep it up to date
            body["grants"] = {"everyone": ["create", "read_own", "update"]}
        response = admin_api.post("/api/forms", body)
        assert response.status_code == 201, response.payload
    return World(database, admin_api, callers, ids, depts)


@pytest.fixture
def run_threads() -> Callable[..., list[Any]]:
    """Run callables at (nearly) the same moment in threads; returns their results in order."""
    import threading

    def runner(*jobs: Callable[[], Any]) -> list[Any]:
        barrier = threading.Barrier(len(jobs))
        results: list[Any] = [None] * len(jobs)

        def run(index: int, job: Callable[[], Any]) -> None:
            barrier.wait()
            try:
                results[index] = job()
            except Exception as error:  # the test inspects it
                results[index] = error

        threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return results

    return runner
