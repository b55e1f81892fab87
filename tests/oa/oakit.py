"""The demo company at work through the API: people, requests, and walking a request through
its flow while checking who is asked at each step.

``Office`` holds an API client per demo user (``office["li.na"]``) and the steps every OA test
repeats: submit a request, see who it waits for, find a task in someone's inbox, act on it.
The data builders (``leave``, ``expense`` ...) return valid data for each OA form with the one
or two values a test varies as parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import Flask

from formflow.services import auth, org
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database
from harness import Caller

DEMO_PASSWORD = "demo-password-for-tests"
#: Steps at which every person asked confirms for themselves (a policy's "确认已阅").
EACH_CONFIRMS = frozenset({"acknowledge", "acknowledge_all"})
DEMO_USERS = (
    "admin",
    "liu.yang",
    "li.na",
    "zhang.wei",
    "sun.li",
    "wang.fang",
    "zhou.min",
    "chen.jing",
    "zhao.lei",
    "wu.gang",
)
DEPARTMENTS = ("gm_office", "sales", "hr_admin", "finance", "tech")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

#: What the people at task steps record when they complete them (payment, seal use ...);
#: ``Office.decide`` fills in those a step makes editable unless the test sends its own.
TASK_VALUES: dict[str, Any] = {
    "payment_method": "bank_transfer",
    "paid_on": "2026-12-01",
    "voucher_no": "记-0301",
    "used_at": "2026-12-01T02:00:00Z",
    "returned_at": "2026-12-08T07:30:00Z",
    "advance_paid_on": "2026-12-04",
    "advance_voucher_no": "记-0302",
}

#: Who is asked, per step, while a request waits: ``{"manager": {"li.na"}}``.
Asked = dict[str, set[str]]


@dataclass
class Office:
    """The demo company's people with an API client each, and the OA requests they file."""

    database: Database
    callers: dict[str, Caller]
    ids: dict[str, int]
    departments: dict[str, int]
    usernames: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.usernames = {user_id: name for name, user_id in self.ids.items()}

    def __getitem__(self, username: str) -> Caller:
        return self.callers[username]

    # -- requests -------------------------------------------------------------------------

    def post_request(self, username: str, form: str, data: Mapping[str, Any]) -> Any:
        """POST a record of ``oa.<form>`` as ``username``; returns the response."""
        return self.callers[username].post(f"/api/forms/oa.{form}/records", {"data": data})

    def submit(self, username: str, form: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Submit a request (the flow starts); returns the created record."""
        response = self.post_request(username, form, data)
        assert response.status_code == 201, response.payload
        assert response.payload["status"] == "in_progress", response.payload
        record: dict[str, Any] = response.payload
        return record

    def record(self, record_id: int) -> dict[str, Any]:
        """The record as the admin reads it."""
        response = self.callers["admin"].get(f"/api/records/{record_id}")
        assert response.status_code == 200, response.payload
        payload: dict[str, Any] = response.payload
        return payload

    def instance(self, record_id: int, username: str = "admin") -> dict[str, Any]:
        """The request (flow instance) of a record, as ``username`` sees it."""
        response = self.callers[username].get(f"/api/instances?record={record_id}")
        assert response.status_code == 200, response.payload
        (instance,) = response.payload
        payload: dict[str, Any] = instance
        return payload

    def asked(self, record_id: int) -> Asked:
        """The steps the request waits at and the people asked at each."""
        return {
            current["step"]: {self.usernames[w["user"]] for w in current["waiting"]}
            for current in self.instance(record_id)["current"]
        }

    def history(self, record_id: int) -> list[tuple[str, str | None, str | None]]:
        """(action, step, actor) for every entry of the request's history."""
        return [
            (entry["action"], entry["step"], self.usernames.get(entry["actor"]))
            for entry in self.instance(record_id)["history"]
        ]

    # -- tasks ----------------------------------------------------------------------------

    def inbox(self, username: str, view: str = "open") -> list[dict[str, Any]]:
        response = self.callers[username].get(f"/api/tasks?view={view}&limit=100")
        assert response.status_code == 200, response.payload
        return list(response.payload["items"])

    def task_of(self, username: str, record_id: int) -> int:
        """The id of ``username``'s open task for the record, found in their inbox."""
        tasks = [i["task"]["id"] for i in self.inbox(username) if i["record"]["id"] == record_id]
        assert len(tasks) == 1, f"{username} has {len(tasks)} open tasks for {record_id}"
        return int(tasks[0])

    def task(self, username: str, task_id: int) -> dict[str, Any]:
        """``GET /api/tasks/{id}`` as ``username``."""
        response = self.callers[username].get(f"/api/tasks/{task_id}")
        assert response.status_code == 200, response.payload
        payload: dict[str, Any] = response.payload
        return payload

    def act(self, username: str, task_id: int, action: str, body: Any = None) -> Any:
        """``POST /api/tasks/{id}/{action}`` as ``username``; returns the response."""
        return self.callers[username].post(f"/api/tasks/{task_id}/{action}", body or {})

    def decide(self, username: str, record_id: int, step: str, **body: Any) -> dict[str, Any]:
        """``username`` approves (or completes, at a task step) their task at ``step``; at a
        task step, what it records comes from ``TASK_VALUES`` unless ``data`` is given."""
        task_id = self.task_of(username, record_id)
        detail = self.task(username, task_id)
        assert detail["task"]["step"] == step
        action = "approve" if "approve" in detail["actions"] else "complete"
        if action == "complete" and "data" not in body:
            editable = detail["permissions"]["editable"]
            body["data"] = {k: v for k, v in TASK_VALUES.items() if k in editable} or None
        if body.get("data") is not None:
            body["version"] = detail["record"]["version"]
        response = self.act(username, task_id, action, body)
        assert response.status_code == 200, response.payload
        payload: dict[str, Any] = response.payload
        return payload

    def run_through(self, record_id: int, stages: list[Asked]) -> None:
        """Check who is asked at each stage and have one of them approve each step of it (at
        a confirmation step, where each person confirms for themselves, all of them)."""
        for stage in stages:
            assert self.asked(record_id) == stage
            for step, people in sorted(stage.items()):
                for person in sorted(people) if step in EACH_CONFIRMS else sorted(people)[:1]:
                    self.decide(person, record_id, step)
        assert self.asked(record_id) == {}

    def withdraw(self, username: str, record_id: int, comment: str | None = None) -> Any:
        instance = self.instance(record_id, username)
        body = {"comment": comment} if comment else {}
        return self.callers[username].post(f"/api/instances/{instance['id']}/withdraw", body)

    # -- files ----------------------------------------------------------------------------

    def upload(self, username: str, name: str = "document.pdf") -> dict[str, Any]:
        """Upload a small PDF as ``username``; returns the file value for a record."""
        boundary = "oaboundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + PDF
            + f"\r\n--{boundary}--\r\n".encode()
        )
        response = self.callers[username].request(
            "POST",
            "/api/attachments",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert response.status_code == 201, response.payload
        return {key: response.payload[key] for key in ("id", "name", "size", "content_type")}


def office_for(database: Database, app: Flask) -> Office:
    """An :class:`Office` over a database holding the demo org, with a token per user."""
    with database.session(write=True) as session:
        ids: dict[str, int] = {}
        tokens: dict[str, str] = {}
        for username in DEMO_USERS:
            user = org.find_user(session, username)
            ids[username] = user.id
            tokens[username] = auth.create_token(session, SYSTEM, user, name="oa tests")
        departments = {}
        for code in DEPARTMENTS:
            department = org.find_department(session, code)
            assert department is not None
            departments[code] = department.id
    callers = {name: Caller(app.test_client(), token=token) for name, token in tokens.items()}
    return Office(database, callers, ids, departments)


# -- valid data for each OA form --------------------------------------------------------------


def leave(
    start: str, end: str, *, half_day: str | None = None, leave_type: str = "annual", **extra: Any
) -> dict[str, Any]:
    """A leave request from ``start`` to ``end`` (ISO dates)."""
    data: dict[str, Any] = {
        "leave_type": leave_type,
        "start_date": start,
        "end_date": end,
        "reason": "回老家办事",
        **extra,
    }
    if half_day is not None:
        data["half_day"] = half_day
    return data


def expense(*amounts: str, **extra: Any) -> dict[str, Any]:
    """An expense claim with one line per amount and the payee's bank account."""
    lines = [
        {
            "spent_on": "2026-11-02",
            "category": "transport",
            "amount": Decimal(amount),
            "description": f"客户拜访交通费 {n}",
        }
        for n, amount in enumerate(amounts, start=1)
    ]
    return {
        "purpose": "11 月客户拜访",
        "lines": lines,
        "payee_bank": "招商银行上海分行",
        "payee_account_name": "张伟",
        "payee_account_no": "6225880212345678",
        **extra,
    }


def purchase(*lines: tuple[str, str], **extra: Any) -> dict[str, Any]:
    """A purchase request with one item line per (quantity, unit price)."""
    items = [
        {"item": f"物品 {n}", "qty": Decimal(qty), "unit": "个", "unit_price": Decimal(price)}
        for n, (qty, price) in enumerate(lines, start=1)
    ]
    return {
        "category": "office",
        "items": items,
        "needed_by": "2026-12-15",
        "reason": "部门日常办公",
        **extra,
    }


def contract(
    amount: str, files: list[dict[str, Any]], *, currency: str = "CNY", **extra: Any
) -> dict[str, Any]:
    """A non-sales contract for ``amount`` in ``currency`` with its draft attached."""
    data: dict[str, Any] = {
        "contract_title": "办公室保洁服务合同",
        "contract_type": "service",
        "our_company": "示例科技有限公司",
        "counterparty_kind": "company",
        "counterparty_name": "上海洁美物业服务有限公司",
        "counterparty_credit_code": "91310115MA1K4ABC18",
        "amount": Decimal(amount),
        "currency": currency,
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "payment_method": "monthly",
        "summary": "每周五次办公室日常保洁，按月结算。",
        "invoice_type": "none",
        "contract_draft": files,
        **extra,
    }
    return data


def trip(
    cost: str, *, trip_type: str = "domestic", advance: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A business trip whose estimated costs add up to ``cost`` (all in transport)."""
    data: dict[str, Any] = {
        "trip_type": trip_type,
        "purpose": "client_visit",
        "destination": "上海",
        "start_date": "2026-12-07",
        "end_date": "2026-12-09",
        "description": "拜访华东区重点客户，推进年度框架协议。",
        "legs": [
            {
                "travel_date": "2026-12-07",
                "from_city": "北京",
                "to_city": "上海",
                "transport": "train",
            }
        ],
        "transport_cost": Decimal(cost),
        **extra,
    }
    if advance is not None:
        data.update(advance_requested=True, advance_amount=Decimal(advance))
    return data


def seal(
    seal_type: str, files: list[dict[str, Any]], *, usage: str = "on_site", **extra: Any
) -> dict[str, Any]:
    """A seal request for ``seal_type``; a take-out names its carrier and return date."""
    data: dict[str, Any] = {
        "seal_type": seal_type,
        "document_name": "华东区域代理协议",
        "copies": 2,
        "document_files": files,
        "purpose": "与代理商签订年度代理协议",
        "usage": usage,
        **extra,
    }
    if usage == "take_out":
        data.setdefault("take_out_date", "2026-12-07")
        data.setdefault("expected_return_date", "2026-12-08")
    return data


def overtime(**extra: Any) -> dict[str, Any]:
    """Three hours of paid overtime on a weekday evening."""
    return {
        "overtime_date": "2026-12-03",
        "day_type": "weekday",
        "start_time": "18:30",
        "end_time": "21:30",
        "compensation": "pay",
        "reason": "赶制投标文件",
        **extra,
    }


def announcement(kind: str, department: int, **extra: Any) -> dict[str, Any]:
    """An announcement of ``kind`` to everyone; a policy needs acknowledgement."""
    data: dict[str, Any] = {
        "kind": kind,
        "subject": "关于开展年度消防安全演练的通知",
        "body": "全体员工请于 12 月 10 日下午参加消防安全演练。",
        "publisher_department": department,
        "audience": "all",
        "publish_on": "2026-12-01",
        **extra,
    }
    if kind == "policy":
        data.update(
            requires_ack=True,
            ack_deadline="2026-12-20",
            effective_on="2027-01-01",
            policy_code="XZ-001",
        )
    return data
