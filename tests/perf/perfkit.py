"""A small world for the write-path tests: one user, a plain form, a two-step flow, and a
counter of the SQL statements a block of work sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from formflow.services import auth, flows, org
from formflow.services import forms as form_service
from formflow.services.actor import SYSTEM, Actor
from formflow.storage.db import Database

PLAIN: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": 80},
        "amount": {"type": "number", "x-type": "money"},
        "buyer": {"type": "integer", "x-type": "user"},
        "team": {"type": "integer", "x-type": "department"},
        "items": {
            "type": "array",
            "x-type": "subtable",
            "items": {
                "type": "object",
                "properties": {"qty": {"type": "integer"}, "price": {"type": "number"}},
            },
        },
        "total": {"type": "number", "x-formula": "sum(items.qty * items.price)"},
    },
    "required": ["title", "amount"],
    "x-display": "title",
}
GRANTS = {"everyone": ["create", "read_all"]}


@dataclass(frozen=True)
class World:
    """Who acts, and the ids their documents name."""

    buyer: Actor
    approvers: tuple[Actor, Actor]
    department_id: int

    def document(self, title: str = "Paper", amount: int = 120) -> dict[str, Any]:
        return {
            "title": title,
            "amount": amount,
            "buyer": self.buyer.id,
            "team": self.department_id,
            "items": [{"qty": 2, "price": 30}, {"qty": 1, "price": 60}],
        }


def build_world(database: Database) -> World:
    """A department, a buyer and two approvers; the forms ``plain`` (no flow) and ``order``
    (a flow of two approvals by the two approvers)."""
    with database.session(write=True) as session:
        department = org.create_department(session, SYSTEM, name="采购部", code="buy")
        people = [
            org.create_user(session, SYSTEM, username=name, department_id=department.id)
            for name in ("buyer", "first.approver", "second.approver")
        ]
        for key in ("plain", "order"):
            form_service.create_form(
                session, SYSTEM, key=key, title=key, schema=PLAIN, grants=GRANTS
            )
        actors = [auth.actor_for(session, person) for person in people]
    with database.session(write=True) as session:
        flows.create_flow(
            session,
            SYSTEM,
            source=(
                'flow order "Order" on order {\n'
                '  step first "First" { approve by user("first.approver") }\n'
                '  step second "Second" { approve by user("second.approver") }\n'
                "}\n"
            ),
        )
    return World(buyer=actors[0], approvers=(actors[1], actors[2]), department_id=department.id)


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    """The SQL statements sent inside the block (BEGIN included, COMMIT is not a statement)."""
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", note)


def of_kind(statements: list[str], prefix: str) -> list[str]:
    return [s for s in statements if s.upper().startswith(prefix.upper())]
