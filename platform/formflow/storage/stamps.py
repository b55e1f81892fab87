"""Change stamps: a random value per area that changes with every change in that area.

Caches of derived data (the org chart, compiled forms) are keyed by the stamp they were built
under; reading the stamp is one primary-key lookup, so a process never serves an entry that
another process has made stale.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from formflow.storage.models import Stamp


def bump(session: Session, key: str) -> str:
    """Give ``key`` a new stamp (call in the transaction that changes the area)."""
    value = uuid.uuid4().hex
    row = session.get(Stamp, key)
    if row is None:
        session.add(Stamp(key=key, value=value))
    else:
        row.value = value
    session.flush()
    return value


def current(session: Session, key: str) -> str:
    """The stamp of ``key`` ("" when the area never changed)."""
    row = session.get(Stamp, key)
    return row.value if row is not None else ""
