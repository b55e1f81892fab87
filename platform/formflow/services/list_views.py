"""Record lists as people see them: columns, a filter, a sort, saved views, and the fields each
reader may see.

A *view* of a form's records is the columns shown, a filter (an expression) and a sort key;
the list page, its exports and the saved views all use the same :class:`ListView`. Columns are
the form's top-level fields plus the record's own facts (``@id``, ``@status``, ``@owner``,
``@created_at``, ``@updated_at``, ``@submitted_at``); a column that no longer exists (a field
removed in a later form version) is dropped rather than refused, so saved views survive form
changes.

Saved views are kept per user and form in :mod:`formflow.services.preferences` under
``lists.<form>``; each user reads and writes only their own.

**Which fields a reader may see** is decided by the platform's one read filter
(:mod:`formflow.services.record_reading`): someone who reads a record only because they take
part in its flow does not see the fields their steps hide (``hide bank_account``) — in lists
and exports no more than on the record page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from formflow.errors import InvalidInput
from formflow.expr import BOOLEAN, compile_expression
from formflow.forms import CompiledForm, FieldSpec
from formflow.i18n import Msg, _, pick
from formflow.services import forms as form_service
from formflow.services import preferences, record_lists, record_reading
from formflow.services.actor import Actor
from formflow.services.record_reading import Hidden
from formflow.storage.models import Form, Record

#: The record's own facts as columns: key -> (heading, sort key or None).
SYSTEM_COLUMNS: dict[str, tuple[Msg, str | None]] = {
    "@id": (_("No."), "id"),
    "@status": (_("Status"), "status"),
    "@owner": (_("Applicant"), None),
    "@created_at": (_("Created"), "created_at"),
    "@updated_at": (_("Last changed"), "updated_at"),
    "@submitted_at": (_("Submitted"), "submitted_at"),
}
#: Scope types the records service can sort by (scalars).
_SORTABLE_TYPES = frozenset({"number", "string", "date", "datetime", "time", "boolean"})
#: Field types that make poor default columns (tables, files, places).
_BULKY = frozenset({"subtable", "attachments", "images", "signature", "location", "textarea"})
DEFAULT_FIELD_COLUMNS = 4
MAX_VIEWS = 30
MAX_VIEW_NAME = 60
MAX_COLUMNS = 60
DEFAULT_SORT = "-id"


@dataclass(frozen=True)
class Column:
    """One column of a list: a field (``spec``) or a record fact (``@status``)."""

    key: str
    heading: Msg | None = None
    spec: FieldSpec | None = None
    sort: str | None = None

    def title(self, locale: str) -> str:
        """The column heading in ``locale`` (the field's label; untrusted text)."""
        if self.spec is not None:
            return pick(self.spec.label, locale, self.spec.name)
        return self.heading.render(locale) if self.heading is not None else self.key


@dataclass(frozen=True)
class ListView:
    """What a list shows: column keys, a filter expression and a sort key (``-amount``)."""

    columns: tuple[str, ...] = ()
    filter: str = ""
    sort: str = DEFAULT_SORT

    def to_json(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "filter": self.filter, "sort": self.sort}

    @classmethod
    def from_json(cls, data: Any) -> ListView:
        """A view from stored JSON; anything malformed falls back to the defaults."""
        if not isinstance(data, Mapping):
            return cls()
        columns = data.get("columns")
        keys = tuple(str(key) for key in columns) if isinstance(columns, list) else ()
        text = data.get("filter")
        sort = data.get("sort")
        return cls(
            columns=keys[:MAX_COLUMNS],
            filter=text if isinstance(text, str) else "",
            sort=sort if isinstance(sort, str) and sort else DEFAULT_SORT,
        )


@dataclass(frozen=True)
class SavedView:
    name: str
    view: ListView


@dataclass(frozen=True)
class TablePage:
    """One page of a list: the columns, the records, what each record hides from the reader,
    the total and the cursor of the next page."""

    columns: list[Column]
    records: list[Record]
    hidden: Mapping[int, Hidden]
    total: int | None
    next: str | None


# -- columns --------------------------------------------------------------------------------


def field_order(form: CompiledForm) -> list[str]:
    """The form's top-level fields in the order people see them: the field naming a record
    first, then the order of the form's layout, then any field the layout leaves out.

    (A schema's ``properties`` are an object, whose key order a database may not keep; the
    layout's sections are lists.)"""
    names: list[str] = []
    display = form.display_field
    if display and display in form.fields:
        names.append(display)
    for section in form.ui.sections:
        names.extend(name for name in section.fields if name in form.fields and name not in names)
    names.extend(name for name in form.fields if name not in names)
    return names


def available_columns(form: CompiledForm) -> list[Column]:
    """Every column a list of ``form`` may show, fields first, then the record's facts."""
    columns = [
        Column(name, spec=form.fields[name], sort=name if _is_sortable(form, name) else None)
        for name in field_order(form)
    ]
    columns.extend(
        Column(key, heading, sort=sort) for key, (heading, sort) in SYSTEM_COLUMNS.items()
    )
    return columns


def _is_sortable(form: CompiledForm, name: str) -> bool:
    kind = form.scope.fields.get(name)
    return getattr(kind, "name", "") in _SORTABLE_TYPES


def default_columns(form: CompiledForm) -> tuple[str, ...]:
    """The columns of a list nobody configured: the number, the first few simple fields (the
    required ones before the others), the status and the last change."""
    order = [name for name in field_order(form) if form.fields[name].type_name not in _BULKY]
    required = [name for name in order if form.fields[name].required]
    simple = [*required, *(name for name in order if name not in required)]
    simple = simple[:DEFAULT_FIELD_COLUMNS]
    return ("@id", *simple, "@status", "@updated_at")


def resolve_columns(form: CompiledForm, keys: Sequence[str]) -> list[Column]:
    """The columns named by ``keys`` in that order (unknown and repeated keys are dropped;
    none left gives the default columns)."""
    by_key = {column.key: column for column in available_columns(form)}
    chosen: list[Column] = []
    for key in keys[:MAX_COLUMNS]:
        column = by_key.get(key)
        if column is not None and column not in chosen:
            chosen.append(column)
    if not chosen:
        chosen = [by_key[key] for key in default_columns(form) if key in by_key]
    return chosen


def check_sort(form: CompiledForm, sort: str) -> str:
    """``sort`` when the list can be sorted by it; raises :class:`InvalidInput` otherwise."""
    key = sort.lstrip("-+ ")
    allowed = {column.sort for column in available_columns(form) if column.sort}
    if key not in allowed:
        raise InvalidInput(
            _(
                "The list cannot be sorted by {value}; click a column heading to sort by it.",
                value=key,
            )
        )
    return sort.strip()


# -- reading a page -------------------------------------------------------------------------


def table_page(
    session: Session,
    actor: Actor,
    form_key: str,
    view: ListView,
    *,
    limit: int = 50,
    cursor: str | None = None,
    with_total: bool = True,
) -> TablePage:
    """One page of ``view`` over the form's records the actor may read.

    Raises :class:`~formflow.errors.SourceError` (with positions) for a filter that does not
    check, :class:`InvalidInput` for a bad sort key or cursor.
    """
    current = form_service.get_form(session, form_key)
    form = form_service.compiled(session, current)
    columns = resolve_columns(form, view.columns)
    sort = check_sort(form, view.sort or DEFAULT_SORT)
    page = record_lists.list_records(
        session,
        actor,
        form_key,
        filter_text=view.filter.strip() or None,
        sort=sort,
        limit=limit,
        cursor=cursor,
        with_total=with_total,
    )
    hidden = hidden_fields(session, actor, current.form, page.items)
    return TablePage(columns, page.items, hidden, page.total, page.next)


def hidden_fields(
    session: Session, actor: Actor, form: Form, records: Iterable[Record]
) -> dict[int, Hidden]:
    """What ``actor`` may not see of each record, by the platform's one read filter
    (:mod:`formflow.services.record_reading`); records seen whole are left out."""
    found = record_reading.hidden_for_many(session, actor, form, list(records))
    return {record_id: hidden for record_id, hidden in found.items() if not hidden.is_empty}


# -- saved views ----------------------------------------------------------------------------


def _key(form_key: str) -> str:
    return f"lists.{form_key}"


def saved_views(session: Session, actor: Actor, form_key: str) -> list[SavedView]:
    """The actor's saved views of the form, in the order they were saved."""
    stored = preferences.get_preference(session, actor, _key(form_key), {})
    items = stored.get("views") if isinstance(stored, Mapping) else None
    views: list[SavedView] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str) and item["name"]:
            views.append(SavedView(item["name"], ListView.from_json(item)))
    return views


def find_view(session: Session, actor: Actor, form_key: str, name: str) -> SavedView | None:
    """The actor's saved view called ``name``, if any."""
    return next((v for v in saved_views(session, actor, form_key) if v.name == name), None)


def _store(session: Session, actor: Actor, form_key: str, views: list[SavedView]) -> None:
    value = {"views": [{"name": v.name, **v.view.to_json()} for v in views]}
    preferences.set_preference(session, actor, _key(form_key), value)


def save_view(
    session: Session, actor: Actor, form_key: str, name: str, view: ListView
) -> SavedView:
    """Save ``view`` as ``name`` (replacing a view of that name).

    The filter must check against the form and the sort must be one the list offers, so a
    saved view always opens; raises :class:`InvalidInput` or
    :class:`~formflow.errors.SourceError` otherwise.
    """
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_VIEW_NAME:
        raise InvalidInput(
            _("Give the view a name of 1 to {limit} characters.", limit=MAX_VIEW_NAME)
        )
    current = form_service.get_form(session, form_key)
    form = form_service.compiled(session, current)
    if view.filter.strip():
        if len(view.filter) > record_lists.MAX_FILTER_LENGTH:
            raise InvalidInput(
                _(
                    "The filter is longer than {limit} characters.",
                    limit=record_lists.MAX_FILTER_LENGTH,
                )
            )
        compile_expression(view.filter, form.scope, BOOLEAN)
    columns = tuple(column.key for column in resolve_columns(form, view.columns))
    saved = SavedView(clean, ListView(columns, view.filter.strip(), check_sort(form, view.sort)))
    views = [v for v in saved_views(session, actor, form_key) if v.name != clean]
    if len(views) >= MAX_VIEWS:
        raise InvalidInput(
            _(
                "You already have {limit} saved views of this list; delete one first.",
                limit=MAX_VIEWS,
            )
        )
    _store(session, actor, form_key, [*views, saved])
    return saved


def delete_view(session: Session, actor: Actor, form_key: str, name: str) -> None:
    """Delete the actor's saved view ``name`` (nothing happens when there is none)."""
    views = saved_views(session, actor, form_key)
    kept = [v for v in views if v.name != name]
    if len(kept) != len(views):
        _store(session, actor, form_key, kept)
