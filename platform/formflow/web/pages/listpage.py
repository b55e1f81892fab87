"""The record list of a form (``/forms/<key>/records``): columns, a filter, sorting, pages, saved
views — and the way out to the exports and the import.

The view is in the address (``col`` repeated, ``filter``, ``sort``, ``view`` for a saved one,
``cursor``/``trail`` for the page), so a list can be bookmarked, shared and opened in a new
tab. Everything decided about records — who sees which, what a filter selects, which fields a
reader may see — is the services' (:mod:`formflow.services.list_views`); this module parses
the address, calls them, and formats what they return for the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, request
from werkzeug.wrappers import Response

from formflow.errors import FormflowError, InvalidInput, SourceError
from formflow.i18n import _
from formflow.services import exports, list_views, org
from formflow.services import forms as form_service
from formflow.services.authz import Action, form_actions
from formflow.services.list_views import Column, ListView
from formflow.services.record_reading import NOTHING as NOTHING_HIDDEN
from formflow.services.record_reading import Hidden
from formflow.storage.models import Record
from formflow.web.pages import filterrows
from formflow.web.pages.display import (
    EMPTY,
    DisplayContext,
    Shown,
    format_timestamp,
    referenced_ids,
    show,
)
from formflow.web.pages.formlayout import FieldView, build_layout
from formflow.web.pages.pagecall import PageCall, page, see_other
from formflow.web.pages.recordpage import status_label
from formflow.web.pages.render import render_page

PAGE_SIZE = 25
#: Previous pages remembered in the address (for "previous page"), at most.
MAX_TRAIL = 40


@dataclass(frozen=True)
class ShownColumn:
    key: str
    title: str
    sortable: bool
    sort_url: str
    aria_sort: str  # ascending, descending or none
    is_number: bool


@dataclass(frozen=True)
class ShownRow:
    id: int
    url: str
    title: str
    cells: tuple[Shown, ...]


@dataclass(frozen=True)
class Problem:
    """A filter problem at its place: ``Line 1, column 9: …`` with the line and a caret."""

    where: str
    message: str
    hint: str
    excerpt: str
    line: int
    column: int


@dataclass(frozen=True)
class ListState:
    """The view in the address, and where in it the page is."""

    view_name: str
    view: ListView
    cursor: str
    trail: tuple[str, ...]
    changed: bool

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The address parameters of this state with ``changes`` (``None`` drops one)."""
        values: dict[str, Any] = {
            "view": self.view_name,
            "col": list(self.view.columns),
            "filter": self.view.filter,
            "sort": self.view.sort,
            "cursor": self.cursor,
            "trail": ",".join(self.trail),
        }
        values.update(changes)
        out: list[tuple[str, str]] = []
        for key, value in values.items():
            if isinstance(value, list | tuple):
                out.extend((key, str(item)) for item in value)
            elif value:
                out.append((key, str(value)))
        return out


def read_state(call: PageCall, form_key: str) -> ListState:
    """The view asked for: a saved view, overridden by what the address says."""
    args = request.args
    name = args.get("view", "")
    saved = list_views.find_view(call.session, call.user, form_key, name) if name else None
    base = saved.view if saved is not None else ListView()
    columns = tuple(args.getlist("col")) or base.columns
    text = args.get("filter", base.filter) if "filter" in args else base.filter
    sort = args.get("sort") or base.sort
    view = ListView(columns, text.strip(), sort)
    trail = tuple(part for part in args.get("trail", "").split(",") if part)[-MAX_TRAIL:]
    changed = saved is not None and (
        view.filter != saved.view.filter
        or view.sort != saved.view.sort
        or (bool(args.getlist("col")) and view.columns != saved.view.columns)
    )
    return ListState(
        saved.name if saved is not None else "", view, args.get("cursor", ""), trail, changed
    )


def url_of(form_key: str, params: Sequence[tuple[str, str]], path: str = "records") -> str:
    query = urlencode(list(params))
    return f"/forms/{form_key}/{path}" + (f"?{query}" if query else "")


def _problems(error: SourceError, text: str, locale: str) -> list[Problem]:
    out = []
    for diagnostic in error.diagnostics:
        shown = diagnostic.render(locale, text)
        out.append(
            Problem(
                where=_(
                    "Line {line}, column {column}", line=diagnostic.line, column=diagnostic.column
                ).render(locale),
                message=shown["message"],
                hint=shown.get("hint", ""),
                excerpt=shown["excerpt"],
                line=diagnostic.line,
                column=diagnostic.column,
            )
        )
    if not out:
        out.append(Problem("", error.render(locale), "", "", 1, 1))
    return out


def _columns(
    state: ListState,
    form_key: str,
    columns: Sequence[Column],
    locale: str,
    views: Mapping[str, FieldView],
) -> list[ShownColumn]:
    current = state.view.sort.lstrip("-")
    descending = state.view.sort.startswith("-")
    shown = []
    for column in columns:
        sortable = column.sort is not None
        is_current = sortable and column.sort == current
        if is_current:
            aria = "descending" if descending else "ascending"
            next_sort = column.sort if descending else f"-{column.sort}"
        else:
            aria = "none"
            next_sort = column.sort or ""
        view = views.get(column.key)
        shown.append(
            ShownColumn(
                key=column.key,
                title=column.title(locale),
                sortable=sortable,
                sort_url=url_of(form_key, state.params(sort=next_sort, cursor=None, trail=None))
                if sortable
                else "",
                aria_sort=aria,
                is_number=(view is not None and view.type in {"money", "number", "integer"})
                or column.key == "@id",
            )
        )
    return shown


def _cell(
    column: Column,
    record: Record,
    hidden: Hidden,
    views: Mapping[str, FieldView],
    ctx: DisplayContext,
) -> Shown:
    if column.spec is not None:
        view = views.get(column.key)
        if view is None or hidden.hides(f"$.{column.key}"):
            return EMPTY
        value = (record.data or {}).get(column.key)
        if view.type == "subtable" and isinstance(value, list):
            return Shown(text=_("{count} row(s)", count=len(value)).render(ctx.locale))
        return show(view, value, ctx)
    key = column.key
    if key == "@id":
        return Shown(text=f"#{record.id}")
    if key == "@status":
        return Shown(text=status_label(record.status, ctx.locale))
    if key == "@owner":
        return Shown(text=ctx.chart.display_name(record.owner_id) if record.owner_id else "")
    return Shown(text=format_timestamp(getattr(record, key.lstrip("@"), None), ctx))


def _link_labels(
    call: PageCall, views: Mapping[str, FieldView], records: Sequence[Record]
) -> dict[int, str]:
    ids: set[int] = set()
    for record in records:
        ids.update(referenced_ids(views, record.data or {})["link"])
    return exports.readable_labels(call.session, call.user, ids)


def build_list(call: PageCall, form_key: str, state: ListState) -> dict[str, Any]:
    """Everything the list template shows."""
    current = form_service.get_form(call.session, form_key)
    compiled = form_service.compiled(call.session, current)
    layout = build_layout(compiled, form_key, current.version.title, call.locale)
    actions = form_actions(call.session, call.user, current.form)
    context: dict[str, Any] = {
        "form_key": form_key,
        "title": layout.title,
        "state": state,
        "saved": list_views.saved_views(call.session, call.user, form_key),
        "may_create": Action.CREATE in actions,
        "may_export": Action.EXPORT in actions,
        "problems": [],
        "rows": [],
        "total": None,
        "next_url": "",
        "prev_url": "",
        "first_url": "",
        "start": 0,
        "imported": _imported(call),
    }
    all_columns = list_views.available_columns(compiled)
    chosen = list_views.resolve_columns(compiled, state.view.columns)
    chosen_keys = [column.key for column in chosen]
    context["choices"] = [
        (column.key, column.title(call.locale), column.key in chosen_keys) for column in all_columns
    ]
    context["columns"] = _columns(state, form_key, chosen, call.locale, layout.fields)
    chart = org.load_org_chart(call.session)
    context["builder"] = filterrows.builder_config(compiled, chart, state.view.filter, call.locale)
    export_params = [(k, v) for k, v in state.params(cursor=None, trail=None, view=None)]
    context["export_csv"] = url_of(form_key, [("format", "csv"), *export_params], "export")
    context["export_xlsx"] = url_of(form_key, [("format", "xlsx"), *export_params], "export")
    try:
        page_of = list_views.table_page(
            call.session,
            call.user,
            form_key,
            state.view,
            limit=PAGE_SIZE,
            cursor=state.cursor or None,
        )
    except SourceError as error:
        context["problems"] = _problems(error, state.view.filter, call.locale)
        return context
    except InvalidInput as error:
        context["problems"] = [Problem("", error.render(call.locale), "", "", 1, 1)]
        return context
    ctx = DisplayContext(
        locale=call.locale,
        timezone=call.user.timezone,
        chart=chart,
        record_labels=_link_labels(call, layout.fields, page_of.records),
    )
    context["rows"] = [
        ShownRow(
            id=record.id,
            url=f"/records/{record.id}/edit"
            if record.status == "draft"
            else f"/records/{record.id}",
            title=record.label or f"#{record.id}",
            cells=tuple(
                _cell(
                    column,
                    record,
                    page_of.hidden.get(record.id, NOTHING_HIDDEN),
                    layout.fields,
                    ctx,
                )
                for column in page_of.columns
            ),
        )
        for record in page_of.records
    ]
    context["total"] = page_of.total
    context["start"] = len(state.trail) * PAGE_SIZE + (1 if page_of.records else 0)
    context["end"] = len(state.trail) * PAGE_SIZE + len(page_of.records)
    if page_of.next:
        context["next_url"] = url_of(
            form_key,
            state.params(cursor=page_of.next, trail=",".join([*state.trail, state.cursor or "-"])),
        )
    if state.trail:
        previous = state.trail[-1]
        context["prev_url"] = url_of(
            form_key,
            state.params(
                cursor=None if previous == "-" else previous, trail=",".join(state.trail[:-1])
            ),
        )
        context["first_url"] = url_of(form_key, state.params(cursor=None, trail=None))
    return context


def _imported(call: PageCall) -> str:
    """The note after an import by the page's script (``?imported=N``)."""
    count = request.args.get("imported", "")
    if not count.isdigit():
        return ""
    return _("{count} record(s) imported.", count=int(count)).render(call.locale)


def _form_view() -> ListView:
    """A view posted by the list page's forms (save view)."""
    form = request.form
    return ListView(
        tuple(form.getlist("col")), form.get("filter", "").strip(), form.get("sort") or "-id"
    )


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/forms/<key>/records")
    @page()
    def record_list(call: PageCall, key: str) -> Response:
        """The records of a form the reader may see, as the chosen view shows them."""
        state = read_state(call, key)
        context = build_list(call, key, state)
        status = 422 if context["problems"] else 200
        return render_page(call, "records.html", status=status, **context)

    @blueprint.post("/forms/<key>/records/views")
    @page(write=True)
    def save_view(call: PageCall, key: str) -> Response:
        """Save the current view under a name (replacing one of that name)."""
        view = _form_view()
        name = request.form.get("name", "")
        try:
            saved = list_views.save_view(call.session, call.user, key, name, view)
        except FormflowError as error:
            flash(
                _("The view was not saved: {reason}", reason=error.message).render(call.locale),
                "error",
            )
            params = [("col", c) for c in view.columns] + [
                ("filter", view.filter),
                ("sort", view.sort),
            ]
            return see_other(url_of(key, [(k, v) for k, v in params if v]))
        flash(_("The view “{name}” is saved.", name=saved.name).render(call.locale), "success")
        return see_other(url_of(key, [("view", saved.name)]))

    @blueprint.post("/forms/<key>/records/views/delete")
    @page(write=True)
    def delete_view(call: PageCall, key: str) -> Response:
        """Delete one of the reader's saved views."""
        form_service.get_form(call.session, key)
        name = request.form.get("name", "")
        list_views.delete_view(call.session, call.user, key, name)
        flash(_("The view “{name}” is deleted.", name=name).render(call.locale), "success")
        return see_other(url_of(key, []))
