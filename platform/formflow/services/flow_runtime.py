"""Running flow instances: start on submission, every later event under a row lock.

**Starting.** A submitted record of a form that has a flow starts the flow's current version
(registered with ``records.on_submit``); the record's status becomes ``in_progress`` and, when
the flow ends, the end it reached. Running instances finish on the version they started with.

**Concurrency.** Every event on an instance (a task action, a withdrawal, a timer) first locks
the instance row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write transactions are
already serial), then reads the state, hands it to the engine and saves the new state — with
the optimistic version column as a second guard. Two people approving the same step at once
therefore queue: the second reads the state the first committed and gets the engine's answer
("This task is already cancelled") as a 409; an "any" step completes once and a join fires
once. Locks are always taken instance first, then record, then timer rows, so workers and
requests cannot deadlock each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from formflow.dsl import FlowSpec
from formflow.engine import Event, InstanceState, Start, Urge, Withdraw, handle
from formflow.errors import Conflict, NotFound, StaleVersion, TransitionNotAllowed
from formflow.forms import CompiledForm
from formflow.i18n import _
from formflow.services import records
from formflow.services.actor import Actor
from formflow.services.effect_scope import EffectScope, add_participant, audit
from formflow.services.flow_context import (
    engine_context,
    environment,
    nested,
    remember_view,
    spec_of,
    take_submission,
)
from formflow.services.flow_effects import carry_out
from formflow.services.forms import FormView
from formflow.storage import definitions
from formflow.storage.claims import lock_one, lock_row
from formflow.storage.models import FlowDefinition, FlowInstance, FlowTask, Record

IN_PROGRESS = "in_progress"
#: Instance statuses in which people still work on it.
LIVE_STATUSES = ("running", "returned")


def lock_instance(session: Session, instance_id: int) -> FlowInstance:
    """The instance, locked for this transaction; NotFound when it does not exist."""
    instance = lock_row(session, FlowInstance, instance_id)
    if instance is None:
        raise NotFound(_("Request {id} not found.", id=instance_id))
    return instance  # type: ignore[no-any-return]


def lock_record(session: Session, record_id: int) -> Record:
    record = lock_row(session, Record, record_id)
    if record is None:
        raise NotFound(_("Record {id} not found.", id=record_id))
    return record  # type: ignore[no-any-return]


def readable_instance(
    session: Session, actor: Actor, instance_id: int, *, lock: bool = False
) -> tuple[FlowInstance, Record]:
    """An instance whose record ``actor`` may read (participants may); NotFound otherwise."""
    if lock:
        instance = lock_instance(session, instance_id)
        record = lock_record(session, instance.record_id)
    else:
        found = session.get(FlowInstance, instance_id)
        if found is None:
            raise NotFound(_("Request {id} not found.", id=instance_id))
        instance = found
        record = session.get(Record, instance.record_id)  # type: ignore[assignment]
    try:
        _check_readable(session, actor, record)
    except NotFound:
        raise NotFound(_("Request {id} not found.", id=instance_id)) from None
    return instance, record


_INSTANCE_OF_TASK = select(FlowInstance).where(
    FlowInstance.id
    == select(FlowTask.instance_id).where(FlowTask.id == bindparam("task_id")).scalar_subquery()
)


def lock_task_instance(
    session: Session, actor: Actor, task_id: int
) -> tuple[FlowInstance, Record] | None:
    """The instance of the task ``task_id`` and its record, locked, if ``actor`` may read
    them; None when the task does not exist or is not theirs to see.

    One statement finds and locks the instance (a task never moves to another instance), so
    the task itself is read once, after the lock.
    """
    instance = lock_one(session, _INSTANCE_OF_TASK, {"task_id": task_id})
    if instance is None:
        return None
    record = lock_record(session, instance.record_id)
    try:
        _check_readable(session, actor, record)
    except NotFound:
        return None
    return instance, record


def _check_readable(session: Session, actor: Actor, record: Record) -> None:
    remember_view(session, records.get_record(session, actor, record.id).form)


def _scope(
    session: Session,
    spec: FlowSpec,
    instance: FlowInstance,
    record: Record,
    state: InstanceState,
    old_state: InstanceState | None,
    actor_id: int | None,
    open_rows: Iterable[FlowTask] | None = None,
) -> EffectScope:
    scope = EffectScope(
        record=record,
        title=spec.title or spec.key,
        source=spec.key,
        initiator=state.initiator,
        actor_id=actor_id,
        instance=instance,
        steps={node.id: node.title or node.id for node in spec.steps()},
        state=state,
        old_state=old_state,
    )
    if open_rows is not None:  # the caller read the open task rows already
        scope._rows = {row.task_key: row for row in open_rows}
        scope._rows_loaded = True
    return scope


# -- starting ---------------------------------------------------------------------------------


@records.on_submit
def start_on_submit(
    session: Session, actor: Actor, record: Record, view: FormView, form: CompiledForm
) -> None:
    """Start the flow bound to the record's form, if it has one (the submit hook)."""
    flow = definitions.active_flow(session, view.key)
    if flow is None:
        return
    options = take_submission()
    initiator = actor.id if actor.id is not None else record.owner_id
    if initiator is None:
        return
    with nested(f"flow {flow.key}"):
        start_instance(
            session,
            flow,
            record,
            initiator=initiator,
            chosen=options.chosen,
            comment=options.comment,
            actor_id=actor.id,
        )


def start_flow_by_key(
    session: Session, record: Record, key: str, *, initiator: int | None
) -> FlowInstance:
    """Start the flow ``key`` for ``record`` (``start flow`` in automations).

    Starting a flow that already runs for the record returns the running instance.
    """
    flow = session.scalar(select(FlowDefinition).where(FlowDefinition.key == key))
    if flow is None or not flow.active:
        raise TransitionNotAllowed(
            _("The flow {key} does not exist or is switched off, so it cannot start.", key=key)
        )
    running = session.scalar(
        select(FlowInstance).where(
            FlowInstance.record_id == record.id,
            FlowInstance.flow_id == flow.id,
            FlowInstance.status.in_(LIVE_STATUSES),
        )
    )
    if running is not None:
        return running
    who = initiator if initiator is not None else record.owner_id
    if who is None:
        raise TransitionNotAllowed(
            _("Record {id} has no owner, so no flow can be started for it.", id=record.id)
        )
    return start_instance(session, flow, record, initiator=who, actor_id=None)


def start_instance(
    session: Session,
    flow: FlowDefinition,
    record: Record,
    *,
    initiator: int,
    chosen: Mapping[str, tuple[int, ...]] | None = None,
    comment: str | None = None,
    actor_id: int | None = None,
) -> FlowInstance:
    """Start ``flow``'s current version for ``record``; carries out the first effects."""
    version = definitions.flow_version(session, flow.id, flow.current_version)
    if version is None:
        raise NotFound(
            _("Flow {key} has no version {version}.", key=flow.key, version=flow.current_version)
        )
    spec = spec_of(session, version.id)
    ctx = engine_context(session, record, spec.policies.calendar)
    state, effects = handle(spec, None, Start(initiator, dict(chosen or {}), comment), ctx)
    now = environment().now()
    instance = FlowInstance(
        flow_id=flow.id,
        flow_version_id=version.id,
        record_id=record.id,
        form_id=record.form_id,
        initiator_id=initiator,
        status=state.status,
        state=state.to_dict(),
        started_at=now,
        updated_at=now,
    )
    session.add(instance)
    add_participant(session, record.id, initiator, "initiator")
    old_status = record.status
    record.status = IN_PROGRESS
    session.flush()
    audit(session, record, actor_id, "flow:start", comment)
    audit(
        session,
        record,
        actor_id,
        "status",
        changes=[{"path": "status", "old": old_status, "new": IN_PROGRESS}],
    )
    from formflow.services.automations import on_status_change  # noqa: PLC0415 - cycle

    on_status_change(session, record, old_status, IN_PROGRESS, actor_id=actor_id)
    carry_out(session, _scope(session, spec, instance, record, state, None, actor_id), effects)
    return instance


# -- later events --------------------------------------------------------------------------------


def dispatch(
    session: Session,
    instance: FlowInstance,
    record: Record,
    event: Event,
    *,
    actor_id: int | None,
    action: str,
    comment: str | None = None,
    now: datetime | None = None,
    open_rows: Iterable[FlowTask] | None = None,
) -> InstanceState:
    """Hand ``event`` to the engine and carry out what it says (the caller holds the lock).

    ``open_rows`` are the instance's open task rows when the caller has read them (after
    the lock), so they are not read again.

    Raises what the engine raises (TransitionNotAllowed 409, PermissionDenied 403) with
    nothing changed; :class:`Conflict` if the state changed underneath despite the lock.
    """
    spec = spec_of(session, instance.flow_version_id)
    old = InstanceState.from_dict(instance.state)
    ctx = engine_context(session, record, spec.policies.calendar, now=now)
    new, effects = handle(spec, old, event, ctx)
    instance.state = new.to_dict()
    instance.status = new.status
    instance.updated_at = ctx.now
    audit(session, record, actor_id, f"flow:{action}", comment)
    scope = _scope(session, spec, instance, record, new, old, actor_id, open_rows)
    carry_out(session, scope, effects)
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            _("Someone else acted on this request at the same moment; reload it and try again.")
        ) from None
    return new


def withdraw(
    session: Session,
    actor: Actor,
    instance_id: int,
    *,
    comment: str | None = None,
    record_version: int | None = None,
) -> FlowInstance:
    """The initiator withdraws the request (撤回).

    With ``record_version`` (the version of the record the initiator saw), a record that
    changed since — an approver edited a field — is refused with 409 instead of being
    withdrawn over changes the initiator has not seen.
    """
    instance, record = readable_instance(session, actor, instance_id, lock=True)
    if record_version is not None and record.version != record_version:
        raise StaleVersion(
            _(
                "The request was changed since you opened it (you saw version {yours}, it is "
                "now {theirs}); reload it before withdrawing.",
                yours=record_version,
                theirs=record.version,
            )
        )
    dispatch(
        session,
        instance,
        record,
        Withdraw(actor.id or 0, comment),
        actor_id=actor.id,
        action="withdraw",
        comment=comment,
    )
    return instance


def urge(session: Session, actor: Actor, instance_id: int) -> FlowInstance:
    """The initiator reminds the people the request waits for (催办; once an hour)."""
    instance, record = readable_instance(session, actor, instance_id, lock=True)
    dispatch(session, instance, record, Urge(actor.id or 0), actor_id=actor.id, action="urge")
    return instance


def instances_of_record(session: Session, actor: Actor, record_id: int) -> list[FlowInstance]:
    """Every flow instance of a record the actor may read, newest first."""
    records.get_record(session, actor, record_id)
    return list(
        session.scalars(
            select(FlowInstance)
            .where(FlowInstance.record_id == record_id)
            .order_by(FlowInstance.id.desc())
        )
    )
