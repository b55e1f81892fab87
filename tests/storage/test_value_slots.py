"""Value slots: indexed fields kept in real columns, filled by the database.

What must hold, on SQLite and PostgreSQL: every slot holds exactly what the JSON document says
(as the field's expression reads it on that database), whatever wrote the row and whenever the
slot was given; a slot stays with its field; a form with more indexed fields than slots still
works; and lists read through the slots give the answers they give without them.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text, update

from formflow.services import forms as form_service
from formflow.services.actor import SYSTEM
from formflow.services.record_lists import list_records
from formflow.services.records import create_record, update_record
from formflow.storage.db import Database
from formflow.storage.models import FormIndexSlot, Record
from formflow.storage.value_slots import SLOTS_PER_KIND

FORM = "slotted"


def _schema(*, indexed: tuple[str, ...] = ("amount", "title")) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "amount": {"type": "number", "x-type": "money"},
        "title": {"type": "string"},
        "code": {"type": "string"},
    }
    for name in indexed:
        properties[name] = {**properties[name], "x-index": True}
    return {"type": "object", "properties": properties}


def _slots(database: Database) -> dict[str, str]:
    with database.session() as session:
        return dict(form_service.get_form(session, FORM).version.index_slots or {})


def _slot_values(database: Database, record_id: int) -> dict[str, Any]:
    """The record's slot columns, by the field they hold."""
    slots = _slots(database)
    columns = ", ".join(slots.values())
    with database.engine.connect() as connection:
        row = connection.execute(
            text(f"SELECT {columns} FROM records WHERE id = :id"), {"id": record_id}
        ).one()
    return dict(zip(slots, row, strict=True))


def _create(database: Database, data: dict[str, Any]) -> int:
    with database.session(write=True) as session:
        return create_record(session, SYSTEM, FORM, data).record.id


def _index_definitions(database: Database) -> dict[str, str]:
    """The per-form indexes on ``records`` (``ixf_*``, ``ixs_*``) by name, with their SQL."""
    if database.is_sqlite:
        listed = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'records' AND (name LIKE 'ixf%' OR name LIKE 'ixs%')"
        )
    else:
        listed = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = 'records' AND (indexname LIKE 'ixf%' OR indexname LIKE 'ixs%')"
        )
    with database.engine.connect() as connection:
        return {name: sql for name, sql in connection.execute(text(listed))}  # noqa: C416


def test_publishing_gives_each_indexed_field_a_slot_and_its_index(database: Database) -> None:
    with database.session(write=True) as session:
        form_service.create_form(session, SYSTEM, key=FORM, title="Slots", schema=_schema())
    slots = _slots(database)
    indexes = _index_definitions(database)
    form_id = _form_id(database)
    assert slots == {"amount": "ixn_1", "title": "ixt_1"}
    assert {f"ixs_{form_id}_ixn_1", f"ixs_{form_id}_ixt_1"} <= set(indexes)
    assert not any(name.startswith("ixf_") for name in indexes)
    if database.is_sqlite:
        # Only an index holding every column the list query names is used as covering.
        assert "(ixn_1, form_id, deleted_at)" in indexes[f"ixs_{form_id}_ixn_1"]


def _form_id(database: Database) -> int:
    with database.session() as session:
        return form_service.get_form(session, FORM).form.id


def test_the_database_keeps_each_slot_equal_to_the_document(database: Database) -> None:
    with database.session(write=True) as session:
        form_service.create_form(session, SYSTEM, key=FORM, title="Slots", schema=_schema())
    record_id = _create(database, {"amount": Decimal("12.50"), "title": "张三"})
    assert _slot_values(database, record_id) == {"amount": Decimal("12.50"), "title": "张三"}
    with database.session(write=True) as session:
        version = session.get_one(Record, record_id).version
        update_record(
            session, SYSTEM, record_id, {"amount": Decimal("99"), "title": None}, version=version
        )
    assert _slot_values(database, record_id) == {"amount": Decimal("99"), "title": None}
    # A write that bypasses the services (a bulk update, a data migration) is covered too.
    # A value of the wrong JSON type never fails the write: PostgreSQL leaves a number slot
    # empty and keeps text as text; SQLite keeps what json_extract reads, as its queries do.
    with database.engine.begin() as connection:
        connection.execute(
            update(Record)
            .where(Record.id == record_id)
            .values(data={"amount": "not a number", "title": 42})
        )
    odd = _slot_values(database, record_id)
    if database.is_sqlite:
        assert odd == {"amount": "not a number", "title": 42}
    else:
        assert odd == {"amount": None, "title": "42"}


def test_a_slot_given_later_is_filled_for_existing_records_and_stays_with_its_field(
    database: Database,
) -> None:
    with database.session(write=True) as session:
        form_service.create_form(
            session, SYSTEM, key=FORM, title="Slots", schema=_schema(indexed=("title",))
        )
    first = _create(database, {"amount": Decimal("7"), "title": "one", "code": "A-1"})
    with database.session(write=True) as session:
        form_service.publish_version(
            session, SYSTEM, FORM, schema=_schema(indexed=("title", "code", "amount"))
        )
    slots = _slots(database)
    # ``title`` keeps the slot it had; the new fields take the next free ones.
    assert slots == {"title": "ixt_1", "code": "ixt_2", "amount": "ixn_1"}
    indexes = _index_definitions(database)
    form_id = _form_id(database)
    assert {f"ixs_{form_id}_{slot}" for slot in slots.values()} <= set(indexes)
    if not database.is_sqlite:
        # The form's id-ordered index was rebuilt to carry the new slots too.
        assert "(id) INCLUDE (ixn_1, ixt_1, ixt_2)" in indexes[f"ixs_{form_id}_byid"]
    assert _slot_values(database, first) == {
        "title": "one",
        "code": "A-1",
        "amount": Decimal("7"),
    }
    with database.session(write=True) as session:
        form_service.publish_version(session, SYSTEM, FORM, schema=_schema(indexed=("code",)))
    # A field that is no longer indexed keeps its slot (older versions' mappings stay true).
    assert _slots(database) == {"code": "ixt_2"}
    with database.session() as session:
        kept = dict(
            session.execute(
                select(FormIndexSlot.slot, FormIndexSlot.field).where(
                    FormIndexSlot.form_id == _form_id(database)
                )
            ).all()
        )
    assert kept == {"ixt_1": "title", "ixt_2": "code", "ixn_1": "amount"}


def test_fields_beyond_the_slots_keep_their_expression_index_and_filter_the_same(
    database: Database,
) -> None:
    names = [f"n{number}" for number in range(SLOTS_PER_KIND + 2)]
    schema = {
        "type": "object",
        "properties": {name: {"type": "integer", "x-index": True} for name in names},
    }
    with database.session(write=True) as session:
        form_service.create_form(session, SYSTEM, key=FORM, title="Many", schema=schema)
    for number in range(6):
        _create(database, dict.fromkeys(names, number))
    slots = _slots(database)
    assert len(slots) == SLOTS_PER_KIND
    with database.session() as session:
        for name in names:
            page = list_records(session, SYSTEM, FORM, filter_text=f"{name} >= 4", sort=f"-{name}")
            assert page.total == 2
            assert [record.data[name] for record in page.items] == [5, 4]


def test_lists_read_through_slots_agree_with_the_documents(database: Database) -> None:
    with database.session(write=True) as session:
        form_service.create_form(session, SYSTEM, key=FORM, title="Slots", schema=_schema())
    amounts = ["0.10", "3", "3.00", "250.5", "1000", "-4"]
    for number, amount in enumerate(amounts):
        _create(database, {"amount": Decimal(amount), "title": f"t{number % 3}"})
    _create(database, {"title": "no amount"})
    with database.session() as session:
        page = list_records(
            session, SYSTEM, FORM, filter_text="amount >= 3 and title != 't0'", sort="amount"
        )
        # Equal amounts (3 and 3.00) keep the order of their ids.
        assert [str(record.data["amount"]) for record in page.items] == ["3", "3.00", "1000"]
        by_title = list_records(session, SYSTEM, FORM, sort="-title", limit=3)
        assert [record.data["title"] for record in by_title.items] == ["t2", "t2", "t1"]
        # Nulls last, in both directions, as the JSON expression sorts them.
        ascending = list_records(session, SYSTEM, FORM, sort="amount")
        assert ascending.items[-1].data["title"] == "no amount"


def test_a_write_waiting_on_the_publish_that_gives_a_slot_fills_it(database: Database) -> None:
    """The publish locks out writers until it commits; a writer that waited, with the form as
    it read it before, still stores the slot (the trigger reads the mapping at write time)."""
    with database.session(write=True) as session:
        form_service.create_form(
            session, SYSTEM, key=FORM, title="Slots", schema=_schema(indexed=())
        )
    _create(database, {"code": "before"})  # warms the writer's cached view of the form
    written: list[int] = []
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            written.append(_create(database, {"code": "during", "title": "x"}))
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=writer)
    with database.session(write=True) as session:
        form_service.publish_version(session, SYSTEM, FORM, schema=_schema(indexed=("code",)))
        session.flush()
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the writer did not wait for the publish"
    thread.join(timeout=30)
    assert not thread.is_alive() and not failures, failures
    with database.session() as session:
        page = list_records(session, SYSTEM, FORM, filter_text="code = 'during'")
    assert [record.id for record in page.items] == written
    assert _slot_values(database, written[0]) == {"code": "during"}
