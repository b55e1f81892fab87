"""Flows at run time: published definitions and versions, running instances, the task inbox,
timers, automations and their schedules, and the webhook destinations an admin allowed.

The engine's instance state is one JSON document (``FlowInstance.state``); the other tables
mirror what must be queried fast (the inbox: open tasks by assignee; due timers) or claimed by
workers (timers and schedules carry ``due_at`` / ``claimed_until`` / ``attempts`` and a "done"
column, the shape ``storage.claims.claim`` works on).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from formflow.storage.models.base import Base
from formflow.storage.types import BigId, JsonDoc, UtcDateTime, utcnow


class FlowDefinition(Base):
    """A flow bound to a form; ``current_version`` is the one new requests start on."""

    __tablename__ = "flows"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    #: The form whose submitted records start this flow.
    form_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    #: The pack that owns this flow (None: written in the designer).
    pack: Mapped[str | None] = mapped_column(String(64), index=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FlowVersion(Base):
    """A published version: the source and its compiled spec. Never updated."""

    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    #: ``FlowSpec.to_json()``: what the engine runs and the designer draws.
    spec: Mapped[Any] = mapped_column(JsonDoc)
    #: The ``param`` settings the version was compiled with.
    settings: Mapped[Any] = mapped_column(JsonDoc, default=dict)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FlowInstance(Base):
    """One run of a flow version for one record; ``state`` is the engine's InstanceState."""

    __tablename__ = "flow_instances"
    __table_args__ = (
        Index("ix_flow_instances_record", "record_id"),
        Index("ix_flow_instances_version_status", "flow_version_id", "status"),
        Index("ix_flow_instances_initiator", "initiator_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="RESTRICT"))
    flow_version_id: Mapped[int] = mapped_column(
        ForeignKey("flow_versions.id", ondelete="RESTRICT")
    )
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    initiator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: running, returned, approved, rejected, withdrawn or a named end (``paid``).
    status: Mapped[str] = mapped_column(String(40))
    state: Mapped[Any] = mapped_column(JsonDoc)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: Optimistic concurrency counter: a save over a stale state fails instead of merging.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy protocol


class FlowTask(Base):
    """The inbox mirror of a task in an instance's state (and of carbon copies).

    ``kind``: approve, task, resubmit (a returned request waiting for its initiator) or cc.
    ``status``: open, completed, cancelled; carbon copies are unread or read.
    """

    __tablename__ = "flow_tasks"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_key"),
        # The inbox: "my open tasks, newest first" is one range scan on this index.
        Index("ix_flow_tasks_inbox", "assignee_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("flow_instances.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    #: The task id in the engine state (``t3``), or ``cc<n>`` for a carbon copy.
    task_key: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(100))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(String(2000))
    delegated_from: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The first timeout of the step (escalation, auto decision ...), when it has one.
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class FlowTimer(Base):
    """A scheduled timeout; ``unique_key`` is ``<instance id>:<engine timer key>``."""

    __tablename__ = "flow_timers"
    __table_args__ = (Index("ix_flow_timers_due", "fired_at", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("flow_instances.id", ondelete="CASCADE"), index=True
    )
    timer_key: Mapped[str] = mapped_column(String(100))
    unique_key: Mapped[str] = mapped_column(String(150), unique=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: ``{"step", "action"}`` for the admin's view; the engine state holds the rest.
    payload: Mapped[Any] = mapped_column(JsonDoc, default=dict)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    fired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class AutomationDefinition(Base):
    """A published automation (rules on record events and schedules)."""

    __tablename__ = "automations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    form_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    #: ``AutomationSpec.to_json()``.
    spec: Mapped[Any] = mapped_column(JsonDoc)
    settings: Mapped[Any] = mapped_column(JsonDoc, default=dict)
    pack: Mapped[str | None] = mapped_column(String(64), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AutomationSchedule(Base):
    """When a scheduled automation runs next: one row per automation for daily and interval
    triggers, one per record for date-based triggers (``3 days before due_on``).

    ``scope_key`` is ``<automation id>:*`` or ``<automation id>:<record id>`` (unique), so the
    schedule of one scope is never kept twice.
    """

    __tablename__ = "automation_schedules"
    __table_args__ = (Index("ix_automation_schedules_due", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    automation_id: Mapped[int] = mapped_column(
        ForeignKey("automations.id", ondelete="CASCADE"), index=True
    )
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    scope_key: Mapped[str] = mapped_column(String(120), unique=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Set when nothing is left to run (a date trigger whose moment passed).
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookEndpoint(Base):
    """A destination an admin allowed. The signing secret is derived, never stored
    (``services.delivery.endpoint_secret(settings, key, rotation)``)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(500), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
