"""Shared test kit for the flow DSL and engine tests: a small org, forms, and a driver.

The org (ids in brackets)::

    总公司 [1] head 王五 [3]
    ├── 销售部 [2] head 李四 [2]:   张三 [1], 李四 [2], 陈一 [9]
    └── 财务部 [3] head 赵六 [4]:   赵六 [4] (cfo, finance), 孙七 [5] (cashier, finance)
    周八 [6] (legal), 吴九 [7] (hr), 郑十 [8] inactive (auditor), 王五 [3] (admin)
    项目组 [4]: a department without a head
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from formflow.dsl import FlowSpec, compile_flow
from formflow.engine import (
    Effect,
    EngineContext,
    FormExpressions,
    InstanceState,
    Position,
    Start,
    TaskAction,
    TaskVerb,
    handle,
)
from formflow.engine.events import Event
from formflow.expr import EvalContext
from formflow.forms import compile_form
from formflow.orgchart import DepartmentInfo, OrgChart, RoleAssignment, UserInfo
from formflow.workcalendar import WorkCalendar

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday

USERS = {
    1: ("zhangsan", "张三", 2),
    2: ("lisi", "李四", 2),
    3: ("wangwu", "王五", 1),
    4: ("zhaoliu", "赵六", 3),
    5: ("sunqi", "孙七", 3),
    6: ("zhouba", "周八", 1),
    7: ("wujiu", "吴九", 1),
    8: ("zhengshi", "郑十", 1),
    9: ("chenyi", "陈一", 2),
}
NAMES = {username: uid for uid, (username, _n, _d) in USERS.items()}


def make_org() -> OrgChart:
    users = [
        UserInfo(uid, username, display, department_id=dept, active=uid != 8)
        for uid, (username, display, dept) in USERS.items()
    ]
    departments = [
        DepartmentInfo(1, "总公司", head_id=3),
        DepartmentInfo(2, "销售部", parent_id=1, head_id=2),
        DepartmentInfo(3, "财务部", parent_id=1, head_id=4),
        DepartmentInfo(4, "项目组"),  # no head, no parent
    ]
    roles = [
        RoleAssignment("cfo", 4),
        RoleAssignment("finance", 4),
        RoleAssignment("finance", 5),
        RoleAssignment("cashier", 5),
        RoleAssignment("legal", 6),
        RoleAssignment("hr", 7),
        RoleAssignment("admin", 3),
        RoleAssignment("auditor", 8),
    ]
    return OrgChart.build(users, departments, roles)


ORG = make_org()

EXPENSE = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "x-type": "money"},
        "reason": {"type": "string"},
        "reviewer": {"type": "integer", "x-type": "user"},
        "dept": {"type": "integer", "x-type": "department"},
        "bank_account": {"type": "string"},
        "approval_note": {"type": "string"},
        "paid_on": {"type": "string", "format": "date"},
        "voucher_no": {"type": "string"},
        "status_text": {"type": "string"},
        "urgent": {"type": "boolean"},
        "items": {
            "type": "array",
            "x-type": "subtable",
            "items": {
                "type": "object",
                "properties": {"amount": {"type": "number"}, "note": {"type": "string"}},
            },
        },
    },
    "required": ["amount"],
}
PAYMENT = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "x-type": "money"},
        "payee": {"type": "integer", "x-type": "user"},
        "memo": {"type": "string"},
    },
    "required": ["amount", "payee"],
}
LEDGER = {
    "type": "object",
    "properties": {"amount": {"type": "number"}, "note": {"type": "string"}},
    "required": ["amount"],
}
CUSTOMER = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "owner": {"type": "integer", "x-type": "user"},
        "last_contact": {"type": "string", "format": "date"},
        "stage": {"type": "string"},
    },
}

LEAVE = {
    "type": "object",
    "properties": {
        "leave_type": {"type": "string"},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
        "days": {"type": "number"},
        "reason": {"type": "string"},
        "handover": {"type": "integer", "x-type": "user"},
    },
    "required": ["start", "end", "days"],
}
CONTRACT = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "amount": {"type": "number", "x-type": "money"},
        "counterparty": {"type": "string"},
        "legal_note": {"type": "string"},
        "finance_note": {"type": "string"},
        "signed_on": {"type": "string", "format": "date"},
    },
    "required": ["title", "amount"],
}
PURCHASE = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "x-type": "money"},
        "supplier": {"type": "string"},
        "buyer": {"type": "integer", "x-type": "user"},
        "order_no": {"type": "string"},
        "lines": {
            "type": "array",
            "x-type": "subtable",
            "items": {
                "type": "object",
                "properties": {
                    "item": {"type": "string"},
                    "qty": {"type": "number"},
                    "price": {"type": "number", "x-type": "money"},
                },
            },
        },
    },
    "required": ["amount"],
}
PURCHASE_ORDER = {
    "type": "object",
    "properties": {
        "supplier": {"type": "string"},
        "amount": {"type": "number", "x-type": "money"},
        "item": {"type": "string"},
        "qty": {"type": "number"},
    },
    "required": ["supplier", "amount"],
}

FORMS = {
    "leave_request": compile_form(LEAVE),
    "contract": compile_form(CONTRACT),
    "purchase_request": compile_form(PURCHASE),
    "purchase_order": compile_form(PURCHASE_ORDER),
    "expense_claim": compile_form(EXPENSE),
    "payment": compile_form(PAYMENT),
    "ledger": compile_form(LEDGER),
    "customer": compile_form(CUSTOMER),
}


def compile_text(text: str, settings: Mapping[str, Any] | None = None) -> FlowSpec:
    return compile_flow(text, forms=FORMS, org=ORG, settings=settings)


def expressions(form: str = "expense_claim", now: datetime = NOW) -> FormExpressions:
    return FormExpressions(FORMS[form].scope, EvalContext(today=now.date(), now=now))


class Driver:
    """Runs one instance through the engine the way a service would."""

    def __init__(
        self,
        spec: FlowSpec | str,
        data: Mapping[str, Any] | None = None,
        *,
        now: datetime = NOW,
        calendar: WorkCalendar | None = None,
    ) -> None:
        self.spec = compile_text(spec) if isinstance(spec, str) else spec
        self.data: dict[str, Any] = dict(data or {"amount": 100})
        self.now = now
        self.calendar = calendar or WorkCalendar()
        self.state: InstanceState | None = None
        self.effects: list[Effect] = []

    def ctx(self) -> EngineContext:
        return EngineContext(
            now=self.now,
            org=ORG,
            data=self.data,
            calendar=self.calendar,
            expressions=expressions(now=self.now),
        )

    def send(self, event: Event) -> list[Effect]:
        state, effects = handle(self.spec, self.state, event, self.ctx())
        # the stored state must survive a JSON round trip, as services store it
        self.state = InstanceState.from_dict(state.to_dict())
        self.effects.extend(effects)
        return effects

    def start(
        self,
        initiator: str = "zhangsan",
        chosen: Mapping[str, list[str]] | None = None,
    ) -> list[Effect]:
        picked = {step: tuple(NAMES[n] for n in names) for step, names in (chosen or {}).items()}
        return self.send(Start(NAMES[initiator], picked))

    def task_of(self, user: str, step: str | None = None) -> str:
        assert self.state is not None
        for task in self.state.open_tasks_of(NAMES[user]):
            if step is None or task.node == step:
                return task.id
        raise AssertionError(f"{user} has no open task at {step}: {self.open()}")

    def act(
        self, who: str, verb: str = "approve", step: str | None = None, **kw: Any
    ) -> list[Effect]:
        task = self.task_of(who, step)
        if "user" in kw:
            kw["user"] = NAMES[kw["user"]]
        if "users" in kw:
            kw["users"] = tuple(NAMES[u] for u in kw["users"])
        if "position" in kw:
            kw["position"] = Position(kw["position"])
        return self.send(TaskAction(task, NAMES[who], TaskVerb(verb), **kw))

    def open(self) -> list[tuple[str, str]]:
        """Open tasks as (step, username), sorted."""
        assert self.state is not None
        return sorted((t.node, USERS[t.assignee][0]) for t in self.state.open_tasks())

    @property
    def status(self) -> str:
        assert self.state is not None
        return self.state.status

    def later(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def kinds(effects: list[Effect]) -> list[str]:
    return [effect.kind for effect in effects]
