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

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Select, bindparam, select, update
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
    query = _BY_ID.get(model)
    if query is None:
        query = _BY_ID[model] = select(model).where(model.id == bindparam("row_id"))
    return lock_one(session, query, {"row_id": row_id})


def lock_row_where(session: Session, model: type[Any], condition: ColumnElement[bool]) -> Any:
    """Load the one row of ``model`` that meets ``condition`` for update (see :func:`lock_row`)."""
    return lock_one(session, select(model).where(condition))


def lock_one(session: Session, query: Select[Any], params: Mapping[str, Any] | None = None) -> Any:
    """The first row of ``query`` (a select of one model), freshly read and locked for update
    (see :func:`lock_row`). Build ``query`` once with bound parameters and pass their values in
    ``params``: building a statement costs more than running it on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        locking = _LOCKING.get(query)
        if locking is None:
            entity = query.column_descriptions[0]["entity"]
            locking = _LOCKING[query] = query.with_for_update(of=entity)
        query = locking
    return session.scalars(query, params, execution_options=_FRESH).first()


_FRESH = {"populate_existing": True}
_BY_ID: dict[type[Any], Select[Any]] = {}
#: The ``FOR UPDATE`` form of each prepared query (statements hash by identity).
_LOCKING: WeakKeyDictionary[Select[Any], Select[Any]] = WeakKeyDictionary()
