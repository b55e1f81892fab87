"""The inbox: my open tasks, what I did, what was copied to me, what I started.

Views (``GET /api/tasks?view=...``):

* ``open`` (default) — tasks waiting for me, newest first;
* ``done`` — tasks I completed;
* ``cc`` — carbon copies to me, unread and read;
* ``initiated`` — requests I submitted, with the steps they wait at.

Task views are one range scan of ``ix_flow_tasks_inbox`` (assignee, status, id) plus primary
key joins for the page, so one user's inbox stays fast however many open tasks the system
holds. Pages are cursors: ``next`` is the id to continue below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.engine import InstanceState
from formflow.errors import InvalidInput
from formflow.i18n import _
from formflow.services.actor import Actor
from formflow.services.effect_scope import CC_READ, CC_UNREAD
from formflow.services.flow_context import org_chart, spec_of
from formflow.services.tasks import task_dict
from formflow.storage.models import FlowDefinition, FlowInstance, FlowTask, Form, Record

VIEWS: dict[str, tuple[str, ...]] = {
    "open": ("open",),
    "done": ("completed",),
    "cc": (CC_UNREAD, CC_READ),
    "initiated": (),
}


@dataclass(frozen=True)
class InboxPage:
    items: list[dict[str, Any]]
    next: str | None


def _cursor(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise InvalidInput(
            _(
                "The cursor {value!r} is not one this list gave out; start again without it.",
                value=value,
            )
        )
    return int(value)


def list_inbox(
    session: Session,
    actor: Actor,
    *,
    view: str = "open",
    form: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> InboxPage:
    """One page of the actor's inbox in ``view`` (see the module docstring)."""
    if view not in VIEWS:
        raise InvalidInput(
            _("Unknown view {value!r}; use one of {views}.", value=view, views=", ".join(VIEWS))
        )
    after = _cursor(cursor)
    form_id: int | None = None
    if form:
        form_id = session.scalar(select(Form.id).where(Form.key == form))
        if form_id is None:
            return InboxPage([], None)
    if view == "initiated":
        return _initiated(session, actor, form_id, limit, after)
    query = (
        select(
            FlowTask,
            FlowInstance.status,
            FlowInstance.flow_version_id,
            FlowInstance.initiator_id,
            FlowDefinition.key,
            Record.label,
            Record.status,
            Form.key,
        )
        .join(FlowInstance, FlowInstance.id == FlowTask.instance_id)
        .join(FlowDefinition, FlowDefinition.id == FlowInstance.flow_id)
        .join(Record, Record.id == FlowTask.record_id)
        .join(Form, Form.id == FlowTask.form_id)
        .where(FlowTask.assignee_id == actor.id, FlowTask.status.in_(VIEWS[view]))
    )
    if form_id is not None:
        query = query.where(FlowTask.form_id == form_id)
    if after is not None:
        query = query.where(FlowTask.id < after)
    rows = list(session.execute(query.order_by(FlowTask.id.desc()).limit(limit + 1)))
    org = org_chart(session)
    items: list[dict[str, Any]] = []
    for task, status, version_id, initiator, flow_key, label, record_status, form_key in rows[
        :limit
    ]:
        spec = spec_of(session, version_id)
        node = spec.nodes.get(task.step)
        items.append(
            {
                "task": task_dict(task, node.title if node is not None else None),
                "instance": {
                    "id": task.instance_id,
                    "status": status,
                    "flow": flow_key,
                    "flow_title": spec.title,
                    "initiator": initiator,
                    "initiator_name": org.display_name(initiator) if initiator else None,
                    "current_steps": None,
                },
                "record": {
                    "id": task.record_id,
                    "form": form_key,
                    "label": label,
                    "status": record_status,
                },
            }
        )
    more = len(rows) > limit
    return InboxPage(items, str(items[-1]["task"]["id"]) if more and items else None)


def _initiated(
    session: Session, actor: Actor, form_id: int | None, limit: int, after: int | None
) -> InboxPage:
    query = (
        select(FlowInstance, FlowDefinition.key, Record.label, Record.status, Form.key)
        .join(FlowDefinition, FlowDefinition.id == FlowInstance.flow_id)
        .join(Record, Record.id == FlowInstance.record_id)
        .join(Form, Form.id == FlowInstance.form_id)
        .where(FlowInstance.initiator_id == actor.id)
    )
    if form_id is not None:
        query = query.where(FlowInstance.form_id == form_id)
    if after is not None:
        query = query.where(FlowInstance.id < after)
    rows = list(session.execute(query.order_by(FlowInstance.id.desc()).limit(limit + 1)))
    org = org_chart(session)
    items: list[dict[str, Any]] = []
    for instance, flow_key, label, record_status, form_key in rows[:limit]:
        spec = spec_of(session, instance.flow_version_id)
        state = InstanceState.from_dict(instance.state)
        items.append(
            {
                "task": None,
                "instance": {
                    "id": instance.id,
                    "status": instance.status,
                    "flow": flow_key,
                    "flow_title": spec.title,
                    "initiator": instance.initiator_id,
                    "initiator_name": org.display_name(instance.initiator_id),
                    "current_steps": state.current_steps(),
                },
                "record": {
                    "id": instance.record_id,
                    "form": form_key,
                    "label": label,
                    "status": record_status,
                },
            }
        )
    more = len(rows) > limit
    return InboxPage(items, str(items[-1]["instance"]["id"]) if more and items else None)
