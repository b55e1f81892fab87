"""Records (filled forms), their audit trail, attachments and serial-number counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from formflow.storage.models.base import Base
from formflow.storage.types import BigId, JsonDoc, UtcDateTime, utcnow


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_form_live", "form_id", "deleted_at", "id"),
        Index("ix_records_owner", "owner_id", "form_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="RESTRICT"))
    form_version: Mapped[int] = mapped_column(Integer)
    data: Mapped[Any] = mapped_column(JsonDoc)
    #: draft, submitted, in_progress, approved, rejected, withdrawn, cancelled, or a named
    #: status from a flow end or a status rule.
    status: Mapped[str] = mapped_column(String(40), default="submitted")
    #: The business status from the form's x-status-rules ("to deliver and bill" ...), if any.
    derived_status: Mapped[str | None] = mapped_column(String(40))
    #: A short text naming the record in pickers and lists (from the form's x-display field).
    label: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Optimistic concurrency counter; a write with a stale version is refused (409).
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy protocol


class RecordAudit(Base):
    """Append-only trail: who did what to a record, when, and which values changed."""

    __tablename__ = "record_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: create, update, submit, delete, restore, status, flow:<action>, migrate ...
    action: Mapped[str] = mapped_column(String(40))
    #: [{"path": "$.amount", "old": 1, "new": 2}, ...]
    changes: Mapped[Any] = mapped_column(JsonDoc, default=list)
    record_version: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(2000))


class RecordParticipant(Base):
    """A user who takes part in a record's flow (approver, cc); may read the record."""

    __tablename__ = "record_participants"
    __table_args__ = (UniqueConstraint("record_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(32), default="approver")


class RecordReader(Base):
    """A principal that may read a record by its form's ``x-readers``.

    ``principal`` is ``everyone``, ``user:<id>``, ``department:<id>`` (members of the
    department and below) or ``role:<key>``. Rows follow the record's data (rewritten on each
    write); who matches a principal is decided at read time from the current org, so moving
    people between departments needs no rewrite. Looked up by principal in lists.
    """

    __tablename__ = "record_readers"
    __table_args__ = (
        UniqueConstraint("record_id", "principal"),
        Index("ix_record_readers_principal", "principal", "record_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    principal: Mapped[str] = mapped_column(String(80))


class Attachment(Base):
    """An uploaded file, stored under the instance folder by content hash."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("records.id", ondelete="SET NULL"), index=True
    )
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SerialCounter(Base):
    """The last number handed out for one serial field in one period (e.g. 2026-03)."""

    __tablename__ = "serial_counters"
    __table_args__ = (UniqueConstraint("form_id", "field", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(Integer, default=0)
