"""Automations: rules on record events and schedules, written in the flow file format.

* **Publishing** (:func:`publish_automations`) compiles a file with the live forms and org
  and stores each automation by key (publishing again replaces it), then (re)builds its
  schedule: one row for daily and interval triggers, one row per record for date triggers
  ("3 days before due_on").
* **Record events** (the ``records.on_write`` hook): created / updated / a field changed run
  the matching automations in the writing transaction; the flow services report status
  changes (:func:`on_status_change`). Date-triggered schedules follow the record's dates.
* **Schedules** are run by the worker (:func:`run_schedule`), each in its own transaction under
  a row lock that re-checks that the row is still due, so two workers never run one twice.

Automations carry out the same effects as a flow's automatic step
(:mod:`formflow.services.flow_effects`). Setting a field to the value it already has writes
nothing, so "when updated, set x = today()" settles after one round; a real loop (an action
that keeps triggering itself) stops at ``flow_context.MAX_DEPTH`` with a clear error and the
whole write is rolled back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from formflow.dsl import AutomationSpec, compile_file
from formflow.engine import RecordEvent, automation_effects, automation_matches, next_run
from formflow.engine.automation import passes_filter
from formflow.errors import InvalidInput, NotFound
from formflow.forms import CompiledForm
from formflow.i18n import _
from formflow.process_cache import ProcessCache
from formflow.services import ledgers, records
from formflow.services.actor import Actor
from formflow.services.authz import require_designer
from formflow.services.effect_scope import EffectScope, audit
from formflow.services.flow_context import (
    checker_forms,
    engine_context,
    environment,
    form_view,
    nested,
)
from formflow.services.flow_effects import carry_out
from formflow.services.org import load_org_chart
from formflow.storage import definitions
from formflow.storage.claims import lock_row
from formflow.storage.models import AutomationDefinition, AutomationSchedule, Form, Record

EVENT_TRIGGERS = frozenset({"created", "updated", "changed"})
CLOCK_TRIGGERS = frozenset({"daily", "interval"})
DATE_TRIGGERS = frozenset({"before_date", "after_date"})


# -- publishing ---------------------------------------------------------------------------------


def publish_automations(
    session: Session,
    actor: Actor,
    *,
    source: str,
    settings: Mapping[str, Any] | None = None,
    pack: str | None = None,
) -> list[AutomationDefinition]:
    """Check and store every automation of ``source`` (designers and admins).

    Raises SourceError (422) with every diagnostic when the file has errors, InvalidInput when
    it defines no automation.
    """
    require_designer(actor)
    compiled = compile_file(
        source, forms=checker_forms(session), org=load_org_chart(session), settings=settings
    )
    if not compiled.automations:
        raise InvalidInput(
            _("The text defines no automation; write `automation NAME on FORM {{ ... }}`.")
        )
    now = environment().now()
    rows: list[AutomationDefinition] = []
    for key, spec in compiled.automations.items():
        row = session.scalar(select(AutomationDefinition).where(AutomationDefinition.key == key))
        if row is None:
            row = AutomationDefinition(key=key, created_by=actor.id, created_at=now)
            session.add(row)
        row.form_key = spec.form
        row.title = spec.title
        row.source = source
        row.spec = spec.to_json()
        row.settings = dict(settings or {})
        row.pack = pack
        row.active = True
        row.updated_at = now
        session.flush()
        _rebuild_schedules(session, row, spec, now)
        rows.append(row)
    return rows


def list_automations(session: Session) -> list[AutomationDefinition]:
    return list(session.scalars(select(AutomationDefinition).order_by(AutomationDefinition.key)))


def set_active(session: Session, actor: Actor, key: str, active: bool) -> AutomationDefinition:
    """Switch an automation on or off (its schedule is rebuilt or dropped)."""
    require_designer(actor)
    row = session.scalar(select(AutomationDefinition).where(AutomationDefinition.key == key))
    if row is None:
        raise NotFound(_("Automation {key} not found.", key=key))
    row.active = active
    row.updated_at = environment().now()
    session.flush()
    if active:
        _rebuild_schedules(session, row, spec_of_row(row), row.updated_at)
    else:
        session.execute(
            delete(AutomationSchedule).where(AutomationSchedule.automation_id == row.id)
        )
    return row


_SPECS: ProcessCache[tuple[int, str], AutomationSpec] = ProcessCache(256)


def spec_of_row(row: AutomationDefinition) -> AutomationSpec:
    """The automation's spec, parsed once per published state of the row."""
    key = (row.id, row.updated_at.isoformat())
    found = _SPECS.get(key)
    if found is None:
        found = _SPECS.put(key, AutomationSpec.from_json(row.spec))
    return found


def _kinds(spec: AutomationSpec) -> set[str]:
    return {trigger.kind for trigger in spec.triggers}


def _only(spec: AutomationSpec, kinds: frozenset[str]) -> AutomationSpec:
    return dataclasses.replace(spec, triggers=tuple(t for t in spec.triggers if t.kind in kinds))


def _rebuild_schedules(
    session: Session, row: AutomationDefinition, spec: AutomationSpec, now: datetime
) -> None:
    session.execute(delete(AutomationSchedule).where(AutomationSchedule.automation_id == row.id))
    kinds = _kinds(spec)
    if kinds & CLOCK_TRIGGERS:
        due = next_run(_only(spec, CLOCK_TRIGGERS), now)
        if due is not None:
            session.add(
                AutomationSchedule(automation_id=row.id, scope_key=f"{row.id}:*", due_at=due)
            )
    if kinds & DATE_TRIGGERS:
        form = session.scalar(select(Form).where(Form.key == row.form_key))
        if form is not None:
            live = select(Record).where(
                Record.form_id == form.id, Record.deleted_at.is_(None), Record.status != "draft"
            )
            for record in session.scalars(live):
                _follow_dates(session, row, spec, record, now)
    session.flush()


def _follow_dates(
    session: Session,
    row: AutomationDefinition,
    spec: AutomationSpec,
    record: Record,
    now: datetime,
) -> None:
    """Keep the per-record schedule of a date-triggered automation in step with the record."""
    scope_key = f"{row.id}:{record.id}"
    schedule = session.scalar(
        select(AutomationSchedule).where(AutomationSchedule.scope_key == scope_key)
    )
    due = next_run(_only(spec, DATE_TRIGGERS), now, record.data)
    if due is None:
        if schedule is not None:
            session.delete(schedule)
        return
    if schedule is None:
        session.add(
            AutomationSchedule(
                automation_id=row.id, record_id=record.id, scope_key=scope_key, due_at=due
            )
        )
    elif schedule.due_at != due or schedule.done_at is not None:
        schedule.due_at = due
        schedule.done_at = None
        schedule.claimed_until = None


# -- record events ------------------------------------------------------------------------------


def _active_for(
    session: Session, form_key: str
) -> list[tuple[AutomationDefinition, AutomationSpec]]:
    """The active automations of a form (cached per automations stamp)."""
    return [(row, spec_of_row(row)) for row in definitions.active_automations(session, form_key)]


def _changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> frozenset[str]:
    if old is None:
        return frozenset(new)
    return frozenset(key for key in set(old) | set(new) if old.get(key) != new.get(key))


@records.on_write
def run_record_automations(
    session: Session,
    actor: Actor,
    form: Form,
    compiled: CompiledForm,
    old: Mapping[str, Any] | None,
    record: Record,
) -> None:
    """The write hook: run automations on created / updated / changed, follow date triggers."""
    if record.deleted_at is not None or record.status == "draft":
        return
    found = _active_for(session, form.key)
    if not found:
        return
    event = RecordEvent(
        kind="created" if old is None else "updated",
        data=record.data,
        changed=_changed(old, record.data),
        status=record.status,
        old_status=None if old is None else record.status,
    )
    now = environment().now()
    for row, spec in found:
        kinds = _kinds(spec)
        if kinds & EVENT_TRIGGERS or (old is None and "status" in kinds):
            ctx = engine_context(session, record, None)
            if automation_matches(spec, event, ctx):
                run_automation(session, row, spec, record, actor_id=actor.id)
        if kinds & DATE_TRIGGERS:
            _follow_dates(session, row, spec, record, now)


def on_status_change(
    session: Session, record: Record, old: str | None, new: str, *, actor_id: int | None
) -> None:
    """Run the automations waiting for ``when status "<new>"`` on the record's form, and
    refresh the rollups and ledger rules the record takes part in (its status decides
    whether it counts)."""
    if old == new:
        return
    ledgers.after_status_change(session, record)
    view = form_view(session, record)
    event = RecordEvent(kind="status", data=record.data, status=new, old_status=old)
    for row, spec in _active_for(session, view.key):
        if "status" not in _kinds(spec):
            continue
        ctx = engine_context(session, record, None)
        if automation_matches(spec, event, ctx):
            run_automation(session, row, spec, record, actor_id=actor_id)


def run_automation(
    session: Session,
    row: AutomationDefinition,
    spec: AutomationSpec,
    record: Record,
    *,
    actor_id: int | None,
) -> None:
    """Carry out the actions of ``spec`` for ``record`` (the caller checked the trigger)."""
    with nested(f"automation {row.key}"):
        ctx = engine_context(session, record, None)
        # `initiator` in an automation is the person the record belongs to (who submitted it)
        owner = record.owner_id if record.owner_id is not None else (actor_id or 0)
        effects = automation_effects(spec, record.data, ctx, actor=owner)
        audit(session, record, actor_id, "automation", comment=row.key)
        scope = EffectScope(
            record=record,
            title=row.title or row.key,
            source=row.key,
            initiator=record.owner_id,
            actor_id=actor_id,
        )
        carry_out(session, scope, effects)


# -- schedules ----------------------------------------------------------------------------------


def run_schedule(session: Session, schedule_id: int, now: datetime) -> bool:
    """Run one due schedule row (the worker's job); False when it was not due any more.

    The row is locked and re-checked, its automation runs for the record (date triggers) or
    for every live record of the form that passes ``where`` (daily and interval triggers),
    and the row moves on to the next moment — all in the caller's one transaction.
    """
    schedule = lock_row(session, AutomationSchedule, schedule_id)
    if schedule is None or schedule.done_at is not None or schedule.due_at > now:
        return False
    row = session.get(AutomationDefinition, schedule.automation_id)
    if row is None or not row.active:
        schedule.done_at = now
        return False
    spec = spec_of_row(row)
    moment = now.astimezone(environment().now().tzinfo)
    if schedule.record_id is not None:
        record = session.get(Record, schedule.record_id)
        targets = [record] if record is not None and record.deleted_at is None else []
        data = record.data if targets and record is not None else None
        upcoming = next_run(_only(spec, DATE_TRIGGERS), moment, data) if data else None
    else:
        form = session.scalar(select(Form).where(Form.key == row.form_key))
        query = select(Record).where(
            Record.form_id == (form.id if form is not None else -1),
            Record.deleted_at.is_(None),
            Record.status != "draft",
        )
        targets = list(session.scalars(query.order_by(Record.id)))
        upcoming = next_run(_only(spec, CLOCK_TRIGGERS), moment)
    for record in targets:
        ctx = engine_context(session, record, None, now=now)
        if passes_filter(spec, record.data, ctx):
            run_automation(session, row, spec, record, actor_id=None)
    schedule.last_run_at = now
    schedule.claimed_until = None
    schedule.attempts = 0
    schedule.last_error = None
    if upcoming is None:
        schedule.done_at = now
    else:
        schedule.due_at = upcoming
    session.flush()
    return True
