"""A record, read-only: its fields as written, its approval timeline, its history, and a print
view (A4, 审批单打印).

Both pages show the record with the form version it was written with. A record the reader
may not see answers the 404 page, exactly as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, request
from werkzeug.wrappers import Response

from formflow.errors import NotFound
from formflow.i18n import Msg, _, pick
from formflow.services import forms as form_service
from formflow.services import org, record_reading, records
from formflow.services.records import DRAFT, RecordView
from formflow.web.pages.display import (
    DisplayContext,
    Shown,
    format_timestamp,
    referenced_ids,
    shown_fields,
)
from formflow.web.pages.formlayout import FieldView, FormLayout, build_layout
from formflow.web.pages.history import build_history
from formflow.web.pages.pagecall import PageCall, page
from formflow.web.pages.render import render_page
from formflow.web.pages.timeline import build_timelines

_STATUSES: dict[str, Msg] = {
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "in_progress": _("In approval"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "withdrawn": _("Withdrawn"),
    "cancelled": _("Cancelled"),
}


def status_label(status: str, locale: str) -> str:
    """A record status in words (named ends of flows show as they are named)."""
    known = _STATUSES.get(status)
    return known.render(locale) if known is not None else status


@dataclass(frozen=True)
class ShownSection:
    title: str
    columns: int
    fields: list[tuple[FieldView, Shown]]


@dataclass(frozen=True)
class RecordPage:
    """Everything the record and print templates show."""

    id: int
    form_key: str
    form_title: str
    label: str
    status: str
    status_label: str
    derived_status: str
    owner: str
    created_at: str
    submitted_at: str
    version: int
    sections: list[ShownSection]
    serials: list[tuple[str, str]]
    is_draft: bool
    may_edit: bool


def display_context(call: PageCall, layout: FormLayout, data: dict[str, Any]) -> DisplayContext:
    """Formatting for this reader, with the labels of the linked records they may see."""
    labels: dict[int, str] = {}
    for record_id in sorted(referenced_ids(layout.fields, data)["link"]):
        try:
            linked = records.get_record(call.session, call.user, record_id)
        except NotFound:
            continue
        labels[record_id] = linked.record.label or f"#{record_id}"
    return DisplayContext(
        locale=call.locale,
        timezone=call.user.timezone,
        chart=org.load_org_chart(call.session),
        record_labels=labels,
    )


def _derived_label(found: RecordView, locale: str) -> str:
    derived = found.record.derived_status
    if not derived:
        return ""
    for rule in found.form.version.schema.get("x-status-rules", []) or []:
        if isinstance(rule, dict) and rule.get("status") == derived and rule.get("label"):
            return pick(rule["label"], locale, derived)
    return derived


def build_record_page(
    call: PageCall, found: RecordView
) -> tuple[RecordPage, DisplayContext, FormLayout]:
    """The record page's content, the formatting used and the layout (for the history)."""
    record = found.record
    compiled = form_service.compiled(call.session, found.form)
    layout = build_layout(compiled, found.form.key, found.form.version.title, call.locale)
    data = record_reading.data_for(call.session, call.user, found.form.form, record)
    ctx = replace(display_context(call, layout, data), root=data)
    sections = [
        ShownSection(section.title, section.columns, shown_fields(section.fields, data, ctx))
        for section in layout.sections
    ]
    serials = [
        (layout.fields[name].label, str(data[name]))
        for name in compiled.serial_fields
        if name in layout.fields and data.get(name)
    ]
    owner = ctx.chart.display_name(record.owner_id) if record.owner_id else ""
    is_draft = record.status == DRAFT
    content = RecordPage(
        id=record.id,
        form_key=found.form.key,
        form_title=layout.title,
        label=record.label,
        status=record.status,
        status_label=status_label(record.status, call.locale),
        derived_status=_derived_label(found, call.locale),
        owner=owner,
        created_at=format_timestamp(record.created_at, ctx),
        submitted_at=format_timestamp(record.submitted_at, ctx),
        version=record.version,
        sections=sections,
        serials=serials,
        is_draft=is_draft,
        may_edit=is_draft and record.owner_id == call.user.id,
    )
    return content, ctx, layout


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/records/<int:record_id>")
    @page()
    def record_detail(call: PageCall, record_id: int) -> Response:
        """The record with its fields, attachments and history."""
        found = records.get_record(call.session, call.user, record_id)
        content, ctx, layout = build_record_page(call, found)
        history = build_history(
            record_reading.read_history(call.session, call.user, record_id), layout.fields, ctx
        )
        return render_page(
            call,
            "record.html",
            page=content,
            history=history,
            just_submitted=request.args.get("submitted") == "1",
            timeline=build_timelines(call, record_id, ctx),
        )

    @blueprint.get("/records/<int:record_id>/print")
    @page()
    def record_print(call: PageCall, record_id: int) -> Response:
        """The record on one clean A4 page (审批单打印)."""
        found = records.get_record(call.session, call.user, record_id)
        content, ctx, _layout = build_record_page(call, found)
        return render_page(
            call, "print.html", page=content, timeline=build_timelines(call, record_id, ctx)
        )
