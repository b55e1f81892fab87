"""Reader principals of records (the form keyword x-readers), matched in SQL by principal.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_readers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("principal", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_readers_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_readers")),
        sa.UniqueConstraint(
            "record_id", "principal", name=op.f("uq_record_readers_record_id_principal")
        ),
    )
    with op.batch_alter_table("record_readers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_record_readers_principal", ["principal", "record_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("record_readers", schema=None) as batch_op:
        batch_op.drop_index("ix_record_readers_principal")
    op.drop_table("record_readers")
