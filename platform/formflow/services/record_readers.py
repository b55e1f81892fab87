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
    gone = have - wanted
    if gone:
        session.execute(
            delete(RecordReader).where(
                RecordReader.record_id == record.id, RecordReader.principal.in_(sorted(gone))
            )
        )
    for principal in sorted(wanted - have):
        session.add(RecordReader(record_id=record.id, principal=principal))
