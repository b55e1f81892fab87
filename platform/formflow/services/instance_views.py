"""A request as its participants see it: status, history, who it waits for, and the diagram.

``GET /api/instances/{id}`` shows the instance's history (who did what, when, from which step
to which, with comments and the engine's explanations in the reader's language), the steps it
waits at and the people asked there (with their task ids), the flow's nodes and edges with
each node marked done / current / pending for a timeline, and the viewer's own open tasks.
Anyone who may read the record may read its request; everyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.dsl import FlowSpec
from formflow.engine import InstanceState
from formflow.engine.state import msg_from_json
from formflow.orgchart import OrgChart
from formflow.services.actor import Actor
from formflow.services.flow_context import form_view, org_chart, spec_of
from formflow.services.flow_runtime import readable_instance
from formflow.storage.models import FlowDefinition, FlowInstance, FlowTask, FlowVersion, Record


def describe_instance(
    session: Session, actor: Actor, instance_id: int, locale: str
) -> dict[str, Any]:
    """The request ``instance_id`` for ``actor`` (see the module docstring)."""
    instance, _record = readable_instance(session, actor, instance_id)
    return instance_dict(session, actor, instance, locale)


def instance_dict(
    session: Session, actor: Actor, instance: FlowInstance, locale: str
) -> dict[str, Any]:
    the_record = session.get_one(Record, instance.record_id)
    view = form_view(session, the_record)
    spec = spec_of(session, instance.flow_version_id)
    state = InstanceState.from_dict(instance.state)
    org = org_chart(session)
    flow = session.get_one(FlowDefinition, instance.flow_id)
    version = session.get_one(FlowVersion, instance.flow_version_id)
    rows = list(
        session.scalars(
            select(FlowTask).where(FlowTask.instance_id == instance.id).order_by(FlowTask.id)
        )
    )
    ids = {row.task_key: row.id for row in rows}
    return {
        "id": instance.id,
        "status": instance.status,
        "flow": {"key": flow.key, "title": spec.title, "version": version.version},
        "record": {
            "id": the_record.id,
            "form": view.key,
            "label": the_record.label,
            "status": the_record.status,
            "version": the_record.version,
        },
        "initiator": state.initiator,
        "initiator_name": org.display_name(state.initiator),
        "started_at": instance.started_at,
        "ended_at": instance.ended_at,
        "current": _current(spec, state, org, ids),
        "my_tasks": [
            row.id
            for row in rows
            if row.assignee_id == actor.id and row.status in ("open", "unread")
        ],
        "history": [_entry(spec, org, entry, ids, locale) for entry in state.history],
        "cc": [
            {"user": c.user, "name": org.display_name(c.user), "step": c.step, "read": c.read}
            for c in state.cc
        ],
        "nodes": _nodes(spec, state),
        "edges": [
            {
                "source": edge.source,
                "target": edge.target,
                "kind": edge.kind.value,
                "label": edge.label,
                "condition": edge.condition.source if edge.condition is not None else None,
            }
            for edge in spec.edges
        ],
    }


def _title(spec: FlowSpec, step: str | None) -> str | None:
    if step is None or step not in spec.nodes:
        return None
    return spec.nodes[step].title or step


def _current(
    spec: FlowSpec, state: InstanceState, org: OrgChart, ids: dict[str, int]
) -> list[dict[str, Any]]:
    out = []
    for step in state.current_steps():
        waiting = [
            {"user": t.assignee, "name": org.display_name(t.assignee), "task": ids.get(t.id)}
            for t in state.open_tasks()
            if t.node == step
        ]
        out.append({"step": step, "title": _title(spec, step), "waiting": waiting})
    return out


def _entry(
    spec: FlowSpec, org: OrgChart, entry: Any, ids: dict[str, int], locale: str
) -> dict[str, Any]:
    note = msg_from_json(entry.note).render(locale) if entry.note else None
    return {
        "at": entry.at,
        "actor": entry.actor,
        "actor_name": org.display_name(entry.actor) if entry.actor is not None else None,
        "action": entry.action,
        "step": entry.step,
        "step_title": _title(spec, entry.step),
        "to_step": entry.to_step,
        "comment": entry.comment,
        "note": note,
        "task": ids.get(entry.task) if entry.task else None,
    }


def _nodes(spec: FlowSpec, state: InstanceState) -> list[dict[str, Any]]:
    current = set(state.current_steps())
    done = set(state.completed)
    reached = {entry.step for entry in state.history if entry.step}
    out = []
    for node in spec.nodes.values():
        if node.id in current:
            status = "current"
        elif node.id in done:
            status = "done"
        elif node.id in reached:
            status = "passed"
        else:
            status = "pending"
        out.append(
            {
                "id": node.id,
                "kind": node.kind.value,
                "title": node.title,
                "region": list(node.region),
                "status": status,
            }
        )
    return out
