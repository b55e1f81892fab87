"""Reading a record as one of its form's ``x-readers``: who matches, in Python and in SQL.

A record of a form with ``x-readers`` carries reader principals (``record_readers`` rows,
written by :mod:`formflow.services.record_readers`). A user matches a principal when it is
``everyone``, ``user:<their id>``, ``role:<a role they hold>`` or ``department:<their
department or any department above it>`` — computed here from the *current* org each time, so
moving a user to another department changes what they may read at once, with no rewrite of
records. Lists match with one indexed ``EXISTS`` over ``(principal, record_id)``.

Rows only count while the form's current version still declares ``x-readers`` (removing the
keyword revokes them without touching the rows). :mod:`formflow.services.authz` is the one
caller; nothing else decides.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from formflow.forms.readers import EVERYONE
from formflow.services.actor import Actor
from formflow.storage.models import Form, Record, RecordReader


def actor_principals(session: Session, actor: Actor) -> list[str]:
    """Every reader principal ``actor`` matches (empty for the system, which reads anyway)."""
    if actor.id is None:
        return []
    from formflow.services.org import load_org_chart  # noqa: PLC0415 - avoids an import cycle

    found = [EVERYONE, f"user:{actor.id}"]
    found.extend(f"role:{role}" for role in sorted(actor.roles))
    if actor.department_id is not None:
        chart = load_org_chart(session)
        found.extend(f"department:{dept.id}" for dept in chart.ancestors(actor.department_id))
    return found


def form_has_readers(session: Session, form: Form) -> bool:
    """True when the current version of ``form`` declares ``x-readers``."""
    from formflow.services import forms as form_service  # noqa: PLC0415 - import cycle

    view = form_service.get_form_by_id(session, form.id)
    return form_service.compiled(session, view).readers is not None


def is_reader(session: Session, actor: Actor, form: Form, record: Record) -> bool:
    """True when ``actor`` may read ``record`` as one of its readers."""
    principals = actor_principals(session, actor)
    if not principals:
        return False
    matched = session.scalar(
        select(RecordReader.id)
        .where(RecordReader.record_id == record.id, RecordReader.principal.in_(principals))
        .limit(1)
    )
    return matched is not None and form_has_readers(session, form)


def reader_ids(session: Session, actor: Actor, form: Form, record_ids: Sequence[int]) -> set[int]:
    """Which of ``record_ids`` (of ``form``) name ``actor`` among their readers."""
    principals = actor_principals(session, actor)
    if not principals or not record_ids or not form_has_readers(session, form):
        return set()
    return set(
        session.scalars(
            select(RecordReader.record_id)
            .where(
                RecordReader.record_id.in_(list(record_ids)),
                RecordReader.principal.in_(principals),
            )
            .distinct()
        )
    )


def reader_principals(session: Session, actor: Actor, form: Form) -> list[str]:
    """The principals through which ``actor`` may read records of ``form`` (empty: none)."""
    principals = actor_principals(session, actor)
    if not principals or not form_has_readers(session, form):
        return []
    return principals


def readers_condition(principals: Sequence[str]) -> ColumnElement[bool]:
    """A SQL condition: the record names one of ``principals`` among its readers."""
    return exists().where(
        RecordReader.record_id == Record.id, RecordReader.principal.in_(list(principals))
    )
