"""Request and response shapes of the flow, automation, webhook, task and instance routes.

Request schemas reject unknown fields, as everywhere in the API; response schemas list every
field they emit (the OpenAPI document is generated from them).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from formflow.web.api.schemas import Strict, Timestamp

SOURCE = fields.String(
    required=True,
    validate=validate.Length(min=1, max=200_000),
    metadata={"description": "The flow file text (docs/flow-dsl.md)."},
)
SETTINGS = {
    "description": 'Values for the flow\'s params, e.g. {"cfo_limit": 8000}; unknown names are '
    "ignored. On PUT, omitted settings keep those of the current version."
}


class DiagnosticOut(Schema):
    severity = fields.String(required=True, metadata={"description": "error or warning"})
    code = fields.String(required=True)
    message = fields.String(required=True)
    line = fields.Integer(required=True)
    column = fields.Integer(required=True)
    end_line = fields.Integer()
    end_column = fields.Integer(allow_none=True)
    hint = fields.String()
    source = fields.String()
    excerpt = fields.String(metadata={"description": "the source line with a caret"})


# -- flows ------------------------------------------------------------------------------------


class FlowCreate(Strict):
    source = SOURCE
    key = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "which flow of the text (default: its only flow)"},
    )
    settings = fields.Dict(load_default=None, allow_none=True, metadata=SETTINGS)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class FlowPublish(Strict):
    source = SOURCE
    settings = fields.Dict(load_default=None, allow_none=True, metadata=SETTINGS)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class FlowCheck(Strict):
    source = SOURCE
    form = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the form the flow is meant for (reported when it differs)"},
    )
    settings = fields.Dict(load_default=None, allow_none=True, metadata=SETTINGS)


class CheckOut(Schema):
    valid = fields.Boolean(required=True, metadata={"description": "no errors (warnings allowed)"})
    diagnostics = fields.List(fields.Nested(DiagnosticOut), required=True)


class VersionCountOut(Schema):
    version = fields.Integer(required=True)
    created_at = Timestamp(required=True)
    created_by = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    running = fields.Integer(required=True, metadata={"description": "instances still running"})
    total = fields.Integer(required=True, metadata={"description": "instances ever started"})


class FlowSummary(Schema):
    key = fields.String(required=True)
    title = fields.String(allow_none=True)
    form = fields.String(required=True)
    pack = fields.String(allow_none=True)
    version = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    updated_at = Timestamp(required=True)


class FlowOut(FlowSummary):
    source = fields.String(required=True)
    settings = fields.Dict(required=True)
    spec = fields.Dict(
        required=True, metadata={"description": "the compiled graph: nodes and edges (format 1)"}
    )
    versions = fields.List(fields.Nested(VersionCountOut), required=True)
    warnings = fields.List(fields.Nested(DiagnosticOut), required=True)


class SimulateRequest(Strict):
    data = fields.Dict(required=True, metadata={"description": "sample record data"})
    initiator = fields.Raw(
        required=True, metadata={"description": "username or user id of the initiator"}
    )
    chosen = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw()),
        load_default=None,
        allow_none=True,
        metadata={"description": "people the initiator picks per step (usernames or ids)"},
    )
    decisions = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=None,
        allow_none=True,
        metadata={"description": 'per step "approve" (default) or "reject"'},
    )
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


class SimulationStepOut(Schema):
    step = fields.String(required=True)
    title = fields.String(allow_none=True)
    people = fields.List(fields.Integer(), required=True)
    names = fields.List(fields.String(), required=True)
    why = fields.List(fields.String(), required=True)
    mode = fields.String(required=True)
    outcome = fields.String(required=True)


class SimulationOut(Schema):
    status = fields.String(required=True)
    path = fields.List(fields.String(), required=True)
    steps = fields.List(fields.Nested(SimulationStepOut), required=True)
    approvers = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True
    )
    effects = fields.List(fields.Dict(), required=True)


# -- automations and webhooks -------------------------------------------------------------


class AutomationPublish(Strict):
    source = SOURCE
    settings = fields.Dict(load_default=None, allow_none=True, metadata=SETTINGS)


class AutomationPatch(Strict):
    active = fields.Boolean(required=True)


class AutomationOut(Schema):
    key = fields.String(required=True)
    title = fields.String(allow_none=True)
    form = fields.String(required=True)
    active = fields.Boolean(required=True)
    triggers = fields.List(fields.Dict(), required=True)
    updated_at = Timestamp(required=True)


class WebhookCreate(Strict):
    key = fields.String(required=True, validate=validate.Length(min=1, max=64))
    url = fields.String(required=True, validate=validate.Length(min=1, max=500))


class WebhookPatch(Strict):
    url = fields.String(validate=validate.Length(min=1, max=500))
    active = fields.Boolean()
    rotate = fields.Boolean(load_default=False, metadata={"description": "give a new secret"})


class WebhookOut(Schema):
    key = fields.String(required=True)
    url = fields.String(required=True)
    active = fields.Boolean(required=True)
    rotation = fields.Integer(required=True)
    secret = fields.String(
        required=True,
        metadata={"description": "HMAC-SHA256 key receivers check X-Formflow-Signature with"},
    )
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


# -- tasks and instances --------------------------------------------------------------------

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
