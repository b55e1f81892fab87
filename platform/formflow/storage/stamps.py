"""Change stamps: a random value per area that changes with every change in that area.

Caches of derived data (the org chart, compiled forms, the definition rows of
:mod:`formflow.storage.definitions`) are keyed by the stamp they were built under, so a process
never serves an entry that another process has made stale.

* **Reading** costs one query per unit of work: the first :func:`current` of a transaction
  reads every stamp (the table holds a handful of rows) and the rest of the transaction uses
  that snapshot, so one write sees one consistent set of definitions.
* **Bumping** happens by itself: before every flush, a change of a row in a watched table
  (forms, their versions and grants; users, departments, roles; calendars; flows; automations)
  gives its area a new stamp in the same flush, so no service can forget to. Services still
  call :func:`bump` for changes made with bulk SQL statements, which no flush sees.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from formflow.storage.models import (
    AutomationDefinition,
    Calendar,
    CalendarDay,
    Department,
    FlowDefinition,
    FlowVersion,
    Form,
    FormGrant,
    FormVersion,
    Role,
    RoleMember,
    Stamp,
    User,
)
from formflow.storage.unit import unit_cache

FORMS = "forms"
ORG = "org"
CALENDARS = "calendars"
FLOWS = "flows"
AUTOMATIONS = "automations"

#: Tables whose rows feed a cache, the area their changes bump, and — where only some columns
#: feed it — those columns (a login that renews a password hash changes no cached org chart).
WATCHED: dict[type[Any], tuple[str, frozenset[str] | None]] = {
    Form: (FORMS, None),
    FormVersion: (FORMS, None),
    FormGrant: (FORMS, None),
    User: (
        ORG,
        frozenset(
            {"username", "display_name", "department_id", "manager_id", "active", "locale", "email"}
        ),
    ),
    Department: (ORG, None),
    Role: (ORG, None),
    RoleMember: (ORG, None),
    Calendar: (CALENDARS, None),
    CalendarDay: (CALENDARS, None),
    FlowDefinition: (FLOWS, None),
    FlowVersion: (FLOWS, None),
    AutomationDefinition: (AUTOMATIONS, None),
}

_LOADED = object()
_ALL = select(Stamp.key, Stamp.value)


def _snapshot(session: Session) -> dict[Any, Any]:
    """Every stamp as this unit of work sees it (read on first use)."""
    known = unit_cache(session, "stamps")
    if _LOADED not in known:
        # Core, not ORM, execution: the rows are plain pairs, and this is the first
        # statement of nearly every unit of work (no flush may happen here either).
        rows = session.connection().execute(_ALL).all()
        for key, value in rows:
            known.setdefault(key, value)
        known[_LOADED] = True
    return known


def current(session: Session, key: str) -> str:
    """The stamp of ``key`` ("" when the area never changed)."""
    value: str = _snapshot(session).get(key, "")
    return value


def _pending_stamp(session: Session, key: str) -> Stamp | None:
    for obj in session.new:
        if isinstance(obj, Stamp) and obj.key == key:
            return obj
    return None


def _write(session: Session, key: str) -> str:
    """Give ``key`` a new value in the session (no flush) and in the unit's snapshot."""
    value = uuid.uuid4().hex
    row = _pending_stamp(session, key) or session.get(Stamp, key)
    if row is None:
        session.add(Stamp(key=key, value=value))
    else:
        row.value = value
    _snapshot(session)[key] = value
    return value


def bump(session: Session, key: str) -> str:
    """Give ``key`` a new stamp (call in the transaction that changes the area)."""
    with session.no_autoflush:
        value = _write(session, key)
    session.flush()
    return value


def _is_changed(obj: Any, columns: frozenset[str] | None) -> bool:
    state = inspect(obj)
    if columns is None:
        return any(
            state.attrs[attribute.key].history.has_changes()
            for attribute in state.mapper.column_attrs
        )
    return any(state.attrs[name].history.has_changes() for name in columns)


def _changed_areas(session: Session) -> set[str]:
    areas: set[str] = set()
    for obj in (*session.new, *session.deleted):
        watched = WATCHED.get(type(obj))
        if watched is not None:
            areas.add(watched[0])
    for obj in session.dirty:
        watched = WATCHED.get(type(obj))
        if watched is not None and watched[0] not in areas and _is_changed(obj, watched[1]):
            areas.add(watched[0])
    return areas


def has_pending_changes(session: Session) -> bool:
    """True when the session holds unflushed changes of watched rows.

    A lookup that serves watched rows from a cache flushes first in that case (the query it
    saves would have autoflushed them, and the flush bumps their stamp); changes of other rows
    need no flush, since the answer does not depend on them.
    """
    if not session.autoflush:
        return False
    return any(
        type(obj) in WATCHED
        for group in (session.new, session.deleted, session.dirty)
        for obj in group
    )


def _already_bumped(session: Session, key: str) -> bool:
    """True when this flush writes the stamp of ``key`` anyway (an explicit :func:`bump`)."""
    if _pending_stamp(session, key) is not None:
        return True
    row = session.identity_map.get(inspect(Stamp).identity_key_from_primary_key((key,)))
    return row is not None and inspect(row).attrs.value.history.has_changes()


@event.listens_for(Session, "before_flush")
def _bump_changed_areas(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    """Bump the stamp of every area whose rows this flush changes (see the module docstring)."""
    for area in sorted(_changed_areas(session)):
        if not _already_bumped(session, area):
            _write(session, area)
