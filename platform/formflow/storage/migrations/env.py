"""Alembic environment for Formflow's own tables.

Run through ``formflow db upgrade`` (see formflow.storage.migrate), which hands over an open
connection in ``config.attributes["connection"]``; there is no alembic.ini to keep in sync.
"""

from __future__ import annotations

from alembic import context

from formflow.storage.migrate import include_object
from formflow.storage.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable when run outside formflow
    raise RuntimeError("run migrations through `formflow db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
