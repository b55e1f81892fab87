"""SQL access to one top-level field of a record's JSON data, and the indexes that serve it.

:func:`json_field` renders the *same* expression for filters, sorting and index definitions, so
that the database can answer a filter on an ``x-index`` field with an index range scan:

* SQLite: ``json_extract(data, '$."amount"')`` (numbers come back as numbers, text as text);
* PostgreSQL: ``(data ->> 'amount')`` for text, and for numbers
  ``CASE WHEN jsonb_typeof(data -> 'amount') = 'number' THEN (data ->> 'amount')::numeric END``
  — the guard keeps a cast error in one odd row from failing a whole query or an insert;
* on either, for a field the form keeps in a value slot, that plain column
  (``records.ixn_1``), which a trigger fills with the same expression
  (:mod:`formflow.storage.value_slots`).

Field names are inlined into the SQL text, which is only safe because they are checked against
:data:`FIELD_NAME` here (and form definitions only allow such names). Values never are inlined.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Numeric, String, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean, TypeEngine

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
SLOT_NAME = re.compile(r"^ix[nt]_[1-9][0-9]?$")


class FieldKind(StrEnum):
    NUMBER = "number"
    TEXT = "text"
    BOOLEAN = "boolean"


#: How the value slot columns of each kind are named (``ixn_1``, ``ixt_1``; see value_slots).
SLOT_PREFIXES = {FieldKind.NUMBER: "ixn_", FieldKind.TEXT: "ixt_"}

_TYPES: dict[FieldKind, TypeEngine[Any]] = {
    FieldKind.NUMBER: Numeric(),
    FieldKind.TEXT: String(),
    FieldKind.BOOLEAN: Boolean(),
}


def check_field_name(name: str) -> str:
    """Return ``name`` if it may be inlined into SQL, else raise ``ValueError``."""
    if not FIELD_NAME.match(name):
        raise ValueError(f"not a field name: {name!r}")
    return name


class JsonField(ColumnElement[Any]):
    """``<column>.<name>`` as a typed SQL expression (see the module docstring)."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's cache-key protocol
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
        ("kind_name", InternalTraversal.dp_string),
        ("slot", InternalTraversal.dp_string),
    ]

    def __init__(
        self, column: ColumnElement[Any], name: str, kind: FieldKind, slot: str = ""
    ) -> None:
        self.column = column
        self.name = check_field_name(name)
        self.kind = kind
        self.kind_name = kind.value
        if slot and not SLOT_NAME.match(slot):
            raise ValueError(f"not a value slot: {slot!r}")
        self.slot = slot
        self.type = _TYPES[kind]


def json_field(
    column: ColumnElement[Any],
    name: str,
    kind: FieldKind,
    slots: Mapping[str, str] | None = None,
) -> JsonField:
    """Field ``name`` of the JSON ``column`` as a value of ``kind``.

    ``slots`` is the form's field -> value slot mapping (``FormVersion.index_slots``): a field
    kept in a slot of its kind is read from that column, whose plain index answers counts
    without reading rows (see :mod:`formflow.storage.value_slots`).
    """
    slot = (slots or {}).get(name, "")
    if slot and SLOT_PREFIXES.get(kind) != slot[:4]:
        slot = ""  # the slot holds the field as another kind (the field changed type)
    return JsonField(column, name, kind, slot)


def _slot_column(column: str, slot: str) -> str:
    """The slot column of the same table (or alias) as the JSON document ``column``."""
    table, dot, _name = column.rpartition(".")
    return f"{table}{dot}{slot}"


@compiles(JsonField, "sqlite")
def _compile_sqlite(element: JsonField, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    if element.slot:
        return _slot_column(column, element.slot)
    return sqlite_expression(column, element.name)


@compiles(JsonField, "postgresql")
def _compile_postgresql(element: JsonField, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    if element.slot:
        return _slot_column(column, element.slot)
    return pg_expression(column, element.name, element.kind)


def sqlite_expression(column: str, name: str) -> str:
    return f"json_extract({column}, '$.\"{name}\"')"


def pg_expression(column: str, name: str, kind: FieldKind) -> str:
    if kind is FieldKind.NUMBER:
        return (
            f"(CASE WHEN jsonb_typeof({column} -> '{name}') = 'number' "
            f"THEN ({column} ->> '{name}')::numeric END)"
        )
    if kind is FieldKind.BOOLEAN:
        return (
            f"(CASE WHEN jsonb_typeof({column} -> '{name}') = 'boolean' "
            f"THEN ({column} ->> '{name}')::boolean END)"
        )
    return f"({column} ->> '{name}')"


def field_expression(dialect: str, name: str, kind: FieldKind) -> str:
    """Field ``name`` of ``records.data`` as index definitions and value slots compute it."""
    if dialect == "sqlite":
        return sqlite_expression("data", name)
    return pg_expression("data", name, kind)


def index_name(prefix: str, form_id: int, names: Sequence[str]) -> str:
    joined = "_".join(names)
    name = f"{prefix}_{form_id}_{joined}"
    if len(name) > 60:  # PostgreSQL truncates identifiers at 63 bytes
        digest = hashlib.sha1(joined.encode(), usedforsecurity=False).hexdigest()[:10]
        name = f"{prefix}_{form_id}_{digest}"
    return name


def field_index_name(form_id: int, name: str, kind: FieldKind) -> str:
    """The name of the expression index :func:`ensure_field_index` builds."""
    return index_name("ixf", int(form_id), [check_field_name(name), kind.value])


def ensure_field_index(session: Session, form_id: int, name: str, kind: FieldKind) -> str:
    """Create (if missing) the partial expression index for one ``x-index`` field of a form.

    The index covers only the form's live rows (``WHERE form_id = N AND deleted_at IS NULL``,
    which every list query says too), so a count of a filtered list is answered from the index
    alone; queries compiled by :func:`json_field` match its expression exactly.

    PostgreSQL keeps no statistics for expressions of *partial* indexes, so it would guess a
    third of the rows match any range and scan the table; extended statistics on the expression
    (PostgreSQL 14+) give the planner the real distribution after the next ANALYZE.
    Runs inside the publishing transaction.
    """
    index = field_index_name(form_id, name, kind)
    dialect = session.get_bind().dialect.name
    expression = field_expression(dialect, name, kind)
    session.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS {index} ON records ({expression}) "
            f"WHERE form_id = {int(form_id)} AND deleted_at IS NULL"
        )
    )
    if dialect == "postgresql" and _server_version(session) >= 140000:
        statistics = index_name("stx", int(form_id), [name, kind.value])
        session.execute(
            text(f"CREATE STATISTICS IF NOT EXISTS {statistics} ON ({expression}) FROM records")
        )
    return index


def drop_field_index(session: Session, form_id: int, name: str, kind: FieldKind) -> None:
    """Drop the expression index of a field (and its statistics), if there is one."""
    session.execute(text(f"DROP INDEX IF EXISTS {field_index_name(form_id, name, kind)}"))
    if session.get_bind().dialect.name == "postgresql":
        statistics = index_name("stx", int(form_id), [check_field_name(name), kind.value])
        session.execute(text(f"DROP STATISTICS IF EXISTS {statistics}"))


def _server_version(session: Session) -> int:
    version = session.get_bind().dialect.server_version_info or (0,)
    return int(version[0]) * 10000 + (int(version[1]) if len(version) > 1 else 0)


def ensure_unique_index(
    session: Session, form_id: int, fields: Sequence[tuple[str, FieldKind]]
) -> str:
    """Create the unique partial index behind ``x-unique`` / ``x-unique-together``.

    Live, non-draft records of the form may not share the values; the database enforces it,
    so two concurrent writers cannot both succeed.
    """
    names = [check_field_name(name) for name, _kind in fields]
    index = index_name("uxf", int(form_id), names)
    dialect = session.get_bind().dialect.name
    expressions = ", ".join(field_expression(dialect, name, kind) for name, kind in fields)
    session.execute(
        text(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {index} ON records ({expressions}) "
            f"WHERE form_id = {int(form_id)} AND deleted_at IS NULL AND status <> 'draft'"
        )
    )
    return index


def unique_index_names(form_id: int, groups: Sequence[Sequence[str]]) -> dict[str, list[str]]:
    """Index name -> field names, to explain which unique rule a violation broke."""
    return {index_name("uxf", int(form_id), list(group)): list(group) for group in groups}
