"""The inbox (``/inbox``): tabs for my to-do list, what I did, what I started and what was copied
to me; filters by form and by words; pages; and approving several tasks at once.

Lists come from :func:`formflow.services.inbox.list_inbox` (the same call as
``GET /api/tasks``). A text search reads further pages of that list until a page of matches is
found (at most :data:`SEARCH_SCAN` entries per page of results), so it needs no index of its
own. A task may be approved from the list (batch approve) when it is an approval whose step
leaves no required field for its approver to fill in; each task is approved on its own, so one
that someone else decided meanwhile does not stop the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, request
from werkzeug.wrappers import Response

from formflow.errors import FormflowError, TransitionNotAllowed
from formflow.i18n import Msg, _, pick
from formflow.services import flow_fields, flows, inbox, instance_views, tasks
from formflow.services import forms as form_service
from formflow.services.flow_context import flow_environment
from formflow.services.tasks import TaskRequest
from formflow.web.pages.display import DisplayContext, format_timestamp
from formflow.web.pages.pagecall import PageCall, page, see_other
from formflow.web.pages.recordpage import status_label
from formflow.web.pages.render import render_page

TABS: dict[str, Msg] = {
    "open": _("To do"),
    "done": _("Done"),
    "initiated": _("Started by me"),
    "cc": _("Copied to me"),
}
PAGE_SIZE = 20
#: Entries read, at most, to find one page of search results.
SEARCH_SCAN = 500
_BATCH = 50
MAX_TRAIL = 40
OUTCOMES: dict[str, Msg] = {
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "returned": _("Returned"),
    "transferred": _("Transferred"),
    "delegated": _("Delegated"),
    "completed": _("Done"),
    "withdrawn": _("Withdrawn"),
}


@dataclass(frozen=True)
class InboxItem:
    key: str
    url: str
    title: str
    form_title: str
    flow_title: str
    step: str
    who: str
    when: str
    status: str
    status_label: str
    unread: bool = False
    task_id: int | None = None
    batchable: bool = False
    instance_id: int | None = None
    waiting: str = ""
    running: bool = False


@dataclass(frozen=True)
class InboxState:
    tab: str
    form: str
    q: str
    cursor: str
    trail: tuple[str, ...]

    def url(self, **changes: Any) -> str:
        values: dict[str, Any] = {
            "tab": self.tab,
            "form": self.form,
            "q": self.q,
            "cursor": self.cursor,
            "trail": ",".join(self.trail),
        }
        values.update(changes)
        query = urlencode([(k, str(v)) for k, v in values.items() if v])
        return "/inbox" + (f"?{query}" if query else "")


def read_state() -> InboxState:
    args = request.args
    tab = args.get("tab", "open")
    if tab not in TABS:
        tab = "open"
    trail = tuple(part for part in args.get("trail", "").split(",") if part)[-MAX_TRAIL:]
    return InboxState(
        tab, args.get("form", ""), args.get("q", "").strip(), args.get("cursor", ""), trail
    )


def _key(item: Mapping[str, Any]) -> str:
    task = item.get("task")
    return str(task["id"]) if task else str(item["instance"]["id"])


def _words(item: Mapping[str, Any], form_titles: Mapping[str, str]) -> str:
    task = item.get("task") or {}
    parts = [
        item["record"].get("label") or "",
        f"#{item['record']['id']}",
        form_titles.get(item["record"]["form"], item["record"]["form"]),
        item["instance"].get("flow_title") or "",
        task.get("step_title") or task.get("step") or "",
        item["instance"].get("initiator_name") or "",
    ]
    return " ".join(parts).casefold()


def search(
    call: PageCall, state: InboxState, form_titles: Mapping[str, str]
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the tab (matching the search words), and the cursor after it."""
    words = state.q.casefold().split()
    cursor: str | None = state.cursor or None
    taken: list[dict[str, Any]] = []
    scanned = 0
    while True:
        batch = inbox.list_inbox(
            call.session,
            call.user,
            view=state.tab,
            form=state.form or None,
            limit=_BATCH if words else PAGE_SIZE,
            cursor=cursor,
        )
        for item in batch.items:
            scanned += 1
            cursor = _key(item)
            text = _words(item, form_titles)
            if all(word in text for word in words):
                taken.append(item)
                if len(taken) == PAGE_SIZE:
                    more = batch.next is not None or item is not batch.items[-1]
                    return taken, cursor if more else None
        if batch.next is None:
            return taken, None
        if scanned >= SEARCH_SCAN:
            return taken, cursor


def _batchable(call: PageCall, task_id: int, required: Mapping[str, frozenset[str]]) -> bool:
    """True when the task can be approved from the list: an approval whose step gives its
    approver no required field to fill in (a required field of the form it makes editable,
    or a field the step itself requires that is still empty)."""
    described = tasks.describe_task(call.session, call.user, task_id)
    if "approve" not in described["actions"] or described["task"]["kind"] != "approve":
        return False
    form = described["record"]["form"]
    needed = required.get(form, frozenset())
    if set(described["permissions"]["editable"]) & needed:
        return False
    # A step may also require fields of its own (``require``) that are still empty.
    request_of = instance_views.describe_instance(
        call.session, call.user, described["instance"]["id"], call.locale
    )
    flow = flows.get_flow(call.session, request_of["flow"]["key"], request_of["flow"]["version"])
    node = flow.spec.nodes.get(described["task"]["step"])
    if node is None or not node.required:
        return True
    current = form_service.get_form(call.session, form)
    compiled = form_service.compiled(call.session, current)
    data = described["record"]["data"]
    return not flow_fields.missing_step_fields(compiled, node.required, data)


def _required_fields(call: PageCall) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for view in form_service.list_forms(call.session):
        compiled = form_service.compiled(call.session, view)
        out[view.form.key] = frozenset(
            name for name, spec in compiled.fields.items() if spec.required
        )
    return out


def build_items(
    call: PageCall, state: InboxState, raw: list[dict[str, Any]], form_titles: Mapping[str, str]
) -> Iterator[InboxItem]:
    ctx = DisplayContext(call.locale, call.user.timezone)
    required = _required_fields(call) if state.tab == "open" else {}
    for item in raw:
        task = item.get("task")
        record = item["record"]
        instance = item["instance"]
        title = record.get("label") or f"#{record['id']}"
        form_title = form_titles.get(record["form"], record["form"])
        if task is None:  # a request I started
            described = instance_views.describe_instance(
                call.session, call.user, instance["id"], call.locale
            )
            waiting = "; ".join(
                f"{step['title'] or step['step']}: "
                + ", ".join(person["name"] for person in step["waiting"])
                for step in described["current"]
            )
            yield InboxItem(
                key=str(instance["id"]),
                url=f"/records/{record['id']}",
                title=title,
                form_title=form_title,
                flow_title=instance.get("flow_title") or "",
                step="",
                who=instance.get("initiator_name") or "",
                when=format_timestamp(described["started_at"], ctx),
                status=record["status"],
                status_label=status_label(record["status"], call.locale),
                instance_id=instance["id"],
                waiting=waiting,
                running=instance["status"] in {"running", "returned"},
            )
            continue
        if state.tab == "done":
            outcome = OUTCOMES.get(task.get("outcome") or "")
            label = (
                outcome.render(call.locale)
                if outcome
                else status_label(record["status"], call.locale)
            )
            when = format_timestamp(task.get("completed_at"), ctx)
        elif state.tab == "cc":
            label = (_("Unread") if task["status"] == "unread" else _("Read")).render(call.locale)
            when = format_timestamp(task.get("created_at"), ctx)
        else:
            label = status_label(record["status"], call.locale)
            when = format_timestamp(task.get("created_at"), ctx)
        yield InboxItem(
            key=str(task["id"]),
            url=f"/tasks/{task['id']}",
            title=title,
            form_title=form_title,
            flow_title=instance.get("flow_title") or "",
            step=task.get("step_title") or task.get("step") or "",
            who=instance.get("initiator_name") or "",
            when=when,
            status=record["status"],
            status_label=label,
            unread=state.tab == "cc" and task["status"] == "unread",
            task_id=task["id"],
            batchable=state.tab == "open" and _batchable(call, task["id"], required),
            instance_id=instance["id"],
        )


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/inbox")
    @page()
    def inbox_page(call: PageCall) -> Response:
        """My tasks and requests, by tab."""
        state = read_state()
        forms = form_service.list_forms(call.session)
        form_titles = {
            view.form.key: pick(view.version.title, call.locale, view.form.key) for view in forms
        }
        raw, next_cursor = search(call, state, form_titles)
        items = list(build_items(call, state, raw, form_titles))
        counts = inbox.list_inbox(call.session, call.user, view="open", limit=99)
        open_count = f"{len(counts.items)}+" if counts.next else str(len(counts.items))
        next_url = ""
        if next_cursor:
            next_url = state.url(
                cursor=next_cursor, trail=",".join([*state.trail, state.cursor or "-"])
            )
        prev_url = ""
        if state.trail:
            previous = state.trail[-1]
            prev_url = state.url(
                cursor="" if previous == "-" else previous, trail=",".join(state.trail[:-1])
            )
        return render_page(
            call,
            "inbox.html",
            state=state,
            tabs=[(key, word.render(call.locale)) for key, word in TABS.items()],
            tab_urls={key: InboxState(key, state.form, state.q, "", ()).url() for key in TABS},
            items=items,
            forms=sorted(form_titles.items(), key=lambda pair: pair[1]),
            open_count=open_count,
            next_url=next_url,
            prev_url=prev_url,
            any_batchable=any(item.batchable for item in items),
        )

    @blueprint.post("/inbox/approve")
    @page(write=True)
    def batch_approve(call: PageCall) -> Response:
        """Approve the chosen tasks, each on its own (see the module docstring)."""
        chosen = [int(value) for value in request.form.getlist("task") if value.isdigit()]
        comment = request.form.get("comment", "").strip() or None
        back = request.form.get("next", "/inbox")
        if not back.startswith("/inbox"):
            back = "/inbox"
        if not chosen:
            flash(_("Choose the tasks to approve first.").render(call.locale), "error")
            return see_other(back)
        approved = 0
        refused: list[str] = []
        required = _required_fields(call)
        with flow_environment(call.runtime.settings.default_timezone):
            for task_id in chosen:
                try:
                    with call.session.begin_nested():
                        if not _batchable(call, task_id, required):
                            raise TransitionNotAllowed(
                                _(
                                    "Task {id} needs fields filled in at its step; open it to "
                                    "approve it.",
                                    id=task_id,
                                )
                            )
                        tasks.act_on_task(
                            call.session,
                            call.user,
                            task_id,
                            TaskRequest("approve", comment=comment),
                        )
                    approved += 1
                except FormflowError as error:
                    refused.append(
                        _("Task {id}: {reason}", id=task_id, reason=error.message).render(
                            call.locale
                        )
                    )
        if approved:
            flash(_("{count} task(s) approved.", count=approved).render(call.locale), "success")
        for line in refused:
            flash(line, "error")
        return see_other(back)
