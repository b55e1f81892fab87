"""Claiming background jobs so that any number of workers share them without doubles.

A job table has ``due_at`` (when it may run), ``claimed_until`` (a lease) and a "done" column.
:func:`claim` hands a batch of due, unclaimed rows to one worker and stamps a lease on them in
one short transaction:

* PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` — concurrent workers skip each other's rows
  instead of waiting;
* SQLite: the claiming transaction is ``BEGIN IMMEDIATE`` (one writer at a time), so the
  select-then-update is atomic.

If a worker dies, its lease runs out and another worker claims the job again. Exactly-once
effects therefore do not rest on the claim: a job's effect and its "done" mark commit in one
transaction, and that transaction re-checks the mark under a row lock (see :func:`lock_row`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session


def claim(
    session: Session,
    model: type[Any],
    *,
    done_column: InstrumentedAttribute[Any],
    now: datetime,
    lease: timedelta,
    limit: int = 20,
    extra: ColumnElement[bool] | None = None,
) -> list[int]:
    """Claim up to ``limit`` due rows of ``model``; returns their ids (oldest due first)."""
    conditions = [
        done_column.is_(None),
        model.due_at <= now,
        (model.claimed_until.is_(None)) | (model.claimed_until < now),
    ]
    if extra is not None:
        conditions.append(extra)
    query: Select[Any] = (
        select(model.id).where(*conditions).order_by(model.due_at, model.id).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(claimed_until=now + lease, attempts=model.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    return ids


def lock_row(session: Session, model: type[Any], row_id: int) -> Any:
    """Load one row for update (a row lock on PostgreSQL; SQLite's write transaction already
    excludes other writers). Returns None if it is gone."""
    query = select(model).where(model.id == row_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)
