"""Compile a checked filter expression into a SQL condition over ``records.data``.

The compiled condition selects exactly the records for which the Python evaluator says
``true``; ``tests/storage/test_expr_sql_agreement.py`` compares both on generated forms, data
and filters, on SQLite and on PostgreSQL. ``docs/expressions.md`` ("Filters in SQL") lists what
a filter may use in the database and why the rest is refused.

* :mod:`.compiler` — computes what reads no field in Python, compiles the rest by type;
* :mod:`.calls` — the functions a database computes exactly like the evaluator;
* :mod:`.dialect`, :mod:`.postgres`, :mod:`.sqlite` — how each database does it exactly;
* :mod:`.sqlite_functions` — exact decimal and calendar functions registered on SQLite;
* :mod:`.values`, :mod:`.elements` — typed SQL values and the raw-JSON element.

Field names reach the SQL text only through :func:`~formflow.storage.json_fields.json_field`
and :class:`~.elements.JsonRaw` (checked identifiers from the form's schema); every value is a
bound parameter.
"""

from __future__ import annotations

from formflow.storage.expr_sql.compiler import FilterCompiler, compile_filter, dialect_for
from formflow.storage.expr_sql.sqlite_functions import install_sqlite_functions

__all__ = ["FilterCompiler", "compile_filter", "dialect_for", "install_sqlite_functions"]
