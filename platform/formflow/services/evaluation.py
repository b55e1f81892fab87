"""The world an expression sees when the services evaluate it: clock, calendar, org, records.

:func:`eval_context` builds a :class:`~formflow.expr.EvalContext` for one unit of work:
``today`` in the acting user's time zone, the organisation's working-day calendar, lookup
tables, the installed packs' settings (``setting('name')``, read from the database only when
an expression asks), and a resolver that answers ``applicant.department.name`` from the org
chart and ``customer.level`` from the record store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.expr import EvalContext
from formflow.orgchart import OrgChart
from formflow.services.actor import Actor
from formflow.services.org import load_calendar, load_org_chart
from formflow.storage.models import InstalledPack, Record
from formflow.storage.types import utcnow


class StoreResolver:
    """Resolves user, department and record references for the evaluator."""

    def __init__(self, session: Session, chart: OrgChart) -> None:
        self.session = session
        self.chart = chart

    def resolve(self, kind: str, ident: int, form: str | None) -> Mapping[str, Any] | None:
        if kind == "user":
            user = self.chart.user(ident)
            if user is None:
                return None
            return {
                "id": user.id,
                "username": user.username,
                "name": user.display_name,
                "display_name": user.display_name,
                "email": user.email,
                "active": user.active,
                "department": user.department_id,
                "manager": self.chart.manager_of(user.id),
            }
        if kind == "department":
            dept = self.chart.departments.get(ident)
            if dept is None:
                return None
            return {
                "id": dept.id,
                "name": dept.name,
                "parent": dept.parent_id,
                "head": dept.head_id,
            }
        if kind == "record":
            record = self.session.get(Record, ident)
            if record is None or record.deleted_at is not None:
                return None
            data: dict[str, Any] = dict(record.data)
            return data
        return None


class PackSettings(Mapping[str, Any]):
    """The installed packs' setting values by ``"<pack>.<name>"``, read on first use."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._values: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._values is None:
            rows = self.session.execute(
                select(InstalledPack.name, InstalledPack.settings).where(
                    InstalledPack.status == "installed"
                )
            ).all()
            self._values = {
                f"{pack}.{name}": value
                for pack, values in rows
                for name, value in (values or {}).items()
            }
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def eval_context(
    session: Session,
    actor: Actor | None = None,
    *,
    now: datetime | None = None,
    timezone: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> EvalContext:
    """A context for evaluating expressions in this unit of work."""
    zone_name = timezone or (actor.timezone if actor is not None else "Asia/Shanghai")
    moment = now or utcnow()
    return EvalContext(
        today=moment.astimezone(ZoneInfo(zone_name)).date(),
        now=moment,
        calendar=load_calendar(session),
        resolver=StoreResolver(session, load_org_chart(session)),
        variables=dict(variables or {}),
        timezone=zone_name,
        settings=PackSettings(session),
    )
