"""Appending a line to a record's audit trail with one prepared INSERT.

The trail is append-only and nothing reads a line back in the unit of work that writes it, so
a line is written with a Core ``INSERT`` executed at once instead of an ORM object that waits
for a flush — a third of the cost, and writes pay it several times each (the record, then
every flow event). Lines keep the order in which they are written: lines other code added as
ORM objects and not yet flushed are flushed first. The record must exist in the database
already (the services flush it before they audit it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from formflow.storage.models import RecordAudit
from formflow.storage.types import utcnow

_TABLE: Any = RecordAudit.__table__
_INSERT = insert(_TABLE)


def append_audit(
    session: Session,
    *,
    record_id: int,
    actor_id: int | None,
    action: str,
    changes: Sequence[Mapping[str, Any]],
    record_version: int,
    comment: str | None = None,
) -> None:
    """Write one audit line for ``record_id`` now (see the module docstring)."""
    if any(isinstance(obj, RecordAudit) for obj in session.new):
        session.flush()
    session.connection().execute(
        _INSERT,
        {
            "record_id": record_id,
            "at": utcnow(),
            "actor_id": actor_id,
            "action": action,
            "changes": changes,
            "record_version": record_version,
            "comment": comment,
        },
    )
