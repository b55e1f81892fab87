"""Installed template packs: which pack, which version, its settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from formflow.storage.models.base import Base
from formflow.storage.types import BigId, JsonDoc, UtcDateTime, utcnow


class InstalledPack(Base):
    """A pack installed into this installation (forms, flows and roles name it in ``pack``)."""

    __tablename__ = "packs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[str] = mapped_column(String(32))
    #: The manifest as installed (title, stage, depends ...), for info and upgrades.
    manifest: Mapped[Any] = mapped_column(JsonDoc)
    #: Values of the pack's settings (thresholds an admin may change without editing flows).
    settings: Mapped[Any] = mapped_column(JsonDoc, default=dict)
    #: installed | archived (uninstalled, data kept)
    status: Mapped[str] = mapped_column(String(16), default="installed")
    installed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
