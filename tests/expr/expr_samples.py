"""Scopes, records and contexts shared by the expression tests (a leave form, an expense claim)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from formflow.expr import (
    BOOLEAN,
    DATE,
    DATETIME,
    NUMBER,
    STRING,
    TIME,
    EvalContext,
    ListType,
    LookupTable,
    RefType,
    RowType,
    Scope,
    compile_expression,
    evaluate,
)
from formflow.expr.typesystem import RefKind, Type
from formflow.workcalendar import WorkCalendar

ITEM = RowType({"qty": NUMBER, "price": NUMBER, "category": STRING, "note": STRING})
TRIP = RowType({"city": STRING, "nights": NUMBER})
IIT = RowType({"upto": NUMBER, "rate": NUMBER, "deduction": NUMBER})
CITY = RowType({"key": STRING, "rate": NUMBER})

FIELDS: dict[str, Type] = {
    "amount": NUMBER,
    "days": NUMBER,
    "leave_type": STRING,
    "reason": STRING,
    "urgent": BOOLEAN,
    "start_date": DATE,
    "end_date": DATE,
    "submitted_at": DATETIME,
    "check_in": TIME,
    "check_out": TIME,
    "tags": ListType(STRING),
    "items": ListType(ITEM),
    "trips": ListType(TRIP),
    "applicant": RefType("user"),
    "customer": RefType("record", "customer"),
}

SCOPE = Scope(
    fields=FIELDS,
    tables={"iit": IIT, "city": CITY},
    variables={"initiator": RefType("user"), "limit": NUMBER},
    forms={"customer": RowType({"level": STRING, "credit": NUMBER})},
)

RECORD: dict[str, Any] = {
    "amount": Decimal("1200.50"),
    "days": 3,
    "leave_type": "sick",
    "reason": "出差 to Shanghai",
    "urgent": False,
    "start_date": "2026-01-05",
    "end_date": "2026-01-11",
    "submitted_at": "2026-01-04T17:30:00Z",
    "check_in": "08:45",
    "check_out": "18:15:00",
    "tags": ["travel", "client"],
    "items": [
        {"qty": 2, "price": "3.5", "category": "meal", "note": None},
        {"qty": 1, "price": 10, "category": "taxi", "note": "airport"},
        {"qty": 3, "price": "0.1", "category": "meal", "note": ""},
    ],
    "trips": [{"city": "sh", "nights": 2}],
    "applicant": 7,
    "customer": 501,
}

USERS: dict[int, dict[str, Any]] = {
    7: {"id": 7, "username": "zhangsan", "name": "张三", "department": 3, "manager": 8},
    8: {"id": 8, "username": "lisi", "name": "李四", "department": 3, "manager": None},
}
DEPARTMENTS: dict[int, dict[str, Any]] = {3: {"id": 3, "name": "销售部", "head": 8}}
RECORDS: dict[int, dict[str, Any]] = {501: {"level": "A", "credit": 50000}}


class FakeOrg:
    """A resolver over the dictionaries above (it is a port, not the thing under test)."""

    def __init__(self) -> None:
        self.calls = 0

    def resolve(self, kind: RefKind, ident: int, form: str | None) -> Mapping[str, Any] | None:
        self.calls += 1
        source = {"user": USERS, "department": DEPARTMENTS, "record": RECORDS}[kind]
        return source.get(ident)


IIT_TABLE = LookupTable(
    [
        {"upto": 36000, "rate": "0.03", "deduction": 0},
        {"upto": None, "rate": "0.45", "deduction": 181920},
        {"upto": 144000, "rate": "0.10", "deduction": 2520},
        {"upto": 300000, "rate": "0.20", "deduction": 16920},
    ]
)
CITY_TABLE = LookupTable([{"key": "sh", "rate": "0.07"}, {"key": "bj", "rate": "0.08"}])

# 2026-01-01 (Thu) is a holiday; Sunday 2026-01-04 is a make-up working day.
CALENDAR = WorkCalendar.from_days(
    "cn", [(date(2026, 1, 1), False), (date(2026, 1, 2), False), (date(2026, 1, 4), True)]
)


def context(**overrides: Any) -> EvalContext:
    """A fixed context: Monday 2026-01-05, the calendar and tables above, a fake org."""
    settings: dict[str, Any] = {
        "today": date(2026, 1, 5),
        "now": datetime(2026, 1, 5, 1, 30, tzinfo=UTC),
        "calendar": CALENDAR,
        "tables": {"iit": IIT_TABLE, "city": CITY_TABLE},
        "resolver": FakeOrg(),
        "variables": {"initiator": 8, "limit": 5000},
    }
    settings.update(overrides)
    return EvalContext(**settings)


def run(source: str, record: Mapping[str, Any] | None = None, **overrides: Any) -> Any:
    """Compile ``source`` in :data:`SCOPE` and evaluate it over ``record`` (default RECORD)."""
    checked = compile_expression(source, SCOPE)
    return evaluate(checked, RECORD if record is None else record, context(**overrides))
