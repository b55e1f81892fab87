"""Set-up of the list benchmark (not timed): many records, twice — as Formflow stores them and
in a plain table with one native, typed column per field.

Records go straight into ``records`` with batched ``executemany`` (creating a million through
the service would take an hour and measure nothing new). The plain table
``bench_native_orders`` holds the same documents: scalar fields in typed columns (numbers,
dates, times, booleans, text), lists and objects in JSON columns, and an ordinary index on
``amount``. It is what a developer would build for this one form by hand: the physical limit
for the same query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Time,
    func,
    insert,
    select,
)
from sqlalchemy.types import TypeEngine

from formflow.bench.seed import BenchForm, BenchWorld
from formflow.bench.workload import order_document
from formflow.i18n import Msg, _
from formflow.storage.db import Database
from formflow.storage.models import Record
from formflow.storage.types import BigId, JsonDoc

BATCH = 10_000
NATIVE_TABLE = "bench_native_orders"

Progress = Callable[[Msg], None]

#: Exact decimals on PostgreSQL; SQLite's native number is REAL (it has no decimal type).
_MONEY: TypeEngine[Any] = Numeric(18, 2).with_variant(Float(), "sqlite")
_RATIO: TypeEngine[Any] = Numeric(9, 4).with_variant(Float(), "sqlite")

_COLUMNS: tuple[tuple[str, TypeEngine[Any]], ...] = (
    ("title", String(100)),
    ("order_date", Date()),
    ("delivery_date", Date()),
    ("delivery_time", Time()),
    ("confirmed_at", DateTime()),
    ("buyer", Integer()),
    ("department", Integer()),
    ("supplier_name", String(100)),
    ("currency", String(8)),
    ("payment_terms", String(16)),
    ("tags", JsonDoc),
    ("urgent", Boolean()),
    ("contact_name", String(40)),
    ("contact_phone", String(20)),
    ("contact_email", String(254)),
    ("website", String(2048)),
    ("region", JsonDoc),
    ("address", String(500)),
    ("postcode", String(6)),
    ("invoice_title", String(100)),
    ("amount", _MONEY),
    ("discount", _RATIO),
    ("freight", _MONEY),
    ("tax_rate", _RATIO),
    ("priority", Integer()),
    ("rating", Integer()),
    ("location", JsonDoc),
    ("remark", Text()),
    ("approved", Boolean()),
    ("items", JsonDoc),
    ("total", _MONEY),
)


def native_table() -> Table:
    """The plain, typed table holding the same documents (not part of the platform).

    Its index on ``amount`` is made by :func:`load` after the rows are in.
    """
    return Table(
        NATIVE_TABLE,
        MetaData(),
        Column("id", BigId, primary_key=True, autoincrement=False),
        *(Column(name, type_) for name, type_ in _COLUMNS),
    )


def _native_value(value: Any, type_: TypeEngine[Any], is_sqlite: bool) -> Any:
    if isinstance(type_, Date):
        return date.fromisoformat(value)
    if isinstance(type_, Time):
        return time.fromisoformat(value)
    if isinstance(type_, DateTime):
        return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)
    if is_sqlite and isinstance(value, Decimal):
        return float(value)
    return value


def native_row(record_id: int, document: dict[str, Any], *, is_sqlite: bool) -> dict[str, Any]:
    """One row of the plain table for ``document`` (same values, native types)."""
    row: dict[str, Any] = {"id": record_id}
    for name, type_ in _COLUMNS:
        value = document.get(name)
        row[name] = None if value is None else _native_value(value, type_, is_sqlite)
    return row


def _batches(count: int, first_seed: int, world: BenchWorld) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, count, BATCH):
        stop = min(count, start + BATCH)
        yield [
            order_document(first_seed + n, buyer=world.user_id, department=world.department_id)
            for n in range(start, stop)
        ]


def load(
    database: Database,
    world: BenchWorld,
    form: BenchForm,
    count: int,
    progress: Progress,
) -> Table:
    """Insert ``count`` records of ``form`` and the same rows into the plain table.

    Returns the plain table. Its index is built after the load, as is the form's ``x-index``
    index (see :mod:`formflow.bench.listing`).
    """
    table = native_table()
    with database.engine.begin() as connection:
        table.create(connection)
    is_sqlite = database.is_sqlite
    now = datetime.now(UTC)
    records = insert(Record)
    natives = insert(table)
    loaded = 0
    for documents in _batches(count, 1_000_000, world):
        with database.engine.begin() as connection:
            ids = _next_ids(connection, len(documents))
            connection.execute(
                records,
                [
                    {
                        "id": record_id,
                        "form_id": form.form_id,
                        "form_version": form.version,
                        "data": document,
                        "status": "submitted",
                        "label": document["title"],
                        "owner_id": world.user_id,
                        "created_by": world.user_id,
                        "created_at": now,
                        "updated_at": now,
                        "submitted_at": now,
                        "version": 1,
                    }
                    for record_id, document in zip(ids, documents, strict=True)
                ],
            )
            connection.execute(
                natives,
                [
                    native_row(record_id, document, is_sqlite=is_sqlite)
                    for record_id, document in zip(ids, documents, strict=True)
                ],
            )
        loaded += len(documents)
        if loaded % (BATCH * 10) == 0 or loaded == count:
            progress(_("loaded {count} of {total} records", count=loaded, total=count))
    with database.engine.begin() as connection:
        Index(f"ix_{NATIVE_TABLE}_amount", table.c.amount).create(connection)
        if not is_sqlite:  # ids were given explicitly: move the id sequence past them
            connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('records', 'id'), "
                "(SELECT max(id) FROM records))"
            )
    return table


def _next_ids(connection: Any, count: int) -> range:
    """Ids for the next ``count`` records, continuing after the largest one in use.

    Both tables get the same ids, so "newest first" means the same rows in both.
    """
    top = connection.execute(select(func.max(Record.id))).scalar() or 0
    return range(int(top) + 1, int(top) + 1 + count)
