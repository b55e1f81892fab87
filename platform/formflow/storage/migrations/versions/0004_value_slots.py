"""Value slots: typed columns on ``records`` that hold the values of indexed form fields.

A form field marked ``x-index`` is filtered and sorted through an index. On PostgreSQL an
index on an *expression* over the JSON document cannot answer a count by itself (the planner
must read every matching row from the table to re-evaluate the expression), so a filtered
count over a million records cost several times the same count on a plain column. Here each
form may keep up to eight numeric and eight text fields in real columns (``ixn_1..8``,
``ixt_1..8``), with a partial index per form and slot; ``form_index_slots`` says which field
of which form lives in which slot.

The columns are filled by a trigger from the document itself, so every path that writes
``records.data`` — the services, bulk loads, migrations of form versions — keeps them right,
and a publish that assigns a slot under ``LOCK TABLE`` leaves no window in which a concurrent
writer could store a record with the slot empty.

SQLite answers the same filters from partial expression indexes within the target, so it gets
the mapping table (always empty there) but neither columns nor trigger.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the application's constants do.
NUMBER_SLOTS = [f"ixn_{number}" for number in range(1, 9)]
TEXT_SLOTS = [f"ixt_{number}" for number in range(1, 9)]

_EMPTY = ", ".join(f'"{slot}": null' for slot in NUMBER_SLOTS + TEXT_SLOTS)

# The values are those of storage.json_fields' PostgreSQL expressions: ``data ->> field`` for
# text, the number only when the JSON value is a number (an odd row never fails a write).
_FUNCTION = """
CREATE OR REPLACE FUNCTION formflow_fill_value_slots() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    filled jsonb;
BEGIN
    SELECT jsonb_object_agg(s.slot, CASE
        WHEN s.slot LIKE 'ixt%' THEN to_jsonb(NEW.data ->> s.field)
        WHEN jsonb_typeof(NEW.data -> s.field) = 'number' THEN NEW.data -> s.field
    END)
    INTO filled
    FROM form_index_slots AS s
    WHERE s.form_id = NEW.form_id;
    IF filled IS NOT NULL THEN  -- a form without slots leaves them empty
        NEW := jsonb_populate_record(NEW, '{@EMPTY@}'::jsonb || filled);
    END IF;
    RETURN NEW;
END
$$
""".replace("@EMPTY@", _EMPTY)


def upgrade() -> None:
    op.create_table(
        "form_index_slots",
        sa.Column("form_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("slot", sa.String(length=10), nullable=False),
        sa.Column("field", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["forms.id"],
            name=op.f("fk_form_index_slots_form_id_forms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("form_id", "slot", name=op.f("pk_form_index_slots")),
    )
    with op.batch_alter_table("form_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "index_slots",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    for slot in NUMBER_SLOTS:
        op.add_column("records", sa.Column(slot, sa.Numeric(), nullable=True))
    for slot in TEXT_SLOTS:
        op.add_column("records", sa.Column(slot, sa.Text(), nullable=True))
    op.execute(_FUNCTION)
    op.execute(
        "CREATE TRIGGER trg_records_value_slots BEFORE INSERT OR UPDATE OF data, form_id "
        "ON records FOR EACH ROW EXECUTE FUNCTION formflow_fill_value_slots()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_records_value_slots ON records")
        op.execute("DROP FUNCTION IF EXISTS formflow_fill_value_slots()")
        for slot in NUMBER_SLOTS + TEXT_SLOTS:
            op.drop_column("records", slot)
    with op.batch_alter_table("form_versions", schema=None) as batch_op:
        batch_op.drop_column("index_slots")
    op.drop_table("form_index_slots")
