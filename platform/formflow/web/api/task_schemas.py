"""Request and response shapes of the task inbox, task actions and requests (instances)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from formflow.web.api.schemas import Strict, Timestamp

VIEWS = validate.OneOf(["open", "done", "cc", "initiated"])
ACTIONS = [
    "approve",
    "complete",
    "resubmit",
    "reject",
    "return",
    "transfer",
    "add-approver",
    "delegate",
    "reclaim",
    "comment",
    "read",
]


class TaskListQuery(Strict):
    view = fields.String(load_default="open", validate=VIEWS)
    form = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=40))


class TaskInfo(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "approve, task, resubmit, cc"})
    status = fields.String(
        required=True, metadata={"description": "open, completed, cancelled; cc: unread, read"}
    )
    step = fields.String(required=True)
    step_title = fields.String(allow_none=True)
    assignee = fields.Integer(required=True)
    delegated_from = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    created_at = Timestamp(required=True)
    completed_at = Timestamp(allow_none=True)
    due_at = Timestamp(allow_none=True)
    read_at = Timestamp(allow_none=True)


class InstanceBrief(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    flow = fields.String(required=True)
    flow_title = fields.String(allow_none=True)
    initiator = fields.Integer(allow_none=True)
    initiator_name = fields.String(allow_none=True)
    current_steps = fields.List(fields.String(), allow_none=True)


class RecordBrief(Schema):
    id = fields.Integer(required=True)
    form = fields.String(required=True)
    label = fields.String(required=True)
    status = fields.String(required=True)


class InboxItem(Schema):
    task = fields.Nested(TaskInfo, allow_none=True, required=True)
    instance = fields.Nested(InstanceBrief, required=True)
    record = fields.Nested(RecordBrief, required=True)


class InboxPage(Schema):
    items = fields.List(fields.Nested(InboxItem), required=True)
    next = fields.String(allow_none=True, required=True)


class TaskRecordOut(RecordBrief):
    version = fields.Integer(required=True)
    data = fields.Dict(
        required=True, metadata={"description": "the record without the step's hidden fields"}
    )


class TaskInstanceOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    flow = fields.String(required=True)
    flow_title = fields.String(allow_none=True)
    initiator = fields.Integer(required=True)


class PermissionsOut(Schema):
    editable = fields.List(fields.String(), required=True)
    hidden = fields.List(fields.String(), required=True)


class TaskDetailOut(Schema):
    task = fields.Nested(TaskInfo, required=True)
    instance = fields.Nested(TaskInstanceOut, required=True)
    record = fields.Nested(TaskRecordOut, required=True)
    permissions = fields.Nested(PermissionsOut, required=True)
    actions = fields.List(fields.String(), required=True)
    return_targets = fields.List(fields.String(), required=True)


class TaskActionBody(Strict):
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    data = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={"description": "changes to fields the step makes editable (merge patch)"},
    )
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"description": "the record version you read; required with data"},
    )
    target = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": 'return: a step name, or "initiator" (default)'},
    )
    user = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"description": "transfer, delegate: the user id"},
    )
    users = fields.List(
        fields.Integer(strict=True),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "add-approver: user ids"},
    )
    position = fields.String(
        load_default="alongside", validate=validate.OneOf(["before", "after", "alongside"])
    )


class WithdrawBody(Strict):
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"description": "the record version you saw; a changed record answers 409"},
    )


class InstanceListQuery(Strict):
    record = fields.Integer(required=True, metadata={"description": "the record's id"})


class FlowRef(Schema):
    key = fields.String(required=True)
    title = fields.String(allow_none=True)
    version = fields.Integer(required=True)


class InstanceRecordOut(RecordBrief):
    version = fields.Integer(required=True)


class WaitingOut(Schema):
    user = fields.Integer(required=True)
    name = fields.String(required=True)
    task = fields.Integer(allow_none=True)


class CurrentStepOut(Schema):
    step = fields.String(required=True)
    title = fields.String(allow_none=True)
    waiting = fields.List(fields.Nested(WaitingOut), required=True)


class HistoryOut(Schema):
    at = fields.String(required=True)
    actor = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    action = fields.String(required=True)
    step = fields.String(allow_none=True)
    step_title = fields.String(allow_none=True)
    to_step = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    task = fields.Integer(allow_none=True)


class CcOut(Schema):
    user = fields.Integer(required=True)
    name = fields.String(required=True)
    step = fields.String(required=True)
    read = fields.Boolean(required=True)


class NodeOut(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(allow_none=True)
    region = fields.List(fields.String(), required=True)
    status = fields.String(
        required=True, metadata={"description": "done, current, passed, pending"}
    )


class EdgeOut(Schema):
    source = fields.String(required=True)
    target = fields.String(required=True)
    kind = fields.String(required=True)
    label = fields.String(allow_none=True)
    condition = fields.String(allow_none=True)


class InstanceOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    flow = fields.Nested(FlowRef, required=True)
    record = fields.Nested(InstanceRecordOut, required=True)
    initiator = fields.Integer(required=True)
    initiator_name = fields.String(required=True)
    started_at = Timestamp(required=True)
    ended_at = Timestamp(allow_none=True)
    current = fields.List(fields.Nested(CurrentStepOut), required=True)
    my_tasks = fields.List(fields.Integer(), required=True)
    history = fields.List(fields.Nested(HistoryOut), required=True)
    cc = fields.List(fields.Nested(CcOut), required=True)
    nodes = fields.List(fields.Nested(NodeOut), required=True)
    edges = fields.List(fields.Nested(EdgeOut), required=True)
