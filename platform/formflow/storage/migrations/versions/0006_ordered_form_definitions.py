"""Form definitions keep their key order on PostgreSQL: ``json``, not ``jsonb``.

A form's fields are the ``properties`` of its JSON Schema, and where no layout lists them the
order the author wrote them in is the order people see: on the form page, in the import
template, in a sub-table's columns (which no layout orders). ``jsonb`` keeps object keys
sorted by length and bytes, so on PostgreSQL a new order form showed ``qty`` before ``item``
while SQLite, which stores the text, showed them as written. Nothing queries inside these
documents, so ``json`` (the text as given) loses nothing. Versions stored before this
migration keep the order ``jsonb`` gave them; the next published version has the author's.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 00:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("schema", "ui")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite stores JSON as text already
    for column in COLUMNS:
        op.execute(
            f"ALTER TABLE form_versions ALTER COLUMN {column} TYPE json USING {column}::json"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(
            f"ALTER TABLE form_versions ALTER COLUMN {column} TYPE jsonb USING {column}::jsonb"
        )
