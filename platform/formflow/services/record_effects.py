"""Effects on records: set fields of the instance's record, create and update records of
other forms (the cross-pack glue), call webhooks, start flows.

Every write goes through the records service as the system, so validation, serial numbers,
rollups, constraints and the audit trail apply exactly as for a person. A record a flow
creates that fails its form's validation aborts the whole action (nothing half-applied), with
that form's problems listed and a message that says which step and mapping to fix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from formflow.engine import effects as fx
from formflow.errors import TransitionNotAllowed, ValidationFailed
from formflow.forms.jsonvalues import to_json
from formflow.i18n import _
from formflow.services import outbox, records
from formflow.services.actor import SYSTEM
from formflow.services.effect_scope import EffectScope
from formflow.services.flow_context import nested
from formflow.storage.models import Record


def set_fields(session: Session, scope: EffectScope, effect: fx.SetFields) -> None:
    record = scope.record
    values = {name: to_json(value) for name, value in effect.values.items()}
    changed = {name: value for name, value in values.items() if record.data.get(name) != value}
    if not changed:  # writing what is there already would only trigger automations again
        return
    records.update_record(
        session, SYSTEM, record.id, changed, version=record.version, editable=frozenset(changed)
    )


def create_record(session: Session, scope: EffectScope, effect: fx.CreateRecord) -> None:
    data = to_json(dict(effect.data))
    try:
        with nested(f"create {effect.form}"):
            records.create_record(session, SYSTEM, effect.form, data, owner_id=scope.initiator)
    except ValidationFailed as error:
        raise type(error)(
            error.issues,
            message=_(
                "Step {step} of {flow} creates a record of the form {form}, but that record "
                "would not be valid ({count} problem(s), listed in errors). Nothing was saved; "
                "ask the flow's designer to check the field mapping.",
                step=effect.step or "-",
                flow=scope.source,
                form=effect.form,
                count=len(error.issues),
            ),
        ) from None


def update_record(session: Session, scope: EffectScope, effect: fx.UpdateRecord) -> None:
    target_id = _record_id(effect.record)
    target = session.get(Record, target_id) if target_id is not None else None
    view = records.form_view_of(session, target) if target is not None else None
    if target is None or target.deleted_at is not None or view is None or view.key != effect.form:
        raise TransitionNotAllowed(
            _(
                "Step {step} of {flow} updates the linked record {id} of the form {form}, "
                "which does not exist (any more). Correct the link in the record and try again.",
                step=effect.step or "-",
                flow=scope.source,
                id=effect.record,
                form=effect.form,
            )
        )
    patch = to_json(dict(effect.data))
    with nested(f"update {effect.form}"):
        records.update_record(
            session, SYSTEM, target.id, patch, version=target.version, editable=frozenset(patch)
        )


def _record_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def call_webhook(session: Session, scope: EffectScope, effect: fx.CallWebhook) -> None:
    outbox.enqueue(
        session,
        "webhook",
        {
            "url": effect.url,
            "event": "flow.step" if scope.instance is not None else "automation",
            "body": {
                "source": scope.source,
                "step": effect.step,
                "record": scope.record.id,
                "instance": scope.instance.id if scope.instance is not None else None,
                "data": to_json(dict(effect.payload)),
            },
        },
    )


def start_flow(session: Session, scope: EffectScope, effect: fx.StartFlow) -> None:
    from formflow.services.flow_runtime import start_flow_by_key  # noqa: PLC0415 - cycle

    with nested(f"start {effect.flow}"):
        start_flow_by_key(session, scope.record, effect.flow, initiator=scope.initiator)
