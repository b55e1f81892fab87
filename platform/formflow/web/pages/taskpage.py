"""A task (``/tasks/<id>``): the request as the current step may see it, the fields the step lets
its people edit, the actions the engine allows now, and the approval timeline.

What is shown and allowed comes from :func:`formflow.services.tasks.describe_task` (hidden
fields removed, editable fields, actions, steps to return to); acting posts a small form to
``/tasks/<id>/<action>``, which hands it to :func:`formflow.services.tasks.act_on_task` — the
same call the REST API makes. A refused action shows the engine's reason on the task page and
keeps what was typed; nothing of it is stored. A task of someone else answers 404.

The initiator's own actions on a request (withdraw, urge) post to
``/requests/<instance>/withdraw|urge``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import simplejson
from flask import Blueprint, flash, request
from werkzeug.wrappers import Response

from formflow.errors import FormflowError, InvalidInput, NotFound
from formflow.i18n import Msg, _
from formflow.services import forms as form_service
from formflow.services import instance_views, records, tasks
from formflow.services.flow_context import flow_environment
from formflow.services.flow_runtime import urge, withdraw
from formflow.services.tasks import TaskRequest
from formflow.web.pages.assets import region_catalogue_url
from formflow.web.pages.display import format_timestamp, shown_fields
from formflow.web.pages.formlayout import FieldView, FormLayout, build_layout
from formflow.web.pages.formpage import reference_labels
from formflow.web.pages.pagecall import PageCall, page, safe_next, see_other
from formflow.web.pages.recordpage import ShownSection, display_context, status_label
from formflow.web.pages.render import render_page
from formflow.web.pages.scriptmessages import script_messages
from formflow.web.pages.timeline import build_timelines
from formflow.web.problems import status_for

ACTION_WORDS: dict[str, Msg] = {
    "approve": _("Approve"),
    "complete": _("Mark as done"),
    "resubmit": _("Submit again"),
    "reject": _("Reject"),
    "return": _("Return"),
    "transfer": _("Transfer"),
    "add-approver": _("Add an approver"),
    "delegate": _("Delegate"),
    "reclaim": _("Take the task back"),
    "comment": _("Comment"),
    "read": _("Mark as read"),
}
DONE_WORDS: dict[str, Msg] = {
    "approve": _("Approved."),
    "complete": _("Marked as done."),
    "resubmit": _("Submitted again."),
    "reject": _("Rejected."),
    "return": _("Returned."),
    "transfer": _("Transferred."),
    "add-approver": _("The approver is added."),
    "delegate": _("Delegated."),
    "reclaim": _("The task is yours again."),
    "comment": _("Your comment is added."),
    "read": _("Marked as read."),
}
#: Actions that finish the user's part: the inbox is shown next.
_LEAVING = frozenset(
    {"approve", "complete", "resubmit", "reject", "return", "transfer", "delegate"}
)
_DECIDE = ("approve", "complete", "resubmit")
TASK_STATUS: dict[str, Msg] = {
    "open": _("Waiting for you"),
    "completed": _("Done"),
    "cancelled": _("Cancelled"),
    "unread": _("Unread copy"),
    "read": _("Copy"),
}


@dataclass(frozen=True)
class EditTable:
    """A sub-table whose columns the step makes editable: one small form per existing row."""

    view: FieldView
    columns: tuple[FieldView, ...]
    rows: int


@dataclass(frozen=True)
class Sent:
    """What the user sent with a refused action, to show again."""

    action: str = ""
    comment: str = ""
    data: Mapping[str, Any] | None = None
    error: str = ""
    issues: tuple[dict[str, str], ...] = ()


def _without_hidden(view: FieldView, hidden: set[str]) -> FieldView:
    if not view.columns:
        return view
    kept = tuple(c for c in view.columns if f"{view.name}.{c.name}" not in hidden)
    return dataclasses.replace(view, columns=kept)


def _person_picker(name: str, label: Msg, locale: str) -> FieldView:
    return FieldView(
        name=name,
        path=name,
        type="user",
        widget="user_picker",
        control="user",
        label=label.render(locale),
        required=True,
    )


def _sections(
    call: PageCall,
    layout: FormLayout,
    data: Mapping[str, Any],
    hidden: set[str],
    editable: set[str],
) -> list[ShownSection]:
    ctx = display_context(call, layout, dict(data))
    out = []
    for section in layout.sections:
        views = [
            _without_hidden(view, hidden)
            for view in section.fields
            if view.name not in hidden and view.name not in editable
        ]
        if views:
            out.append(ShownSection(section.title, section.columns, shown_fields(views, data, ctx)))
    return out


def task_context(call: PageCall, task_id: int, sent: Sent | None = None) -> dict[str, Any]:
    """Everything the task template shows (see the module docstring)."""
    described = tasks.describe_task(call.session, call.user, task_id)
    task = described["task"]
    record_id = described["record"]["id"]
    found = records.get_record(call.session, call.user, record_id)
    compiled = form_service.compiled(call.session, found.form)
    layout = build_layout(compiled, found.form.key, found.form.version.title, call.locale)
    data: dict[str, Any] = dict(described["record"]["data"])
    permissions = described["permissions"]
    hidden = set(permissions["hidden"])
    deciding = any(action in described["actions"] for action in _DECIDE)
    editable_paths = set(permissions["editable"]) if deciding else set()
    editable = {path for path in editable_paths if "." not in path and path in layout.fields}
    tables: list[EditTable] = []
    for table_name in sorted({p.split(".", 1)[0] for p in editable_paths if "." in p}):
        view = layout.fields.get(table_name)
        if view is None or table_name in editable:
            continue
        columns = tuple(c for c in view.columns if f"{table_name}.{c.name}" in editable_paths)
        rows = data.get(table_name)
        tables.append(EditTable(view, columns, len(rows) if isinstance(rows, list) else 0))
    ctx = display_context(call, layout, data)
    instance = instance_views.describe_instance(
        call.session, call.user, described["instance"]["id"], call.locale
    )
    titles = {node["id"]: node["title"] or node["id"] for node in instance["nodes"]}
    targets = [(step, titles.get(step, step)) for step in described["return_targets"]]
    edit_data = dict(data)
    if sent is not None and sent.data:
        edit_data.update(sent.data)
    config = {
        "data": edit_data,
        "refs": reference_labels(call, layout.fields, edit_data),
        "locale": call.locale,
        "timezone": call.user.timezone,
        "maxUpload": call.runtime.settings.max_upload_bytes,
        "regionCatalogue": region_catalogue_url(),
        "messages": {
            **script_messages(call.locale),
            "pick_person": _("Choose a person first.").render(call.locale),
        },
        "editable": sorted(editable),
        "tables": {t.view.name: [c.name for c in t.columns] for t in tables},
        "errors": list(sent.issues) if sent is not None else [],
    }
    initiator = described["instance"]["initiator"]
    running = instance["status"] in {"running", "returned"}
    return {
        "task": task,
        "task_status": TASK_STATUS.get(task["status"], Msg(task["status"])).render(call.locale),
        "task_created": format_timestamp(task["created_at"], ctx),
        "record": described["record"],
        "record_status": status_label(found.record.status, call.locale),
        "instance": instance,
        "form_title": layout.title,
        "sections": _sections(call, layout, data, hidden, editable | {t.view.name for t in tables}),
        "edit_fields": [layout.fields[name] for name in layout.fields if name in editable],
        "edit_tables": tables,
        "actions": described["actions"],
        "action_words": {key: word.render(call.locale) for key, word in ACTION_WORDS.items()},
        "targets": targets,
        "pickers": {
            "transfer": _person_picker("transfer_to", _("Transfer to"), call.locale),
            "delegate": _person_picker("delegate_to", _("Delegate to"), call.locale),
            "add-approver": _person_picker("add_who", _("Person to add"), call.locale),
        },
        "timeline": build_timelines(call, record_id, ctx),
        "is_initiator": initiator == call.user.id and running,
        "sent": sent or Sent(),
        "config": config,
    }


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _data(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        data = simplejson.loads(text, use_decimal=True)
    except ValueError:
        raise InvalidInput(_("The changed fields could not be read; reload the page.")) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The changed fields could not be read; reload the page."))
    return data


def _task_request(action: str) -> TaskRequest:
    form = request.form
    person = _int(form.get("user"))
    users: Sequence[int] = [u for u in (_int(v) for v in form.getlist("users")) if u is not None]
    if action == "add-approver" and person is not None:
        users = [*users, person]
    return TaskRequest(
        action=action,
        comment=form.get("comment", "").strip() or None,
        data=_data(form.get("data")) if action in _DECIDE else None,
        version=_int(form.get("version")),
        target=form.get("target") or None,
        user=person if action != "add-approver" else None,
        users=tuple(users),
        position=form.get("position") or "alongside",
    )


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/tasks/<int:task_id>")
    @page()
    def task_page(call: PageCall, task_id: int) -> Response:
        """A task of mine, with the request, the editable fields and the actions."""
        return render_page(call, "task.html", **task_context(call, task_id))

    @blueprint.post("/tasks/<int:task_id>/<action>")
    @page(write=True)
    def act(call: PageCall, task_id: int, action: str) -> Response:
        """Carry out an action on a task; a refusal is shown on the task page."""
        if action not in ACTION_WORDS:
            raise NotFound(_("Unknown action {action}.", action=action))
        sent_comment = request.form.get("comment", "")
        try:
            task_request = _task_request(action)
            with flow_environment(call.runtime.settings.default_timezone):
                tasks.act_on_task(call.session, call.user, task_id, task_request)
        except NotFound:
            raise
        except FormflowError as error:
            call.session.rollback()  # nothing of a refused action stays
            status, _title = status_for(error)
            raw = request.form.get("data")
            try:
                data = _data(raw) if action in _DECIDE else None
            except InvalidInput:
                data = None
            sent = Sent(
                action=action,
                comment=sent_comment,
                data=data,
                error=error.render(call.locale),
                issues=tuple(issue.render(call.locale) for issue in error.issues),
            )
            return render_page(
                call, "task.html", status=status, **task_context(call, task_id, sent)
            )
        flash(DONE_WORDS[action].render(call.locale), "success")
        if action in _LEAVING:
            return see_other("/inbox")
        return see_other(f"/tasks/{task_id}")

    @blueprint.post("/requests/<int:instance_id>/<action>")
    @page(write=True)
    def request_action(call: PageCall, instance_id: int, action: str) -> Response:
        """The initiator withdraws a request or reminds the people it waits for."""
        back = safe_next(request.form.get("next") or "/inbox?tab=initiated")
        comment = request.form.get("comment", "").strip() or None
        try:
            with flow_environment(call.runtime.settings.default_timezone):
                if action == "withdraw":
                    withdraw(call.session, call.user, instance_id, comment=comment)
                    done = _("The request is withdrawn.")
                elif action == "urge":
                    urge(call.session, call.user, instance_id)
                    done = _("A reminder is sent.")
                else:
                    raise NotFound(_("Unknown action {action}.", action=action))
        except NotFound:
            raise
        except FormflowError as error:
            call.session.rollback()
            flash(error.render(call.locale), "error")
            return see_other(back)
        flash(done.render(call.locale), "success")
        return see_other(back)
