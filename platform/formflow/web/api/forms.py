"""API: form definitions, their versions, and live validation."""

from __future__ import annotations

from typing import Any

from formflow.forms import Migration
from formflow.services import forms, records
from formflow.services.forms import FormView
from formflow.web.api import schemas
from formflow.web.api.registry import Api, ApiCall


def form_dict(call: ApiCall, view: FormView) -> dict[str, Any]:
    return {
        "key": view.form.key,
        "title": view.version.title,
        "version": view.version.version,
        "schema": view.version.schema,
        "ui": view.version.ui or {},
        "pack": view.form.pack,
        "grants": forms.grants_of(call.session, view.form),
        "created_at": view.form.created_at,
        "updated_at": view.form.updated_at,
    }


def register(api: Api) -> None:
    @api.operation(
        "GET",
        "/forms",
        summary="List forms",
        tag="forms",
        response=schemas.FormSummary,
        many=True,
    )
    def list_forms(call: ApiCall) -> Any:
        return [
            {
                "key": v.form.key,
                "title": v.version.title,
                "version": v.version.version,
                "pack": v.form.pack,
            }
            for v in forms.list_forms(call.session)
        ]

    @api.operation(
        "POST",
        "/forms",
        summary="Create a form (publishes version 1)",
        tag="forms",
        body=schemas.FormCreate,
        response=schemas.FormOut,
        status=201,
        errors=(403, 409),
        description="The definition is checked completely; every problem is listed in "
        "`errors` with its JSON path (422).",
    )
    def create_form(call: ApiCall) -> Any:
        body = call.body
        view = forms.create_form(
            call.session,
            call.actor,
            key=body["key"],
            title=body["title"],
            schema=body["schema"],
            ui=body["ui"],
            grants=body["grants"],
        )
        return form_dict(call, view)

    @api.operation(
        "GET",
        "/forms/<key>",
        summary="Read a form's current version",
        tag="forms",
        response=schemas.FormOut,
        errors=(404,),
    )
    def get_form(call: ApiCall, key: str) -> Any:
        return form_dict(call, forms.get_form(call.session, key))

    @api.operation(
        "PUT",
        "/forms/<key>",
        summary="Publish a new version",
        tag="forms",
        body=schemas.FormPublish,
        response=schemas.FormOut,
        errors=(403, 404, 409),
        description="Changes that existing records would not satisfy are refused (409, with "
        "the affected records listed) unless a `migration` makes them valid.",
    )
    def publish_form(call: ApiCall, key: str) -> Any:
        body = call.body
        migration = Migration.from_json(body["migration"]) if body["migration"] else None
        view = forms.publish_version(
            call.session,
            call.actor,
            key,
            schema=body["schema"],
            ui=body["ui"],
            title=body["title"],
            migration=migration,
            note=body["note"],
        )
        return form_dict(call, view)

    @api.operation(
        "GET",
        "/forms/<key>/versions",
        summary="List published versions",
        tag="forms",
        response=schemas.VersionOut,
        many=True,
        errors=(404,),
    )
    def list_versions(call: ApiCall, key: str) -> Any:
        return forms.list_versions(call.session, key)

    @api.operation(
        "GET",
        "/forms/<key>/diff",
        summary="What changed between two versions",
        tag="forms",
        query=schemas.DiffQuery,
        response=schemas.DiffOut,
        errors=(404,),
    )
    def diff_versions(call: ApiCall, key: str) -> Any:
        diff = forms.diff_versions(call.session, key, call.query["old"], call.query["new"])
        return diff.as_json(call.locale)

    @api.operation(
        "POST",
        "/forms/<key>/validate",
        summary="Validate data without saving",
        tag="forms",
        body=schemas.ValidateRequest,
        response=schemas.ValidateOut,
        errors=(403, 404),
        description="Returns every problem, the computed values and the visibility state — "
        "the one implementation of the form's rules that the web pages use while typing.",
    )
    def validate_data(call: ApiCall, key: str) -> Any:
        preview = records.preview_record(
            call.session, call.actor, key, call.body["data"], draft=call.body["draft"]
        )
        return {
            "valid": not preview.issues,
            "errors": [issue.render(call.locale) for issue in preview.issues],
            "data": preview.data,
            "ui": preview.ui.as_json(),
        }
