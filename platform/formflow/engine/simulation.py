"""Dry runs: which path a request would take and who would be asked, and why.

:func:`simulate` runs the real engine on sample data and lets every task be approved (or
decided as ``decisions`` say) until the instance ends or waits for its initiator. Nothing is
written anywhere: the effects the engine produced are returned for display only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from formflow.dsl.spec import FlowSpec
from formflow.engine.context import EngineContext, ExpressionPort
from formflow.engine.effects import Effect
from formflow.engine.events import Start, TaskAction, TaskVerb
from formflow.engine.instance import handle
from formflow.engine.state import InstanceState, InstanceStatus, TaskKind, msg_from_json
from formflow.i18n import Msg
from formflow.orgchart import OrgChart
from formflow.workcalendar import WorkCalendar

#: Tasks a simulation decides before it gives up (a flow that loops through people forever).
MAX_DECISIONS = 500


@dataclass(frozen=True)
class SimulationStep:
    """One visit of a step: who was asked and why, and what happened."""

    step: str
    title: str | None
    people: tuple[int, ...]
    names: tuple[str, ...]
    explanations: tuple[Msg, ...]
    mode: str
    outcome: str

    def render(self, locale: str | None = None) -> dict[str, Any]:
        return {
            "step": self.step,
            "title": self.title,
            "people": list(self.people),
            "names": list(self.names),
            "why": [m.render(locale) for m in self.explanations],
            "mode": self.mode,
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class SimulationResult:
    status: str
    path: tuple[str, ...]
    steps: tuple[SimulationStep, ...]
    effects: tuple[Effect, ...] = field(default=())
    state: InstanceState | None = field(default=None, compare=False)

    def approvers(self) -> dict[str, list[str]]:
        """Usernames... display names asked per step (all visits merged, in order)."""
        out: dict[str, list[str]] = {}
        for step in self.steps:
            names = out.setdefault(step.step, [])
            names.extend(n for n in step.names if n not in names)
        return out

    def render(self, locale: str | None = None) -> dict[str, Any]:
        return {
            "status": self.status,
            "path": list(self.path),
            "steps": [s.render(locale) for s in self.steps],
            "effects": [e.to_json() for e in self.effects],
        }


def simulate(
    spec: FlowSpec,
    data: Mapping[str, Any],
    initiator: int,
    org: OrgChart,
    *,
    chosen: Mapping[str, tuple[int, ...]] | None = None,
    decisions: Mapping[str, str] | None = None,
    expressions: ExpressionPort | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> SimulationResult:
    """Run ``spec`` for ``initiator`` on ``data`` with every task approved.

    ``decisions`` maps step names to ``"approve"`` (default) or ``"reject"``; a rejected step
    then follows the flow's reject rule. Raises what the engine raises for a broken flow
    (e.g. :class:`~formflow.errors.EvaluationFailed` for a condition that cannot be evaluated).
    """
    ctx = EngineContext(
        now=now or datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        org=org,
        data=data,
        calendar=calendar or WorkCalendar(),
        expressions=expressions,
    )
    state, effects = handle(spec, None, Start(initiator, dict(chosen or {})), ctx)
    collected = list(effects)
    for _round in range(MAX_DECISIONS):
        if state.status != InstanceStatus.RUNNING:
            break
        open_tasks = [t for t in state.open_tasks() if t.kind is not TaskKind.RESUBMIT]
        if not open_tasks:
            break
        task = open_tasks[0]
        verb = TaskVerb.REJECT if (decisions or {}).get(task.node) == "reject" else TaskVerb.APPROVE
        comment = "simulation" if verb is TaskVerb.REJECT else None
        action = TaskAction(task.id, task.assignee, verb, comment=comment)
        state, effects = handle(spec, state, action, ctx)
        collected.extend(effects)
    return SimulationResult(
        status=state.status,
        path=tuple(path_of(state)),
        steps=tuple(steps_of(spec, state, org)),
        effects=tuple(collected),
        state=state,
    )


def path_of(state: InstanceState) -> list[str]:
    """Steps in the order they were reached (a step visited twice appears twice)."""
    path: list[str] = []
    for entry in state.history:
        reached = entry.action in ("step_started", "automatic", "skipped") or (
            entry.action == "auto_approved" and entry.actor is None
        )
        if reached and entry.step is not None:
            path.append(entry.step)
    return path


def steps_of(spec: FlowSpec, state: InstanceState, org: OrgChart) -> list[SimulationStep]:
    out: list[SimulationStep] = []
    for run in sorted(state.runs.values(), key=lambda r: r.id):
        node = spec.node(run.node)
        out.append(
            SimulationStep(
                step=run.node,
                title=node.title,
                people=tuple(run.slots),
                names=tuple(org.display_name(user) for user in run.slots),
                explanations=tuple(msg_from_json(e) for e in run.explanations),
                mode=node.mode.kind.value,
                outcome=run.status.value,
            )
        )
    return out
