"""SQL elements the filter compiler needs beyond :mod:`formflow.storage.json_fields`.

:class:`JsonRaw` is a top-level field of the record's JSON *as JSON*: its exact text on SQLite
(``data -> '$."amount"'`` gives ``0.10000000000000000001`` where ``json_extract`` would give
the nearest binary ``REAL``), ``jsonb`` on PostgreSQL. The exact decimal functions read numbers
from it, and ``is_empty`` tests lists and objects with it.

Field names are inlined (checked by :func:`~formflow.storage.json_fields.check_field_name`),
exactly as ``json_field`` does; values never are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import String

from formflow.storage.json_fields import check_field_name


class JsonRaw(ColumnElement[Any]):
    """``<column>.<name>`` as JSON text (SQLite) or ``jsonb`` (PostgreSQL); NULL when absent."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's cache-key protocol
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = check_field_name(name)
        self.type = String()


@compiles(JsonRaw, "sqlite")
def _compile_sqlite(element: JsonRaw, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"({column} -> '$.\"{element.name}\"')"


@compiles(JsonRaw, "postgresql")
def _compile_postgresql(element: JsonRaw, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"({column} -> '{element.name}')"
