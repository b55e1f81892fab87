"""Value slots on SQLite: the columns of migration 0004, filled by triggers.

SQLite answers a filtered count from a partial *expression* index, but (as of 3.40) never from
that index alone: it cannot treat an index on ``json_extract(...)`` as covering, so every page
of ids sorted after a filter and every count costs two to three times the same query on a
plain column. With the indexed fields' values in real columns, an index on
``(slot, form_id, deleted_at)`` covers the whole list query.

The columns are declared without a type, so SQLite applies no type affinity: a slot holds
exactly the value ``json_extract(data, '$."field"')`` returns (a number stays a number, a
string stays a string, even one that looks like a number), which is what queries on the
expression compare. SQLite triggers cannot change the row being written, so an ``AFTER``
trigger updates the slots of the row just inserted, or whose document or form changed; the
``WHEN`` clause keeps forms without slots from paying for it. Publishing on SQLite holds the
database's write lock, so no writer can store a record between a slot's assignment and the
backfill of existing records.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 22:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen here on purpose, as in 0004.
SLOTS = [f"ixn_{number}" for number in range(1, 9)] + [f"ixt_{number}" for number in range(1, 9)]

_ASSIGNMENTS = ",\n        ".join(
    f"{slot} = (SELECT json_extract(NEW.data, '$.\"' || s.field || '\"') "  # noqa: S608 - constants
    f"FROM form_index_slots AS s WHERE s.form_id = NEW.form_id AND s.slot = '{slot}')"
    for slot in SLOTS
)

_TRIGGER = """
CREATE TRIGGER {name} AFTER {event} ON records
WHEN EXISTS (SELECT 1 FROM form_index_slots WHERE form_id = NEW.form_id)
BEGIN
    UPDATE records SET
        {assignments}
    WHERE id = NEW.id;
END
"""

_TRIGGERS = {
    "trg_records_value_slots_insert": "INSERT",
    "trg_records_value_slots_update": "UPDATE OF data, form_id",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for slot in SLOTS:
        op.execute(f"ALTER TABLE records ADD COLUMN {slot}")
    for name, event in _TRIGGERS.items():
        op.execute(_TRIGGER.format(name=name, event=event, assignments=_ASSIGNMENTS))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for slot in SLOTS:
        op.execute(f"ALTER TABLE records DROP COLUMN {slot}")
