"""Where a flow's or an automation's effects land, and the two records every effect keeps.

:class:`EffectScope` carries the record, the instance (for flows), the engine state before and
after the event, and who caused it. :func:`add_participant` lets a person read the record as a
participant of its flow; :func:`audit` writes a line of the record's audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from formflow.engine.state import InstanceState
from formflow.services.flow_context import environment
from formflow.storage.audit_log import append_audit
from formflow.storage.models import FlowInstance, FlowTask, Record, RecordParticipant
from formflow.storage.unit import unit_cache

CC_UNREAD = "unread"
CC_READ = "read"


@dataclass
class EffectScope:
    """Where effects land: the record, and the instance when they come from a flow."""

    record: Record
    title: str  # the flow's or automation's title, for notices
    source: str  # the flow's or automation's key
    initiator: int | None
    actor_id: int | None = None
    instance: FlowInstance | None = None
    steps: Mapping[str, str] = field(default_factory=dict)  # step name -> title
    state: InstanceState | None = None
    old_state: InstanceState | None = None
    _rows: dict[str, FlowTask] = field(default_factory=dict)
    _rows_loaded: bool = False
    _cc_seen: int = 0

    @property
    def record_name(self) -> str:
        return self.record.label or f"#{self.record.id}"

    @property
    def link(self) -> str:
        if self.instance is not None:
            return f"/instances/{self.instance.id}"
        return f"/records/{self.record.id}"


def add_participant(session: Session, record_id: int, user_id: int, reason: str) -> None:
    """Let ``user_id`` read the record as a participant of its flow (idempotent).

    One ``INSERT ... ON CONFLICT DO NOTHING`` on the unique (record, user) pair instead of a
    look-up and an insert, remembered for the unit of work: adding a person again costs
    nothing, and two transactions adding the same person at once cannot collide. A person
    already taking part keeps their first reason.
    """
    added = unit_cache(session, "participants")
    if (record_id, user_id) in added:
        return
    table: Any = RecordParticipant.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.connection().execute(  # no autoflush: the record and the person exist already
        insert(table)
        .values(record_id=record_id, user_id=user_id, reason=reason)
        .on_conflict_do_nothing(index_elements=["record_id", "user_id"])
    )
    added[(record_id, user_id)] = True


def audit(
    session: Session,
    record: Record,
    actor_id: int | None,
    action: str,
    comment: str | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> None:
    """One line in the record's audit trail (``flow:<action>``, ``status`` ...)."""
    append_audit(
        session,
        record_id=record.id,
        actor_id=actor_id,
        action=action[:40],
        changes=changes or [],
        record_version=record.version,
        comment=(comment or None) and comment[:2000],
    )


def now() -> datetime:
    """The moment of the current event, in the org time zone."""
    return environment().now()
