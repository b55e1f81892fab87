"""Definition rows read by every write, served from a process cache keyed by change stamps.

A record write needs its form, the form's version and grants; a submission also the form's
flow and that flow's version; every write the form's automations. These rows change rarely,
and every change gives their area a new stamp (:mod:`formflow.storage.stamps`), so a process
keeps detached copies of them keyed by the stamp and hands each unit of work its own
session-bound copy (``Session.merge(load=False)``: no SQL). The copies behave exactly like rows
just read: a service may change them and the change is flushed as usual.

Within a unit of work:

* pending changes of watched rows are flushed first, as the query this replaces would have
  autoflushed them (the flush bumps the stamp of what changed, so the lookup then reads the
  new rows); other pending changes wait for the next flush, as they cannot change the answer;
* a row the session already holds is returned as it is, never overwritten from the cache;
* the answer is remembered for the rest of the transaction.

Version rows (form and flow versions) are immutable by contract; their JSON values are shared
between the copies and must never be changed in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from formflow.process_cache import ProcessCache
from formflow.storage import stamps
from formflow.storage.models import (
    AutomationDefinition,
    FlowDefinition,
    FlowVersion,
    Form,
    FormGrant,
    FormVersion,
)
from formflow.storage.unit import unit_cache

T = TypeVar("T")

_SHARED: ProcessCache[tuple[Any, ...], Any] = ProcessCache(2048)


def cache_stamp(session: Session, area: str) -> str | None:
    """The key under which ``area``'s derived data may be shared between transactions.

    An area that never changed has no stamp; its data is then keyed by the forms (or org)
    stamp, which tells one database from another. None: nothing may be shared.
    """
    stamp = stamps.current(session, area)
    if stamp:
        return stamp
    database = stamps.current(session, stamps.FORMS) or stamps.current(session, stamps.ORG)
    return f"-@{database}" if database else None


def shared_get(key: tuple[Any, ...]) -> Any:
    """An entry of the process cache (None when absent)."""
    return _SHARED.get(key)


def shared_put(key: tuple[Any, ...], value: Any) -> None:
    """Remember ``value`` in the process cache (least recently used entries leave first)."""
    _SHARED.put(key, value)


def _detached_copy(obj: Any) -> Any:
    """A detached instance with the same column values as ``obj`` (which stays as it is)."""
    mapper = inspect(obj).mapper
    clone = mapper.class_()
    for attribute in mapper.column_attrs:
        setattr(clone, attribute.key, getattr(obj, attribute.key))
    make_transient_to_detached(clone)
    return clone


def _attach(session: Session, clone: Any) -> Any:
    """The session's instance of ``clone``'s row: the one it holds, or a merged copy."""
    held = session.identity_map.get(inspect(clone).key)
    if held is not None:
        return held
    return session.merge(clone, load=False)


def _unit_rows(
    session: Session, area: str, what: str, key: Any, load: Callable[[], Sequence[Any]]
) -> list[Any]:
    """Rows of ``area`` answering ``(what, key)``: from this unit, the process cache or ``load``."""
    if stamps.has_pending_changes(session):
        session.flush()
    stamp = cache_stamp(session, area)
    unit = unit_cache(session, "definitions")
    unit_key = (what, key, stamp)
    if unit_key in unit:
        rows: list[Any] = unit[unit_key]
        return rows
    shared_key = ("rows", what, key, stamp)
    copies = shared_get(shared_key) if stamp is not None else None
    if copies is None:
        rows = list(load())
        if stamp is not None:
            shared_put(shared_key, tuple(_detached_copy(row) for row in rows))
    else:
        rows = [_attach(session, copy) for copy in copies]
    unit[unit_key] = rows
    return rows


def _one(rows: list[T]) -> T | None:
    return rows[0] if rows else None


# -- forms ----------------------------------------------------------------------------------


def form_by_key(session: Session, key: str) -> Form | None:
    """The form called ``key`` (archived ones too)."""
    return _one(
        _unit_rows(
            session,
            stamps.FORMS,
            "form_key",
            key,
            lambda: list(session.scalars(select(Form).where(Form.key == key))),
        )
    )


def form_by_id(session: Session, form_id: int) -> Form | None:
    """The form with database id ``form_id``."""
    return _one(
        _unit_rows(
            session,
            stamps.FORMS,
            "form_id",
            form_id,
            lambda: [row] if (row := session.get(Form, form_id)) is not None else [],
        )
    )


def form_version(session: Session, form_id: int, version: int) -> FormVersion | None:
    """Version ``version`` of the form ``form_id``."""
    return _one(
        _unit_rows(
            session,
            stamps.FORMS,
            "form_version",
            (form_id, version),
            lambda: list(
                session.scalars(
                    select(FormVersion).where(
                        FormVersion.form_id == form_id, FormVersion.version == version
                    )
                )
            ),
        )
    )


def form_grants(session: Session, form_id: int) -> list[tuple[str, tuple[str, ...]]]:
    """The grants of a form as ``(principal, actions)`` pairs (empty: none stored)."""
    if stamps.has_pending_changes(session):
        session.flush()
    stamp = cache_stamp(session, stamps.FORMS)
    unit = unit_cache(session, "definitions")
    unit_key = ("grants", form_id, stamp)
    if unit_key not in unit:
        shared_key = ("grants", form_id, stamp)
        found = shared_get(shared_key) if stamp is not None else None
        if found is None:
            found = [
                (row.principal, tuple(row.actions))
                for row in session.scalars(
                    select(FormGrant).where(FormGrant.form_id == form_id).order_by(FormGrant.id)
                )
            ]
            if stamp is not None:
                shared_put(shared_key, found)
        unit[unit_key] = found
    grants: list[tuple[str, tuple[str, ...]]] = unit[unit_key]
    return grants


# -- flows and automations --------------------------------------------------------------------


def active_flow(session: Session, form_key: str) -> FlowDefinition | None:
    """The switched-on flow bound to the form ``form_key``, if any."""
    return _one(
        _unit_rows(
            session,
            stamps.FLOWS,
            "active_flow",
            form_key,
            lambda: list(
                session.scalars(
                    select(FlowDefinition).where(
                        FlowDefinition.form_key == form_key, FlowDefinition.active.is_(True)
                    )
                )
            ),
        )
    )


def flow_version(session: Session, flow_id: int, version: int) -> FlowVersion | None:
    """Version ``version`` of the flow ``flow_id``."""
    return _one(
        _unit_rows(
            session,
            stamps.FLOWS,
            "flow_version",
            (flow_id, version),
            lambda: list(
                session.scalars(
                    select(FlowVersion).where(
                        FlowVersion.flow_id == flow_id, FlowVersion.version == version
                    )
                )
            ),
        )
    )


def active_automations(session: Session, form_key: str) -> list[AutomationDefinition]:
    """The switched-on automations of the form ``form_key``."""
    return _unit_rows(
        session,
        stamps.AUTOMATIONS,
        "automations",
        form_key,
        lambda: list(
            session.scalars(
                select(AutomationDefinition).where(
                    AutomationDefinition.form_key == form_key,
                    AutomationDefinition.active.is_(True),
                )
            )
        ),
    )
