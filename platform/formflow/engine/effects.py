"""What the engine asks the outside world to do, as frozen dataclasses.

The engine itself does no I/O: it returns effects and the services carry them out (tasks and
the inbox in the database, notifications and webhooks through the outbox after the commit,
timers in the timer table). Every effect has a stable ``kind`` and ``to_json()`` so services
can put it on the outbox as it is.

Timer keys are unique within one instance; services prefix them with the instance id, which
makes them unique in the whole system and lets any number of workers fire each timer once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from formflow.engine.state import msg_to_json
from formflow.i18n import Msg


def _json(value: Any) -> Any:
    if isinstance(value, Msg):
        return msg_to_json(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Effect:
    kind: ClassVar[str] = "effect"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for name in self.__dataclass_fields__:
            out[name] = _json(getattr(self, name))
        return out


@dataclass(frozen=True)
class TaskCreated(Effect):
    kind: ClassVar[str] = "task_created"
    task: str
    step: str
    assignee: int
    task_kind: str
    delegated_from: int | None = None


@dataclass(frozen=True)
class TaskCancelled(Effect):
    kind: ClassVar[str] = "task_cancelled"
    task: str
    step: str
    assignee: int
    reason: str


@dataclass(frozen=True)
class TaskCompleted(Effect):
    kind: ClassVar[str] = "task_completed"
    task: str
    step: str
    assignee: int
    outcome: str
    actor: int | None = None


@dataclass(frozen=True)
class Notify(Effect):
    """Tell ``users`` something (``reason``: remind, urge, escalated, notify ...)."""

    kind: ClassVar[str] = "notify"
    users: tuple[int, ...]
    reason: str
    step: str | None = None
    message: Msg | str | None = None


@dataclass(frozen=True)
class CarbonCopy(Effect):
    kind: ClassVar[str] = "carbon_copy"
    users: tuple[int, ...]
    step: str | None = None


@dataclass(frozen=True)
class SetFields(Effect):
    """Write ``values`` (field path -> value) into the instance's own record."""

    kind: ClassVar[str] = "set_fields"
    values: Mapping[str, Any]
    step: str | None = None


@dataclass(frozen=True)
class CreateRecord(Effect):
    kind: ClassVar[str] = "create_record"
    form: str
    data: Mapping[str, Any]
    step: str | None = None
    row: int | None = None  # the sub-table row it was made for, when per row


@dataclass(frozen=True)
class UpdateRecord(Effect):
    kind: ClassVar[str] = "update_record"
    form: str
    record: Any
    data: Mapping[str, Any]
    step: str | None = None


@dataclass(frozen=True)
class CallWebhook(Effect):
    kind: ClassVar[str] = "call_webhook"
    url: str
    payload: Mapping[str, Any]
    step: str | None = None


@dataclass(frozen=True)
class StartFlow(Effect):
    kind: ClassVar[str] = "start_flow"
    flow: str
    step: str | None = None


@dataclass(frozen=True)
class ScheduleTimer(Effect):
    """Fire ``TimerFired(key)`` at ``at`` (an ISO date-time)."""

    kind: ClassVar[str] = "schedule_timer"
    key: str
    at: str
    step: str
    action: str


@dataclass(frozen=True)
class CancelTimer(Effect):
    kind: ClassVar[str] = "cancel_timer"
    key: str


@dataclass(frozen=True)
class InstanceEnded(Effect):
    """The instance reached an end: ``approved``, ``rejected``, ``withdrawn`` or a named end."""

    kind: ClassVar[str] = "instance_ended"
    status: str
    extra: Mapping[str, Any] = field(default_factory=dict)


__all__ = [
    "CallWebhook",
    "CancelTimer",
    "CarbonCopy",
    "CreateRecord",
    "Effect",
    "InstanceEnded",
    "Notify",
    "ScheduleTimer",
    "SetFields",
    "StartFlow",
    "TaskCancelled",
    "TaskCompleted",
    "TaskCreated",
    "UpdateRecord",
]
