"""API: flow definitions (check, publish, read, simulate), automations, webhook destinations."""

from __future__ import annotations

from typing import Any

from formflow.services import automations, flows, webhooks
from formflow.services.flow_context import flow_environment
from formflow.services.flows import FlowView
from formflow.web.api import flow_schemas as fs
from formflow.web.api.registry import Api, ApiCall


def flow_dict(call: ApiCall, view: FlowView, *, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": view.flow.key,
        "title": view.flow.title,
        "form": view.flow.form_key,
        "pack": view.flow.pack,
        "version": view.version.version,
        "active": view.flow.active,
        "updated_at": view.flow.updated_at,
    }
    if full:
        out.update(
            source=view.version.source,
            settings=view.version.settings or {},
            spec=view.spec.to_json(),
            versions=flows.version_counts(call.session, view.flow),
            warnings=[d.render(call.locale, view.version.source) for d in view.warnings],
        )
    return out


def automation_dict(row: Any) -> dict[str, Any]:
    spec = automations.spec_of_row(row)
    return {
        "key": row.key,
        "title": row.title,
        "form": row.form_key,
        "active": row.active,
        "triggers": [trigger.to_json() for trigger in spec.triggers],
        "updated_at": row.updated_at,
    }


def webhook_dict(call: ApiCall, endpoint: Any) -> dict[str, Any]:
    return {
        "key": endpoint.key,
        "url": endpoint.url,
        "active": endpoint.active,
        "rotation": endpoint.rotation,
        "secret": webhooks.secret_of(call.runtime.settings, endpoint),
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def register(api: Api) -> None:
    _register_flows(api)
    _register_automations(api)
    _register_webhooks(api)


def _register_flows(api: Api) -> None:
    @api.operation(
        "GET", "/flows", summary="List flows", tag="flows", response=fs.FlowSummary, many=True
    )
    def list_flows(call: ApiCall) -> Any:
        out = []
        for flow in flows.list_flows(call.session):
            view = flows.get_flow(call.session, flow.key)
            out.append(flow_dict(call, view, full=False))
        return out

    @api.operation(
        "POST",
        "/flows",
        summary="Create a flow (publishes version 1)",
        tag="flows",
        body=fs.FlowCreate,
        response=fs.FlowOut,
        status=201,
        errors=(403, 409),
        description="The text is checked against the live forms and org first; any error "
        "answers 422 with every diagnostic (line, column, hint). Warnings are returned with "
        "the published flow. Designers and admins only.",
    )
    def create_flow(call: ApiCall) -> Any:
        body = call.body
        with flow_environment(call.runtime.settings.default_timezone):
            view = flows.create_flow(
                call.session,
                call.actor,
                source=body["source"],
                key=body["key"],
                settings=body["settings"],
                note=body["note"],
            )
        return flow_dict(call, view)

    @api.operation(
        "POST",
        "/flows/check",
        summary="Check a flow text",
        tag="flows",
        body=fs.FlowCheck,
        response=fs.CheckOut,
        errors=(403,),
        description="Every problem at once, each with line, column, a message, a hint and "
        "the source line with a caret; nothing is stored. Designers and admins only.",
    )
    def check_flow(call: ApiCall) -> Any:
        body = call.body
        found = flows.check_source(
            call.session,
            call.actor,
            body["source"],
            form_key=body["form"],
            settings=body["settings"],
        )
        return {
            "valid": not any(d.severity.value == "error" for d in found),
            "diagnostics": [d.render(call.locale, body["source"]) for d in found],
        }

    @api.operation(
        "GET",
        "/flows/<key>",
        summary="Read a flow",
        tag="flows",
        response=fs.FlowOut,
        errors=(404,),
        description="The current version's source and compiled graph, and every version with "
        "how many requests run on it.",
    )
    def get_flow(call: ApiCall, key: str) -> Any:
        return flow_dict(call, flows.get_flow(call.session, key))

    @api.operation(
        "PUT",
        "/flows/<key>",
        summary="Publish a new version",
        tag="flows",
        body=fs.FlowPublish,
        response=fs.FlowOut,
        errors=(403, 404, 409),
        description="Running requests finish on the version they started with; new "
        "submissions start the new one. A text with errors answers 422 with every diagnostic "
        "and publishes nothing.",
    )
    def publish_flow(call: ApiCall, key: str) -> Any:
        body = call.body
        with flow_environment(call.runtime.settings.default_timezone):
            view = flows.publish_version(
                call.session,
                call.actor,
                key,
                source=body["source"],
                settings=body["settings"],
                note=body["note"],
            )
        return flow_dict(call, view)

    @api.operation(
        "POST",
        "/flows/<key>/simulate",
        summary="Dry-run a flow",
        tag="flows",
        body=fs.SimulateRequest,
        response=fs.SimulationOut,
        errors=(404, 409),
        description="The path a request with this data from this initiator would take and "
        "who would be asked at each step, and why. Every task is approved unless `decisions` "
        "says reject for its step. Nothing is written.",
    )
    def simulate_flow(call: ApiCall, key: str) -> Any:
        body = call.body
        with flow_environment(call.runtime.settings.default_timezone):
            result = flows.simulate_flow(
                call.session,
                call.actor,
                key,
                data=body["data"],
                initiator=body["initiator"],
                chosen=body["chosen"],
                decisions=body["decisions"],
                version=body["version"],
            )
        return {**result.render(call.locale), "approvers": result.approvers()}


def _register_automations(api: Api) -> None:
    @api.operation(
        "GET",
        "/automations",
        summary="List automations",
        tag="automations",
        response=fs.AutomationOut,
        many=True,
    )
    def list_automations(call: ApiCall) -> Any:
        return [automation_dict(row) for row in automations.list_automations(call.session)]

    @api.operation(
        "POST",
        "/automations",
        summary="Publish automations",
        tag="automations",
        body=fs.AutomationPublish,
        response=fs.AutomationOut,
        many=True,
        errors=(403,),
        description="Stores every automation the text defines (replacing one with the same "
        "name) and schedules the timed ones. Errors answer 422 with every diagnostic.",
    )
    def publish_automations(call: ApiCall) -> Any:
        body = call.body
        with flow_environment(call.runtime.settings.default_timezone):
            rows = automations.publish_automations(
                call.session, call.actor, source=body["source"], settings=body["settings"]
            )
        return [automation_dict(row) for row in rows]

    @api.operation(
        "PATCH",
        "/automations/<key>",
        summary="Switch an automation on or off",
        tag="automations",
        body=fs.AutomationPatch,
        response=fs.AutomationOut,
        errors=(403, 404),
    )
    def patch_automation(call: ApiCall, key: str) -> Any:
        with flow_environment(call.runtime.settings.default_timezone):
            row = automations.set_active(call.session, call.actor, key, call.body["active"])
        return automation_dict(row)


def _register_webhooks(api: Api) -> None:
    @api.operation(
        "GET",
        "/webhooks",
        summary="List webhook destinations",
        tag="webhooks",
        response=fs.WebhookOut,
        many=True,
        errors=(403,),
    )
    def list_webhooks(call: ApiCall) -> Any:
        return [webhook_dict(call, e) for e in webhooks.list_endpoints(call.session, call.actor)]

    @api.operation(
        "POST",
        "/webhooks",
        summary="Allow a webhook destination",
        tag="webhooks",
        body=fs.WebhookCreate,
        response=fs.WebhookOut,
        status=201,
        errors=(403, 409),
        description="Flows and automations may call this exact URL; calls are signed with "
        "the returned secret. Admins only.",
    )
    def create_webhook(call: ApiCall) -> Any:
        endpoint = webhooks.create_endpoint(
            call.session, call.actor, key=call.body["key"], url=call.body["url"]
        )
        return webhook_dict(call, endpoint)

    @api.operation(
        "PATCH",
        "/webhooks/<key>",
        summary="Change a webhook destination",
        tag="webhooks",
        body=fs.WebhookPatch,
        response=fs.WebhookOut,
        errors=(403, 404, 409),
        description="Change the URL, switch it off, or rotate its secret (`rotate: true`).",
    )
    def patch_webhook(call: ApiCall, key: str) -> Any:
        body = call.body
        endpoint = webhooks.update_endpoint(
            call.session,
            call.actor,
            key,
            url=body.get("url"),
            active=body.get("active"),
            rotate=body["rotate"],
        )
        return webhook_dict(call, endpoint)
