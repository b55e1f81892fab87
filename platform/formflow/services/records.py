"""Records: create, read, update, delete, list and history — with every rule applied.

A write runs, in one transaction: authorization, the form's validation and formulas
(``CompiledForm.prepare``), reference checks, serial numbers, the unique keys, the audit entry,
then rollups and ledger constraints of linked forms, then the flow hook. Any failure raises
and the caller's unit of work rolls everything back: nothing is half-written.

Lifecycle: ``draft`` -> ``submitted`` (or ``in_progress`` when a flow runs) -> the end the
flow reached. Submitted records are immutable, except on forms that allow editing after
submit (masters such as customers) and fields a flow step makes editable.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.datadiff import diff_data
from formflow.errors import (
    InvalidInput,
    NotFound,
    StaleVersion,
    TransitionNotAllowed,
    ValidationFailed,
)
from formflow.expr import EvalContext
from formflow.forms import CompiledForm
from formflow.i18n import _
from formflow.services import attachments, flow_fields, ledgers, record_rules
from formflow.services import forms as form_service
from formflow.services.actor import Actor
from formflow.services.authz import (
    Action,
    require_form_action,
    require_record_read,
    require_record_write,
)
from formflow.services.evaluation import eval_context
from formflow.services.forms import FormView
from formflow.storage.audit_log import append_audit
from formflow.storage.models import Form, Record, RecordAudit
from formflow.storage.record_rows import insert_record
from formflow.storage.types import utcnow

#: Values a document may hold that nothing can change in place.
_IMMUTABLE = (str, int, float, Decimal, type(None), date, time)

DRAFT = "draft"
SUBMITTED = "submitted"
#: Statuses in which a record belongs to a running flow and only the flow may change it.
FLOW_STATUSES = frozenset({"in_progress"})

#: Called after a record is submitted (the flow service registers itself here).
SubmitHook = Callable[[Session, Actor, Record, FormView, CompiledForm], None]
_submit_hooks: list[SubmitHook] = []
#: Called after any write (rollups and ledger constraints register here).
WriteHook = Callable[[Session, Actor, Form, CompiledForm, Mapping[str, Any] | None, Record], None]
_write_hooks: list[WriteHook] = []


def on_submit(hook: SubmitHook) -> SubmitHook:
    _submit_hooks.append(hook)
    return hook


def on_write(hook: WriteHook) -> WriteHook:
    _write_hooks.append(hook)
    return hook


@dataclass(frozen=True)
class RecordView:
    record: Record
    form: FormView


# -- reading ---------------------------------------------------------------------------------


def get_record(session: Session, actor: Actor, record_id: int) -> RecordView:
    """A record the actor may read; :class:`NotFound` otherwise (as if it did not exist)."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(_("Record {id} not found.", id=record_id))
    view = form_service.get_form_by_id(session, record.form_id, record.form_version)
    require_record_read(session, actor, view.form, record)
    return RecordView(record, view)


def form_view_of(session: Session, record: Record) -> FormView:
    """The form version a record was written with."""
    return form_service.get_form_by_id(session, record.form_id, record.form_version)


def record_history(session: Session, actor: Actor, record_id: int) -> list[RecordAudit]:
    """The audit trail of a readable record, oldest first."""
    get_record(session, actor, record_id)
    return list(
        session.scalars(
            select(RecordAudit).where(RecordAudit.record_id == record_id).order_by(RecordAudit.id)
        )
    )


@dataclass(frozen=True)
class Preview:
    """What a submission would become, without writing: for live form pages."""

    data: dict[str, Any]
    issues: list[Any]
    ui: Any


def preview_record(
    session: Session,
    actor: Actor,
    form_key: str,
    data: Mapping[str, Any],
    *,
    draft: bool = False,
) -> Preview:
    """Compute formulas, UI state and every problem of ``data`` (nothing is stored).

    The web pages call this (debounced) while a user types, so the browser and the server
    share one implementation of every rule.
    """
    view = form_service.get_form(session, form_key)
    require_form_action(session, actor, view.form, Action.CREATE)
    form = form_service.compiled(session, view)
    context = eval_context(session, actor)
    payload = _strip_system_fields(form, data)
    clean, issues = form.prepare(payload, draft=draft, context=context)
    issues.extend(record_rules.check_references(session, actor, form, clean))
    return Preview(data=clean, issues=issues, ui=form.evaluate_ui(clean, context))


# -- writing ---------------------------------------------------------------------------------


def _strip_system_fields(form: CompiledForm, data: Mapping[str, Any]) -> dict[str, Any]:
    """Drop values users may not set (serial numbers, rollups; formulas are recomputed)."""
    system = {name for name, spec in form.fields.items() if spec.is_system}
    return {key: value for key, value in data.items() if key not in system}


def _copy_document(value: Any) -> Any:
    """A deep copy of a JSON document, which the write may then change freely.

    The same as ``copy.deepcopy`` at a fraction of its cost: objects and arrays are copied,
    immutable scalars shared, anything else deep-copied.
    """
    if type(value) is dict:
        return {key: _copy_document(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy_document(item) for item in value]
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


def _prepare(
    session: Session,
    actor: Actor,
    view: FormView,
    form: CompiledForm,
    data: Mapping[str, Any],
    *,
    draft: bool,
    keep: Mapping[str, Any] | None = None,
    record_id: int | None = None,
) -> tuple[dict[str, Any], EvalContext]:
    """The clean data of a write, and the evaluation context the write uses throughout."""
    if not isinstance(data, Mapping):
        raise InvalidInput(_("The record data must be a JSON object."))
    payload = _strip_system_fields(form, data)  # a new dict: top-level changes stay here
    if attachments.has_files(form):  # binding files changes nested values in place
        payload = _copy_document(payload)
    for name, value in (keep or {}).items():
        payload[name] = value  # serials and rollups the record already has
    file_issues = attachments.bind_attachments(session, actor, form, payload, record_id)
    context = eval_context(session, actor)
    clean, issues = form.prepare(payload, draft=draft, context=context)
    if file_issues:  # an unknown file also lacks its name and size: say only the first
        bad = tuple(issue.path for issue in file_issues)
        issues = file_issues + [i for i in issues if not i.path.startswith(bad)]
    issues.extend(record_rules.check_references(session, actor, form, clean))
    if issues:
        raise ValidationFailed(issues)
    return clean, context


def _label(form: CompiledForm, data: Mapping[str, Any]) -> str:
    name = form.display_field
    value = data.get(name) if name else None
    return str(value)[:200] if value is not None else ""


def _audit(
    session: Session,
    actor: Actor,
    record: Record,
    action: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    comment: str | None = None,
) -> None:
    append_audit(
        session,
        record_id=record.id,
        actor_id=actor.id,
        action=action,
        changes=diff_data(old, new),
        record_version=record.version,
        comment=comment,
    )


def _finish_submit(
    session: Session, view: FormView, form: CompiledForm, record: Record, context: EvalContext
) -> None:
    """Serial numbers, status and the derived status for a record being submitted.

    Call it before the record is added to the session (or while it is already persistent):
    the serial counter query would otherwise autoflush a half-made record.
    """
    data = dict(record.data)
    with session.no_autoflush:
        record_rules.assign_serials(session, view.form, form, data, context.today)
    record.data = data
    record.status = SUBMITTED
    record.submitted_at = utcnow()
    record.derived_status = form.derive_status(data, context)
    record.label = _label(form, data)


def create_record(
    session: Session,
    actor: Actor,
    form_key: str,
    data: Mapping[str, Any],
    *,
    draft: bool = False,
    owner_id: int | None = None,
) -> RecordView:
    """Create a record of the current version of ``form_key`` (a draft, or submitted)."""
    view = form_service.get_form(session, form_key)
    require_form_action(session, actor, view.form, Action.CREATE)
    form = form_service.compiled(session, view)
    if not actor.is_system:  # flows create records with every field; people do not
        flow_fields.refuse_initiator_values(form, data)
    clean, context = _prepare(session, actor, view, form, data, draft=draft)
    now = utcnow()
    record = Record(
        form_id=view.form.id,
        form_version=view.version.version,
        data=clean,
        status=DRAFT,
        owner_id=owner_id if owner_id is not None and actor.is_admin else actor.id,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
        label=_label(form, clean),
    )
    if not draft:
        _finish_submit(session, view, form, record, context)
    with record_rules.unique_values(view.form, form):
        insert_record(session, record)
    _audit(session, actor, record, "create" if draft else "submit", None, record.data)
    _after_write(session, actor, view, form, None, record, submitted=not draft)
    return RecordView(record, view)


def update_record(
    session: Session,
    actor: Actor,
    record_id: int,
    patch: Mapping[str, Any],
    *,
    version: int,
    submit: bool = False,
    editable: frozenset[str] | None = None,
) -> RecordView:
    """Apply a merge patch to a record's data (top-level keys; ``null`` clears a field).

    ``version`` must be the version the caller read, otherwise :class:`StaleVersion` (409)
    and nothing changes. ``submit`` turns a draft into a submitted record. ``editable``
    (given by the flow service) limits which fields may change on a record in a flow.
    """
    current = get_record(session, actor, record_id)
    record, view = current.record, current.form
    if record.version != version:
        raise StaleVersion(
            _(
                "Record {id} was changed by someone else (you have version {yours}, the "
                "current one is {theirs}); reload it and apply your change again.",
                id=record.id,
                yours=version,
                theirs=record.version,
            )
        )
    if record.deleted_at is not None:
        raise TransitionNotAllowed(_("Record {id} is deleted.", id=record.id))
    is_draft = record.status == DRAFT
    if submit and not is_draft:
        raise TransitionNotAllowed(_("Record {id} is already submitted.", id=record.id))
    if editable is None:
        require_record_write(session, actor, view.form, record)
        if not actor.is_system:
            flow_fields.refuse_initiator_values(
                form_service.compiled(session, view), patch, record.data
            )
        if not is_draft and not _editable_after_submit(
            form_service.compiled(session, view), record
        ):
            raise TransitionNotAllowed(
                _(
                    "Record {id} is {status} and can no longer be changed; cancel and amend "
                    "it instead.",
                    id=record.id,
                    status=record.status,
                )
            )
    else:
        forbidden = sorted(set(patch) - editable)
        if forbidden:
            raise TransitionNotAllowed(
                _("At this step you may not change: {fields}.", fields=", ".join(forbidden))
            )
    if is_draft:  # drafts move to the current version of their form
        view = form_service.get_form(session, view.key)
    form = form_service.compiled(session, view)
    merged = dict(record.data)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    keep = {
        name: record.data[name]
        for name in form.fields
        if form.fields[name].is_system and name in record.data and form.fields[name].formula is None
    }
    draft_after = is_draft and not submit
    clean, context = _prepare(
        session, actor, view, form, merged, draft=draft_after, keep=keep, record_id=record.id
    )
    old = dict(record.data)
    record.data = clean
    record.form_version = view.version.version
    record.updated_at = utcnow()
    record.label = _label(form, clean)
    if submit:
        _finish_submit(session, view, form, record, context)
    elif not draft_after:
        record.derived_status = form.derive_status(clean, context)
    record_rules.flush_checking_unique(session, view.form, form)
    _audit(session, actor, record, "submit" if submit else "update", old, record.data)
    _after_write(session, actor, view, form, old, record, submitted=submit)
    return RecordView(record, view)


def delete_record(
    session: Session, actor: Actor, record_id: int, *, version: int | None = None
) -> None:
    """Soft-delete a record (kept for the audit trail; admins can still read it)."""
    current = get_record(session, actor, record_id)
    record, view = current.record, current.form
    if version is not None and record.version != version:
        raise StaleVersion(
            _("Record {id} was changed by someone else; reload it first.", id=record.id)
        )
    require_record_write(session, actor, view.form, record, Action.DELETE)
    if record.status in FLOW_STATUSES:
        raise TransitionNotAllowed(
            _("Record {id} is in an approval flow; withdraw it first.", id=record.id)
        )
    form = form_service.compiled(session, view)
    old = dict(record.data)
    record.deleted_at = utcnow()
    record.updated_at = record.deleted_at
    session.flush()
    _audit(session, actor, record, "delete", None, None)
    _after_write(session, actor, view, form, old, record, submitted=False)


def _editable_after_submit(form: CompiledForm, record: Record) -> bool:
    """Masters (no flow, not marked ``x-immutable``) stay editable after submit."""
    return not form.immutable and record.status == SUBMITTED


def _after_write(
    session: Session,
    actor: Actor,
    view: FormView,
    form: CompiledForm,
    old: Mapping[str, Any] | None,
    record: Record,
    *,
    submitted: bool,
) -> None:
    session.flush()
    if record.deleted_at is None:
        attachments.claim_attachments(session, form, record)
    ledgers.after_write(session, actor, view.form, form, old, record)
    for hook in _write_hooks:
        hook(session, actor, view.form, form, old, record)
    if submitted:
        for submit_hook in _submit_hooks:
            submit_hook(session, actor, record, view, form)


# Submitting a record starts its form's flow and record events run automations: the flow
# services register those hooks when imported, so every entry point that writes records (the
# API, the CLI, the worker, pack installs) gets them by importing this module.
from formflow.services import flows as _flows  # noqa: E402, F401
from formflow.services import record_readers as _readers  # noqa: E402, F401
