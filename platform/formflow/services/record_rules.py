"""Form rules that need the database, applied inside the writing transaction.

* references: every user, department and linked record a submission names must exist, be
  active, and (for records) be visible to the acting user — a client-supplied id is never
  trusted (IDOR);
* serial numbers: one counter row per (form, field, period), incremented under its row lock;
* unique keys: enforced by unique indexes; a violation becomes a clear error on its fields;
* rollups and aggregate constraints: see :mod:`formflow.services.ledgers`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from formflow.errors import ConstraintViolated, Issue
from formflow.forms import CompiledForm
from formflow.i18n import _
from formflow.services.actor import Actor
from formflow.services.authz import can_read_record
from formflow.services.org import load_org_chart
from formflow.storage.json_fields import unique_index_names
from formflow.storage.models import Form, Record, SerialCounter


def check_references(
    session: Session, actor: Actor, form: CompiledForm, data: Mapping[str, Any]
) -> list[Issue]:
    """Issues for ids in ``data`` that do not exist, are inactive, or are not visible."""
    references = form.references(data)
    if not references:
        return []
    by_kind: dict[str, set[int]] = defaultdict(set)
    for ref in references:
        by_kind[ref.kind].add(ref.id)
    # People and departments come from the org chart (cached per org stamp), not a query.
    org = load_org_chart(session) if by_kind["user"] or by_kind["department"] else None
    active_users = {
        ident
        for ident in by_kind["user"]
        if org is not None and (user := org.user(ident)) is not None and user.active
    }
    departments = {
        ident for ident in by_kind["department"] if org is not None and ident in org.departments
    }
    records: dict[int, tuple[Record, Form]] = {}
    if by_kind["record"]:
        rows = session.execute(
            select(Record, Form)
            .join(Form, Form.id == Record.form_id)
            .where(Record.id.in_(by_kind["record"]), Record.deleted_at.is_(None))
        ).all()
        records = {record.id: (record, form_row) for record, form_row in rows}
    issues: list[Issue] = []
    for ref in references:
        if ref.kind == "user" and ref.id not in active_users:
            issues.append(
                Issue(
                    ref.path,
                    _("User {id} does not exist or is deactivated.", id=ref.id),
                    "unknown_user",
                )
            )
        elif ref.kind == "department" and ref.id not in departments:
            issues.append(
                Issue(
                    ref.path, _("Department {id} does not exist.", id=ref.id), "unknown_department"
                )
            )
        elif ref.kind == "record":
            found = records.get(ref.id)
            if (
                found is None
                or (ref.form is not None and found[1].key != ref.form)
                or not can_read_record(session, actor, found[1], found[0])
            ):
                issues.append(
                    Issue(
                        ref.path,
                        _(
                            "There is no record {id} of {form} that you can see.",
                            id=ref.id,
                            form=ref.form or "?",
                        ),
                        "unknown_record",
                    )
                )
    return issues


def assign_serials(
    session: Session, form_row: Form, form: CompiledForm, data: dict[str, Any], today: date
) -> None:
    """Fill every serial-number field of ``data`` that is still empty.

    The counter row is created if missing (``ON CONFLICT DO NOTHING``) and then incremented
    with ``UPDATE ... RETURNING``: the row lock makes concurrent submissions queue, so two
    records never get the same number.
    """
    for name, spec in form.serial_fields.items():
        if data.get(name) or spec.serial is None:
            continue
        period = spec.serial.period_key(today)
        table: Any = SerialCounter.__table__
        dialect = session.get_bind().dialect.name
        values = {"form_id": form_row.id, "field": name, "period": period, "value": 0}
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: PLC0415

            session.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: PLC0415

            session.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
        number = session.execute(
            update(SerialCounter)
            .where(
                SerialCounter.form_id == form_row.id,
                SerialCounter.field == name,
                SerialCounter.period == period,
            )
            .values(value=SerialCounter.value + 1)
            .returning(SerialCounter.value)
        ).scalar_one()
        data[name] = spec.serial.render(number, today)


@contextmanager
def unique_values(form_row: Form, form: CompiledForm) -> Iterator[None]:
    """Turn a unique-index violation in the block into :class:`ConstraintViolated` on its fields.

    No savepoint: the error fails the caller's unit of work, and ``begin_nested`` would flush
    the pending rows before its savepoint began anyway.
    """
    try:
        yield
    except IntegrityError as exc:
        names = unique_index_names(form_row.id, form.unique_together)
        text = str(exc.orig)
        for index_name, fields in names.items():
            if index_name in text:
                raise ConstraintViolated(
                    [
                        Issue(
                            f"$.{field}",
                            _(
                                "Another record already has this value of {fields}.",
                                fields=", ".join(fields),
                            ),
                            "unique",
                        )
                        for field in fields
                    ]
                ) from None
        raise


def flush_checking_unique(session: Session, form_row: Form, form: CompiledForm) -> None:
    """Flush; a unique-index violation becomes :class:`ConstraintViolated` on its fields."""
    with unique_values(form_row, form):
        session.flush()
