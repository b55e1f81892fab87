"""Value slots: indexed form fields kept in real columns of ``records``.

Neither database counts the rows matching a filter on an indexed *expression* from the index
alone: PostgreSQL reads every matching row to re-check the expression, and SQLite (3.40) never
treats an expression index as covering. At a million records that is most of a filtered
list's time. A plain column with a plain index has no such cost. So each form may keep up to
eight numeric and eight text ``x-index`` fields in the columns ``ixn_1..ixn_8`` and
``ixt_1..ixt_8`` (migration 0004 on PostgreSQL, 0005 on SQLite), each with a partial index over
the form's live records.

* :func:`assign_slots` (at publish) gives each indexed field a slot, fills the slot for the
  records that exist, and builds its index. A slot stays with its field for good, so the
  mapping a version recorded stays true for every record of the form.
* A trigger fills the slots from ``data`` on every insert and on every update of ``data``,
  with the very expressions of :mod:`formflow.storage.json_fields`; no write path can forget
  them.
* Queries use a slot through :func:`formflow.storage.json_fields.json_field` when they are
  given the form's mapping (``FormVersion.index_slots``); without it they use the JSON
  expression, which gives the same answer more slowly.

Both databases the platform runs on have the slots; a form whose indexed fields outnumber
the slots of their kind keeps expression indexes for the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from formflow.storage.json_fields import (
    SLOT_PREFIXES,
    FieldKind,
    check_field_name,
    drop_field_index,
    field_expression,
    index_name,
)
from formflow.storage.models import FormIndexSlot

#: As many as migrations 0004 and 0005 created of each kind.
SLOTS_PER_KIND = 8
SLOTS: dict[FieldKind, tuple[str, ...]] = {
    kind: tuple(f"{prefix}{number}" for number in range(1, SLOTS_PER_KIND + 1))
    for kind, prefix in SLOT_PREFIXES.items()
}
ALL_SLOTS = frozenset(slot for slots in SLOTS.values() for slot in slots)


def slot_kind(slot: str) -> FieldKind:
    """The kind of value a slot column holds."""
    return next(kind for kind, prefix in SLOT_PREFIXES.items() if slot.startswith(prefix))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _assigned(session: Session, form_id: int) -> dict[str, str]:
    rows = session.execute(
        select(FormIndexSlot.slot, FormIndexSlot.field).where(FormIndexSlot.form_id == form_id)
    )
    return {slot: field for slot, field in rows}  # noqa: C416 - rows are Row objects


def assign_slots(session: Session, form_id: int, fields: Mapping[str, FieldKind]) -> dict[str, str]:
    """Give each indexed field of a form a slot (if one is free); return field -> slot.

    Fields already in a slot of their kind keep it. A field that finds no free slot is left
    out and keeps its expression index. When a slot is newly given, the ``records`` table is
    locked against writes until the publishing transaction ends: writers that began earlier
    have finished, so the fill sees their rows, and writers that come later wait, so their
    trigger sees the new slot. On PostgreSQL that is ``LOCK TABLE ... SHARE ROW EXCLUSIVE`` (as
    an index build would take); on SQLite, the write lock every write transaction holds.
    """
    if not fields:
        return {}
    assigned = _assigned(session, form_id)
    added = False
    if any(_find(assigned, name, kind) is None for name, kind in fields.items()):
        if _dialect(session) == "postgresql":
            session.execute(text("LOCK TABLE records IN SHARE ROW EXCLUSIVE MODE"))
        assigned = _assigned(session, form_id)  # another publish may have been first
        for name, kind in sorted(fields.items()):
            if _find(assigned, name, kind) is None:
                free = next((slot for slot in SLOTS[kind] if slot not in assigned), None)
                if free is not None:
                    _fill(session, form_id, check_field_name(name), kind, free)
                    assigned[free] = name
                    added = True
    _ensure_indexes(session, form_id, assigned, rebuild=added)
    mapping: dict[str, str] = {}
    for name, kind in fields.items():
        slot = _find(assigned, name, kind)
        if slot is not None:
            mapping[name] = slot
    return mapping


def ensure_slot_indexes(session: Session, form_id: int) -> list[str]:
    """Create (if missing) every index over a form's slots; return their names."""
    return _ensure_indexes(session, form_id, _assigned(session, form_id), rebuild=False)


def _ensure_indexes(
    session: Session, form_id: int, assigned: Mapping[str, str], *, rebuild: bool
) -> list[str]:
    if not assigned:
        return []
    names = [_ensure_slot_index(session, form_id, slot) for slot in sorted(assigned)]
    if _dialect(session) == "postgresql":
        names.append(_ensure_id_index(session, form_id, sorted(assigned), rebuild=rebuild))
    return names


def _find(assigned: Mapping[str, str], name: str, kind: FieldKind) -> str | None:
    return next(
        (slot for slot, field in assigned.items() if field == name and slot_kind(slot) is kind),
        None,
    )


def _fill(session: Session, form_id: int, name: str, kind: FieldKind, slot: str) -> None:
    session.add(FormIndexSlot(form_id=form_id, slot=slot, field=name))
    session.flush()
    expression = field_expression(_dialect(session), name, kind)
    session.execute(
        text(
            f"UPDATE records SET {slot} = {expression} "  # noqa: S608 - checked names
            f"WHERE form_id = {int(form_id)}"
        )
    )
    # Queries given the mapping read the slot; the expression index would only cost writes.
    drop_field_index(session, form_id, name, kind)


def _ensure_slot_index(session: Session, form_id: int, slot: str) -> str:
    """Create (if missing) the partial index of one slot over the form's live records.

    The index carries the record id too, so a filtered page in id order (the default list) is
    found from the index alone: the matching ids sorted, then only the page's rows read. SQLite
    has the id in every index (the rowid) but uses an index as covering only when it holds
    every column the query names, so there it carries the columns of the partial index's
    condition as well.
    """
    if slot not in ALL_SLOTS:
        raise ValueError(f"not a value slot: {slot!r}")
    index = slot_index_name(form_id, slot)
    if _dialect(session) == "sqlite":
        columns = f"({slot}, form_id, deleted_at)"
    else:
        columns = f"({slot}) INCLUDE (id)"
    session.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS {index} ON records {columns} "
            f"WHERE form_id = {int(form_id)} AND deleted_at IS NULL"
        )
    )
    return index


def _ensure_id_index(session: Session, form_id: int, slots: list[str], *, rebuild: bool) -> str:
    """The form's live records in id order, carrying every slot of the form.

    A list shows the newest records first; with a filter on slotted fields, PostgreSQL walks
    this index backwards and tests the filter on the values it carries, never reading a row
    until the page's ids are known (0.4 ms against 2.7 ms for a 1% filter over a million
    records). Rebuilt when the form gains a slot, inside the publish that gave it.
    """
    index = slot_index_name(form_id, "byid")
    if rebuild:
        session.execute(text(f"DROP INDEX IF EXISTS {index}"))
    columns = ", ".join(slot for slot in slots if slot in ALL_SLOTS)
    session.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS {index} ON records (id) INCLUDE ({columns}) "
            f"WHERE form_id = {int(form_id)} AND deleted_at IS NULL"
        )
    )
    return index


def slot_index_name(form_id: int, slot: str) -> str:
    """The name of a slot's partial index."""
    return index_name("ixs", int(form_id), [slot])
