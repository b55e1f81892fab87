"""API: the task inbox, actions on tasks, and requests (flow instances)."""

from __future__ import annotations

from typing import Any

from formflow.services import inbox, instance_views, tasks
from formflow.services.flow_context import flow_environment
from formflow.services.flow_runtime import instances_of_record, urge, withdraw
from formflow.services.tasks import TaskRequest
from formflow.web.api import task_schemas as fs
from formflow.web.api.registry import Api, ApiCall


def register(api: Api) -> None:
    _register_tasks(api)
    _register_instances(api)


def _register_tasks(api: Api) -> None:
    @api.operation(
        "GET",
        "/tasks",
        summary="My inbox",
        tag="tasks",
        query=fs.TaskListQuery,
        response=fs.InboxPage,
        description="`view=open` (default): tasks waiting for me; `done`: tasks I completed; "
        "`cc`: copies to me; `initiated`: requests I submitted. Filter by `form`; page with "
        "`cursor` (the `next` of the previous page).",
    )
    def list_tasks(call: ApiCall) -> Any:
        q = call.query
        page = inbox.list_inbox(
            call.session,
            call.actor,
            view=q["view"],
            form=q["form"],
            limit=q["limit"],
            cursor=q["cursor"],
        )
        return {"items": page.items, "next": page.next}

    @api.operation(
        "GET",
        "/tasks/<int:task_id>",
        summary="Read a task",
        tag="tasks",
        response=fs.TaskDetailOut,
        errors=(404,),
        description="The record as the step may see it (hidden fields removed), the fields "
        "the step makes editable, the actions possible now and the steps it can return to.",
    )
    def get_task(call: ApiCall, task_id: int) -> Any:
        return tasks.describe_task(call.session, call.actor, task_id)

    @api.operation(
        "POST",
        "/tasks/<int:task_id>/<action>",
        summary="Act on a task",
        tag="tasks",
        body=fs.TaskActionBody,
        response=fs.InstanceOut,
        errors=(403, 404, 409),
        description="`action` is one of: " + ", ".join(fs.ACTIONS) + ". Send `{}` when "
        "there is nothing to add. Changes to editable fields go in `data` with the record "
        "`version` you read. A task someone else already decided answers 409 with the "
        "reason; a task that is not yours answers 403.",
    )
    def act_on_task(call: ApiCall, task_id: int, action: str) -> Any:
        body = call.body
        request = TaskRequest(
            action=action,
            comment=body["comment"],
            data=body["data"],
            version=body["version"],
            target=body["target"],
            user=body["user"],
            users=tuple(body["users"]),
            position=body["position"],
        )
        with flow_environment(call.runtime.settings.default_timezone):
            instance = tasks.act_on_task(call.session, call.actor, task_id, request)
        return instance_views.instance_dict(call.session, call.actor, instance, call.locale)


def _register_instances(api: Api) -> None:
    @api.operation(
        "GET",
        "/instances",
        summary="The requests of a record",
        tag="instances",
        query=fs.InstanceListQuery,
        response=fs.InstanceOut,
        many=True,
        errors=(404,),
    )
    def list_instances(call: ApiCall) -> Any:
        found = instances_of_record(call.session, call.actor, call.query["record"])
        return [
            instance_views.instance_dict(call.session, call.actor, i, call.locale) for i in found
        ]

    @api.operation(
        "GET",
        "/instances/<int:instance_id>",
        summary="Read a request",
        tag="instances",
        response=fs.InstanceOut,
        errors=(404,),
        description="History, the steps it waits at and who is asked there, and the flow's "
        "nodes and edges with their status for a timeline.",
    )
    def get_instance(call: ApiCall, instance_id: int) -> Any:
        return instance_views.describe_instance(call.session, call.actor, instance_id, call.locale)

    @api.operation(
        "POST",
        "/instances/<int:instance_id>/withdraw",
        summary="Withdraw a request",
        tag="instances",
        body=fs.WithdrawBody,
        response=fs.InstanceOut,
        errors=(403, 404, 409),
        description="The initiator only, until someone else has acted (or as the flow's "
        "`withdraw` rule says). With `version`, a record changed since answers 409.",
    )
    def withdraw_instance(call: ApiCall, instance_id: int) -> Any:
        body = call.body
        with flow_environment(call.runtime.settings.default_timezone):
            instance = withdraw(
                call.session,
                call.actor,
                instance_id,
                comment=body["comment"],
                record_version=body["version"],
            )
        return instance_views.instance_dict(call.session, call.actor, instance, call.locale)

    @api.operation(
        "POST",
        "/instances/<int:instance_id>/urge",
        summary="Urge a request",
        tag="instances",
        response=fs.InstanceOut,
        errors=(403, 404, 409),
        description="Reminds the people the request waits for; the initiator only, at most "
        "once an hour.",
    )
    def urge_instance(call: ApiCall, instance_id: int) -> Any:
        with flow_environment(call.runtime.settings.default_timezone):
            instance = urge(call.session, call.actor, instance_id)
        return instance_views.instance_dict(call.session, call.actor, instance, call.locale)
