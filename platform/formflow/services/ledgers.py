"""Rules over many records, kept inside the writing transaction: rollups and aggregate
constraints (PACKS.md: "collected = sum of payments of this contract", "stock may not go
negative", "debits equal credits").

* **Rollups** (``x-rollup`` on a field of form T over records of form S linked to T): whenever
  a record of S is written, the T records its link points to — before and after the change —
  are locked, their rollups recomputed in SQL, their formulas and derived status refreshed,
  and the change audited. A T record may itself feed a rollup of another form: refreshing
  cascades, up to a depth limit.
* **Aggregate constraints** (``x-aggregate-constraints`` on form S: a check over the records
  of a group, such as ``sum(qty) >= 0`` per item and warehouse): after a write, each group it
  touches is locked — a transaction-scoped advisory lock on PostgreSQL, the write lock itself
  on SQLite — and the check evaluated over the group's records, including this write. Two
  concurrent writers of the same group therefore queue, and the second sees the first.

Records that count: live (not deleted) and neither draft, rejected, withdrawn nor cancelled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import simplejson
from sqlalchemy import ColumnElement, bindparam, func, select, text
from sqlalchemy.orm import Session

from formflow.datadiff import diff_data
from formflow.errors import ConstraintViolated, EvaluationFailed, Issue
from formflow.expr import evaluate
from formflow.forms import Aggregate, CompiledForm, RollupSpec
from formflow.forms.labels import label_msg
from formflow.i18n import _
from formflow.process_cache import ProcessCache
from formflow.services import forms as form_service
from formflow.services.actor import Actor
from formflow.services.evaluation import eval_context
from formflow.storage import stamps
from formflow.storage.expr_sql import compile_filter
from formflow.storage.json_fields import FieldKind, json_field
from formflow.storage.models import Form, Record, RecordAudit

#: Statuses whose records take part in rollups and aggregate constraints.
EXCLUDED_STATUSES = ("draft", "rejected", "withdrawn", "cancelled")
MAX_DEPTH = 6
_NUMERIC = frozenset({"number", "integer", "money", "percent", "rating", "rollup", "computed"})


@dataclass(frozen=True)
class Dependent:
    """A rollup field ``field`` of form ``target`` computed from records of another form."""

    target: str
    field: str
    rollup: RollupSpec


_DEPENDENTS: ProcessCache[str, dict[str, list[Dependent]]] = ProcessCache(8)


def _dependents(session: Session) -> dict[str, list[Dependent]]:
    """Source form key -> the rollups that read it (cached per forms stamp)."""
    stamp = stamps.current(session, "forms")
    found = _DEPENDENTS.get(stamp)
    if found is not None:
        return found
    mapping: dict[str, list[Dependent]] = {}
    for view in form_service.list_forms(session):
        compiled = form_service.compiled(session, view)
        for name, spec in compiled.rollup_fields.items():
            assert spec.rollup is not None
            mapping.setdefault(spec.rollup.form, []).append(Dependent(view.key, name, spec.rollup))
    return _DEPENDENTS.put(stamp, mapping)


def _counts(record: Record) -> bool:
    return record.deleted_at is None and record.status not in EXCLUDED_STATUSES


def _live_condition(form_id: int) -> list[Any]:
    return [
        Record.form_id == bindparam("ledger_form", form_id, literal_execute=True),
        Record.deleted_at.is_(None),
        Record.status.not_in(EXCLUDED_STATUSES),
    ]


def _kind(compiled: CompiledForm, name: str | None) -> FieldKind:
    spec = compiled.fields.get(name or "")
    if spec is not None and spec.type_name in _NUMERIC:
        return FieldKind.NUMBER
    return FieldKind.TEXT


def _as_decimal(value: Any) -> Any:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        return Decimal(str(value))
    return value


# -- rollups --------------------------------------------------------------------------------


def _rollup_value(session: Session, actor: Actor, dependent: Dependent, target_id: int) -> Any:
    source_view = form_service.get_form(session, dependent.rollup.form)
    source = form_service.compiled(session, source_view)
    data: Any = Record.data
    slots = source_view.version.index_slots
    conditions = _live_condition(source_view.form.id)
    link = json_field(data, dependent.rollup.link, FieldKind.NUMBER, slots)
    conditions.append(link == target_id)
    if dependent.rollup.where:
        from formflow.expr import BOOLEAN, compile_expression  # noqa: PLC0415

        checked = compile_expression(dependent.rollup.where, source.scope, BOOLEAN)
        conditions.append(
            compile_filter(
                checked,
                data,
                dialect=session.get_bind().dialect.name,
                context=eval_context(session, actor),
                slots=slots,
            )
        )
    aggregate = dependent.rollup.aggregate
    if aggregate is Aggregate.COUNT:
        return Decimal(session.scalar(select(func.count(Record.id)).where(*conditions)) or 0)
    column: ColumnElement[Any] = json_field(
        data, dependent.rollup.field or "", _kind(source, dependent.rollup.field), slots
    )
    sqlite = session.get_bind().dialect.name == "sqlite"
    if aggregate is Aggregate.SUM:
        expression: Any = func.decimal_sum(column) if sqlite else func.sum(column)
        total = _as_decimal(session.scalar(select(expression).where(*conditions)))
        return total if total is not None else Decimal(0)
    if aggregate is Aggregate.AVG:
        if sqlite:
            total = _as_decimal(session.scalar(select(func.decimal_sum(column)).where(*conditions)))
            count = session.scalar(select(func.count(column)).where(*conditions)) or 0
            return (total / count) if total is not None and count else None
        return _as_decimal(session.scalar(select(func.avg(column)).where(*conditions)))
    chooser = func.min if aggregate is Aggregate.MIN else func.max
    return _as_decimal(session.scalar(select(chooser(column)).where(*conditions)))


def _lock_record(session: Session, record_id: int) -> Record | None:
    query = select(Record).where(Record.id == record_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def refresh_rollups(
    session: Session, actor: Actor, target_form: str, target_ids: Iterable[int], depth: int = 0
) -> None:
    """Recompute every rollup of the given records of ``target_form`` and store changes."""
    dependents = [
        d for group in _dependents(session).values() for d in group if d.target == target_form
    ]
    if not dependents:
        return
    view = form_service.get_form(session, target_form)
    compiled = form_service.compiled(session, view)
    for target_id in sorted(set(target_ids)):
        record = _lock_record(session, target_id)
        if record is None or record.form_id != view.form.id or record.deleted_at is not None:
            continue
        data = dict(record.data)
        for dependent in dependents:
            value = _rollup_value(session, actor, dependent, target_id)
            if value is None:
                data.pop(dependent.field, None)
            else:
                data[dependent.field] = value
        context = eval_context(session, actor)
        data = compiled.compute(data, context)
        changes = diff_data(record.data, data)
        if not changes:
            continue
        old = dict(record.data)
        record.data = data
        if record.status != "draft":
            record.derived_status = compiled.derive_status(data, context)
        session.flush()
        session.add(
            RecordAudit(
                record_id=record.id,
                actor_id=None,
                action="rollup",
                changes=changes,
                record_version=record.version,
            )
        )
        after_write(session, actor, view.form, compiled, old, record, depth=depth + 1)


# -- aggregate constraints ---------------------------------------------------------------------


def _group_key(record_data: Mapping[str, Any], group_by: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(record_data.get(name) for name in group_by)


def _lock_group(session: Session, form_id: int, key: tuple[Any, ...]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the write transaction already excludes every other writer
    material = simplejson.dumps([form_id, list(key)], use_decimal=True, default=str)
    digest = hashlib.blake2b(material.encode(), digest_size=8).digest()
    lock_id = int.from_bytes(digest, "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_id})


def check_aggregate_constraints(
    session: Session,
    actor: Actor,
    form_row: Form,
    compiled: CompiledForm,
    old: Mapping[str, Any] | None,
    record: Record,
) -> None:
    """Check each aggregate constraint of ``compiled`` for the groups this write touched."""
    if not compiled.aggregate_constraints:
        return
    data: Any = Record.data
    slots = form_service.get_form_by_id(session, form_row.id).version.index_slots
    issues: list[Issue] = []
    for constraint in compiled.aggregate_constraints:
        groups = {_group_key(record.data, constraint.group_by)} if _counts(record) else set()
        if old is not None:
            groups.add(_group_key(old, constraint.group_by))
        for key in sorted(groups, key=lambda k: simplejson.dumps(k, default=str)):
            _lock_group(session, form_row.id, key)
            conditions = _live_condition(form_row.id)
            for name, value in zip(constraint.group_by, key, strict=True):
                column = json_field(data, name, _kind(compiled, name), slots)
                conditions.append(column.is_(None) if value is None else column == value)
            fields = sorted(constraint.check.fields)
            columns = [
                json_field(data, name, _kind(compiled, name), slots).label(f"v{index}")
                for index, name in enumerate(fields)
            ]
            rows = session.execute(select(*columns).where(*conditions)).all() if columns else []
            values = {
                name: [
                    _as_decimal(row[index])
                    if _kind(compiled, name) is FieldKind.NUMBER
                    else row[index]
                    for row in rows
                ]
                for index, name in enumerate(fields)
            }
            try:
                holds = evaluate(constraint.check, values, eval_context(session, actor))
            except EvaluationFailed:
                holds = False
            if holds is False:
                issues.append(
                    Issue(
                        "$",
                        label_msg(constraint.message, constraint.source)
                        if constraint.message is not None
                        else _(
                            "This change breaks the rule {rule} ({check}) for {group}.",
                            rule=constraint.key,
                            check=constraint.source,
                            group=", ".join(
                                f"{n}={v}" for n, v in zip(constraint.group_by, key, strict=True)
                            ),
                        ),
                        "aggregate_constraint",
                    )
                )
    if issues:
        raise ConstraintViolated(issues)


# -- the write hook -----------------------------------------------------------------------------


def after_write(
    session: Session,
    actor: Actor,
    form_row: Form,
    compiled: CompiledForm,
    old: Mapping[str, Any] | None,
    record: Record,
    *,
    depth: int = 0,
) -> None:
    """Everything rules over many records need after ``record`` of ``form_row`` was written."""
    if depth > MAX_DEPTH:
        raise ConstraintViolated(
            [
                Issue(
                    "$",
                    _(
                        "Rollups feed each other more than {limit} levels deep; check the "
                        "x-rollup definitions for a cycle.",
                        limit=MAX_DEPTH,
                    ),
                    "rollup_depth",
                )
            ]
        )
    check_aggregate_constraints(session, actor, form_row, compiled, old, record)
    for dependent in _dependents(session).get(form_row.key, []):
        targets: set[int] = set()
        for values in (old or {}, record.data):
            linked = values.get(dependent.rollup.link)
            if isinstance(linked, int) and not isinstance(linked, bool):
                targets.add(linked)
        if targets:
            refresh_rollups(session, actor, dependent.target, targets, depth)


def after_status_change(session: Session, record: Record) -> None:
    """A flow moved ``record`` to another status: whether it counts may have changed."""
    from formflow.services.actor import SYSTEM  # noqa: PLC0415 - services.actor is tiny

    view = form_service.get_form_by_id(session, record.form_id, record.form_version)
    compiled = form_service.compiled(session, view)
    after_write(session, SYSTEM, view.form, compiled, dict(record.data), record)
