"""Request and response shapes of the flow, automation and webhook routes.

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
