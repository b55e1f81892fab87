"""A form's fields keep the order their author wrote them in, on every database.

Where no layout lists the fields (and no layout ever orders a sub-table's columns), the order
of the schema's ``properties`` is the order people see them in. PostgreSQL's ``jsonb`` sorts
object keys, so definitions are stored as ``json`` text there (migration 0006).
"""

from __future__ import annotations

from formflow.services import forms
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database

#: Names a sorting store would reorder: by length and bytes, or alphabetically.
NAMES = ("zeta", "a", "middle_name", "qty", "b")


def test_fields_and_sub_table_columns_come_back_in_the_written_order(database: Database) -> None:
    columns = {name: {"type": "string"} for name in NAMES}
    schema = {
        "type": "object",
        "properties": {
            **{name: {"type": "string"} for name in NAMES},
            "lines": {"x-type": "subtable", "items": {"properties": columns}},
        },
    }
    with database.session(write=True) as session:
        forms.create_form(session, SYSTEM, key="ordered", title="Ordered", schema=schema)
    with database.session() as session:
        view = forms.get_form(session, "ordered")
        assert list(view.version.schema["properties"]) == [*NAMES, "lines"]
        compiled = forms.compiled(session, view)
    assert list(compiled.fields) == [*NAMES, "lines"]
    assert list(compiled.fields["lines"].children) == list(NAMES)
