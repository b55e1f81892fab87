"""Keeping the reader principals of records (``x-readers``) in step with their data.

After every write of a record whose form declares ``x-readers``, the record's principals
(:meth:`formflow.forms.readers.ReadersSpec.principals`) are compared with its
``record_readers`` rows and the difference is written, in the same transaction. Matching them
against a user is :mod:`formflow.services.reader_access`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from formflow.forms import CompiledForm
from formflow.services import records
from formflow.services.actor import Actor
from formflow.services.evaluation import eval_context
from formflow.storage.models import Form, Record, RecordReader

#: Records whose readers are rewritten per query when a form's x-readers change.
BATCH = 500


def refresh_form_readers(session: Session, actor: Actor, form_row: Form, form: CompiledForm) -> int:
    """Rewrite the reader rows of every live record of ``form_row`` for ``form``'s
    ``x-readers`` (called when a published version changes them); returns how many records
    changed. Without ``x-readers`` the form's rows are removed."""
    ids = select(Record.id).where(Record.form_id == form_row.id)
    if form.readers is None:
        session.execute(delete(RecordReader).where(RecordReader.record_id.in_(ids)))
        return 0
    spec = form.readers
    conditional = spec.condition is not None or spec.gate is not None
    context = eval_context(session, actor) if conditional else None
    live = ids.where(Record.deleted_at.is_(None)).order_by(Record.id)
    record_ids = list(session.scalars(live))
    changed = 0
    for start in range(0, len(record_ids), BATCH):
        batch = record_ids[start : start + BATCH]
        have: dict[int, set[str]] = {}
        for record_id, principal in session.execute(
            select(RecordReader.record_id, RecordReader.principal).where(
                RecordReader.record_id.in_(batch)
            )
        ):
            have.setdefault(record_id, set()).add(principal)
        for record_id, data in session.execute(
            select(Record.id, Record.data).where(Record.id.in_(batch))
        ):
            if _rewrite(
                session, record_id, spec.principals(data or {}, context), have.get(record_id, set())
            ):
                changed += 1
    return changed


def _rewrite(session: Session, record_id: int, wanted: frozenset[str], have: set[str]) -> bool:
    gone = have - wanted
    if gone:
        session.execute(
            delete(RecordReader).where(
                RecordReader.record_id == record_id, RecordReader.principal.in_(sorted(gone))
            )
        )
    for principal in sorted(wanted - have):
        session.add(RecordReader(record_id=record_id, principal=principal))
    return bool(gone or wanted - have)


@records.on_write
def keep_readers(
    session: Session,
    actor: Actor,
    form_row: Form,
    form: CompiledForm,
    old: Mapping[str, Any] | None,
    record: Record,
) -> None:
    """Rewrite the reader rows of ``record`` when its principals changed."""
    spec = form.readers
    if spec is None:
        return
    conditional = spec.condition is not None or spec.gate is not None
    context = eval_context(session, actor) if conditional else None
    wanted = spec.principals(record.data, context)
    have = set(
        session.scalars(select(RecordReader.principal).where(RecordReader.record_id == record.id))
    )
    _rewrite(session, record.id, wanted, have)
