"""Form definitions, their immutable published versions, and who may do what with them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from formflow.storage.models.base import Base
from formflow.storage.types import BigId, JsonDoc, OrderedJsonDoc, UtcDateTime, utcnow


class Form(Base):
    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[Any] = mapped_column(JsonDoc)  # i18n label of the current version
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    #: The pack that owns this form (None: built in the designer).
    pack: Mapped[str | None] = mapped_column(String(64), index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class FormVersion(Base):
    """A published version. Never updated: records point at the version they were written with."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[Any] = mapped_column(JsonDoc)
    schema: Mapped[Any] = mapped_column(OrderedJsonDoc)
    ui: Mapped[Any] = mapped_column(OrderedJsonDoc)
    #: The migration applied to existing records when this version was published, if any.
    migration: Mapped[Any | None] = mapped_column(JsonDoc)
    #: Field -> value slot (``records.ixn_1`` ...) of the indexed fields, as assigned when this
    #: version was published (see :mod:`formflow.storage.value_slots`); None: no slots.
    index_slots: Mapped[dict[str, str] | None] = mapped_column(JsonDoc)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FormIndexSlot(Base):
    """Which field of a form lives in which value slot of ``records`` (PostgreSQL only).

    Rows are only ever added: a slot, once given to a field, stays with it, so the mapping
    of any published version remains true for all of the form's records.
    """

    __tablename__ = "form_index_slots"

    form_id: Mapped[int] = mapped_column(
        ForeignKey("forms.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[str] = mapped_column(String(10), primary_key=True)
    field: Mapped[str] = mapped_column(String(50))


class FormGrant(Base):
    """Who may do what with a form's records.

    ``principal`` is ``everyone``, ``role:<key>``, ``user:<id>`` or ``department:<id>``;
    ``actions`` is a list from create, read_own, read_all, update, delete, export.
    """

    __tablename__ = "form_grants"
    __table_args__ = (UniqueConstraint("form_id", "principal"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    principal: Mapped[str] = mapped_column(String(100))
    actions: Mapped[Any] = mapped_column(JsonDoc)
