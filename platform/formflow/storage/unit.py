"""Lookups remembered for one unit of work (one database transaction of one session).

A write reads the same things several times — the change stamps, the form and its version,
the org chart, the calendar — from different services. :func:`unit_cache` gives each of them
a dictionary in ``session.info`` that lives exactly as long as the session's transaction:
it is dropped when the transaction ends (commit, rollback or close) and whenever a rollback
happens, savepoints included, so nothing read or written in work that was undone, and
nothing read in one transaction, is ever served to the next. (Caches that outlive a
transaction are keyed by a change stamp instead; see :mod:`formflow.storage.stamps`.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_INFO_KEY = "formflow.unit"


def unit_cache(session: Session, name: str) -> dict[Any, Any]:
    """The dictionary called ``name`` for the session's current unit of work."""
    caches: dict[str, dict[Any, Any]] | None = session.info.get(_INFO_KEY)
    if caches is None:
        caches = session.info[_INFO_KEY] = {}
    cache = caches.get(name)
    if cache is None:
        cache = caches[name] = {}
    return cache


def forget(session: Session) -> None:
    """Drop everything remembered for the session's unit of work."""
    session.info.pop(_INFO_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        forget(session)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: SessionTransaction) -> None:
    forget(session)
