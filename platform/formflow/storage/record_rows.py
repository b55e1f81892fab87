"""Inserting a new record row with one prepared INSERT instead of the ORM's unit of work.

Creating records is the platform's most frequent write (forms, imports, flows creating
records of other packs). For a single new row the ORM's flush costs more than the INSERT it
emits, so :func:`insert_record` executes a Core ``INSERT ... RETURNING id`` at once and then
hands the session the object as a persistent, clean instance: later changes to it (status,
data, the version counter) are flushed as ordinary ORM updates, and ``Session.get`` finds it
without a query. Rows the session holds but has not flushed stay pending; none of them can be
needed by the INSERT (a new record refers only to its form and users, which exist).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from formflow.storage.models import Record

_TABLE: Any = Record.__table__
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
#: Every mapped column but the key; the instance must hold all of them, or the session would
#: treat the missing ones as expired and load them with a query on first access.
_COLUMNS = tuple(
    attribute.key for attribute in inspect(Record).column_attrs if attribute.key != "id"
)
#: The Python-side defaults of the columns (status, label, timestamps), as the ORM applies them.
_DEFAULTS = {
    column.key: column.default
    for column in _TABLE.columns
    if column.default is not None and column.key in _COLUMNS
}
FIRST_VERSION = 1


def _default(key: str) -> Any:
    default = _DEFAULTS.get(key)
    if default is None:
        return None
    return default.arg if default.is_scalar else default.arg(None)


def insert_record(session: Session, record: Record) -> Record:
    """Insert the new ``record`` now and make it persistent in ``session``.

    ``record`` is a transient instance; values it was not given take the column's default,
    as an ORM insert would, or NULL. It gets its id and version 1.
    """
    record.version = FIRST_VERSION
    given = inspect(record).dict
    values = {key: given[key] if key in given else _default(key) for key in _COLUMNS}
    for key, value in values.items():
        setattr(record, key, value)  # every column loaded, so none reads as expired
    record.id = session.connection().execute(_INSERT, values).scalar_one()
    make_transient_to_detached(record)
    session.add(record)
    return record
