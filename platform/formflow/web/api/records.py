"""API: records of a form — create, read, change, delete, list, history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from formflow.services import record_lists, record_reading, records
from formflow.services.flow_context import flow_environment, submitting
from formflow.services.records import RecordView
from formflow.web.api import schemas
from formflow.web.api.registry import Api, ApiCall


def record_dict(view: RecordView, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A record as the API shows it; ``data`` is what the reader may see (default: all)."""
    record = view.record
    return {
        "id": record.id,
        "form": view.form.key,
        "form_version": record.form_version,
        "status": record.status,
        "derived_status": record.derived_status,
        "version": record.version,
        "label": record.label,
        "data": record.data if data is None else data,
        "owner_id": record.owner_id,
        "created_by": record.created_by,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "submitted_at": record.submitted_at,
    }


@contextmanager
def _submission(call: ApiCall) -> Iterator[None]:
    """Hand the body's ``flow`` member (chosen approvers, comment) to the flow a submission
    starts, in the installation's time zone."""
    flow = call.body.get("flow") or {}
    with (
        flow_environment(call.runtime.settings.default_timezone),
        submitting(flow.get("chosen"), flow.get("comment")),
    ):
        yield


def register(api: Api) -> None:
    @api.operation(
        "POST",
        "/forms/<key>/records",
        summary="Create a record",
        tag="records",
        body=schemas.RecordCreate,
        response=schemas.RecordOut,
        status=201,
        errors=(403, 404),
        description="Submits the record (or saves a draft with `draft: true`). Invalid data "
        "answers 422 listing every problem with its JSON path. When the form has a flow, the "
        "submission starts it (status `in_progress`); `flow.chosen` gives the approvers the "
        "initiator picks for `chosen` steps, as user ids per step.",
    )
    def create_record(call: ApiCall, key: str) -> Any:
        with _submission(call):
            view = records.create_record(
                call.session, call.actor, key, call.body["data"], draft=call.body["draft"]
            )
        return record_dict(view)

    @api.operation(
        "GET",
        "/forms/<key>/records",
        summary="List records",
        tag="records",
        query=schemas.RecordListQuery,
        response=schemas.RecordPage,
        errors=(404,),
    )
    def list_records(call: ApiCall, key: str) -> Any:
        q = call.query
        page = record_lists.list_records(
            call.session,
            call.actor,
            key,
            filter_text=q["filter"],
            sort=q["sort"],
            limit=q["limit"],
            cursor=q["cursor"],
            status=q["status"],
            with_total=q["total"],
        )
        form_view = None
        items = []
        shown: dict[int, dict[str, Any]] = {}
        for record in page.items:
            if form_view is None or form_view.form.id != record.form_id:
                form_view = records.form_view_of(call.session, record)
                same_form = [r for r in page.items if r.form_id == record.form_id]
                shown = record_reading.data_for_many(
                    call.session, call.actor, form_view.form, same_form
                )
            items.append(record_dict(RecordView(record, form_view), shown[record.id]))
        return {"items": items, "total": page.total, "next": page.next}

    @api.operation(
        "GET",
        "/records/<int:record_id>",
        summary="Read a record",
        tag="records",
        response=schemas.RecordOut,
        errors=(404,),
    )
    def get_record(call: ApiCall, record_id: int) -> Any:
        found = record_reading.read_record(call.session, call.actor, record_id)
        return record_dict(found.view, found.data)

    @api.operation(
        "PATCH",
        "/records/<int:record_id>",
        summary="Change a record",
        tag="records",
        body=schemas.RecordPatch,
        response=schemas.RecordOut,
        errors=(403, 404, 409),
        description="`data` is a merge patch of top-level fields. Send the `version` you "
        "read: if someone changed the record since, the answer is 409 and nothing changes.",
    )
    def update_record(call: ApiCall, record_id: int) -> Any:
        body = call.body
        with _submission(call):
            view = records.update_record(
                call.session,
                call.actor,
                record_id,
                body["data"],
                version=body["version"],
                submit=body["submit"],
            )
        return record_dict(view)

    @api.operation(
        "DELETE",
        "/records/<int:record_id>",
        summary="Delete a record",
        tag="records",
        query=schemas.DeleteQuery,
        status=204,
        errors=(403, 404, 409),
    )
    def delete_record(call: ApiCall, record_id: int) -> Any:
        records.delete_record(call.session, call.actor, record_id, version=call.query["version"])
        return None

    @api.operation(
        "GET",
        "/records/<int:record_id>/history",
        summary="The audit trail",
        tag="records",
        response=schemas.AuditOut,
        many=True,
        errors=(404,),
    )
    def record_history(call: ApiCall, record_id: int) -> Any:
        return record_reading.read_history(call.session, call.actor, record_id)
