"""The workflow engine (pure core): ``(spec, state, event, context) -> (state, effects)``.

Public API::

    handle(spec, state, event, ctx) -> (InstanceState, list[Effect])
        # state is None for Start; the given state is never changed.
    InstanceState.to_dict() / InstanceState.from_dict(data)      # JSON, stored by services
    EngineContext(now, org, data, calendar, calendars, expressions)
    FormExpressions(scope, eval_context)                         # the standard evaluator
    simulate(spec, data, initiator, org, ...) -> SimulationResult   # dry run, no effects
    run_cases(spec, cases, org, ...) -> list[CaseResult]         # simulation cases file
    automation_matches(spec, RecordEvent(...), ctx) / passes_filter(spec, data, ctx)
    automation_effects(spec, data, ctx) / next_run(spec, after, data)   # automations

Events: Start, TaskAction (TaskVerb: approve, reject, return, transfer, add_approver,
delegate, reclaim, comment), Withdraw, Urge, TimerFired, MarkCcRead. Effects: TaskCreated,
TaskCancelled, TaskCompleted, Notify, CarbonCopy, SetFields, CreateRecord, UpdateRecord,
CallWebhook, StartFlow, ScheduleTimer, CancelTimer, InstanceEnded (see effects.py).

Services persist the state (with an optimistic version column: two approvals of the same
step at once must not both commit), carry out the effects after the engine returns, and
prefix timer keys with the instance id. Semantics are documented in docs/flow-dsl.md.
"""

from __future__ import annotations

from formflow.engine.automation import (
    RecordEvent,
    automation_effects,
    automation_matches,
    next_run,
    passes_filter,
)
from formflow.engine.cases import CaseResult, load_cases, run_cases
from formflow.engine.context import EngineContext, ExpressionPort, FormExpressions
from formflow.engine.effects import (
    CallWebhook,
    CancelTimer,
    CarbonCopy,
    CreateRecord,
    Effect,
    InstanceEnded,
    Notify,
    ScheduleTimer,
    SetFields,
    StartFlow,
    TaskCancelled,
    TaskCompleted,
    TaskCreated,
    UpdateRecord,
)
from formflow.engine.events import (
    Event,
    MarkCcRead,
    Position,
    Start,
    TaskAction,
    TaskVerb,
    TimerFired,
    Urge,
    Withdraw,
)
from formflow.engine.instance import handle
from formflow.engine.simulation import SimulationResult, SimulationStep, simulate
from formflow.engine.state import InstanceState, InstanceStatus, Task, TaskKind, TaskStatus

__all__ = [
    "CallWebhook",
    "CancelTimer",
    "CarbonCopy",
    "CaseResult",
    "CreateRecord",
    "Effect",
    "EngineContext",
    "Event",
    "ExpressionPort",
    "FormExpressions",
    "InstanceEnded",
    "InstanceState",
    "InstanceStatus",
    "MarkCcRead",
    "Notify",
    "Position",
    "RecordEvent",
    "ScheduleTimer",
    "SetFields",
    "SimulationResult",
    "SimulationStep",
    "Start",
    "StartFlow",
    "Task",
    "TaskAction",
    "TaskCancelled",
    "TaskCompleted",
    "TaskCreated",
    "TaskKind",
    "TaskStatus",
    "TaskVerb",
    "TimerFired",
    "UpdateRecord",
    "Urge",
    "Withdraw",
    "automation_effects",
    "automation_matches",
    "handle",
    "load_cases",
    "next_run",
    "passes_filter",
    "run_cases",
    "simulate",
]
