"""Apps as the pages show them: a titled group of menu entries per installed pack.

Each installed pack is an app (OA, CRM, HR, ERP …) titled and ordered as its manifest says;
its entries come from the pack's menus (``{"form", "title", "view"}``: ``new`` fills in a
form, ``list`` opens its records, ``inbox`` its approvals). Forms without a pack, or of a
pack without menus, get one "fill in" entry each. An entry is shown only when the user may
use it and the page it leads to exists in this installation, so menus never lead to a dead
end while pages are still being added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from formflow.errors import NotFound
from formflow.i18n import Msg, _, pick
from formflow.services import forms as form_service
from formflow.services import packs
from formflow.services.actor import Actor
from formflow.services.authz import Action, form_actions
from formflow.services.forms import FormView

#: Titles of the shipped packs, for packs whose manifest is not installed here.
_PACK_TITLES: dict[str, Msg] = {
    "oa": _("Office (OA)"),
    "crm": _("Customers (CRM)"),
    "hr": _("People (HR)"),
    "erp": _("Operations (ERP)"),
}
OTHER_APP = "forms"
#: Menu views -> (address of the page, the action the user needs on the form).
_VIEWS: dict[str, tuple[str, Action | None]] = {
    "new": ("/forms/{form}/new", Action.CREATE),
    "list": ("/forms/{form}/records", None),
    "inbox": ("/inbox?form={form}", None),
}


@dataclass(frozen=True)
class MenuEntry:
    """One entry of an app's menu: ``kind`` is the menu view (``new``, ``list`` …)."""

    title: str
    url: str
    kind: str = "new"


@dataclass(frozen=True)
class App:
    key: str
    title: str
    entries: list[MenuEntry] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"app-{self.key}"


@dataclass(frozen=True)
class _Pack:
    title: Any
    menus: Mapping[str, Any] | None  # the pack's menus.json

    @property
    def menu(self) -> list[Mapping[str, Any]] | None:
        items = self.menus.get("items") if self.menus is not None else None
        return items if isinstance(items, list) else None


def _pack(session: Session, name: str) -> _Pack:
    try:
        row = packs.installed_pack(session, name)
    except NotFound:
        return _Pack(None, None)
    manifest = row.manifest if isinstance(row.manifest, Mapping) else {}
    menus = manifest.get("menus")
    return _Pack(manifest.get("title"), menus if isinstance(menus, Mapping) else None)


def installed_menus(session: Session) -> list[tuple[str, Mapping[str, Any]]]:
    """``(pack, menus.json)`` of every pack with forms here, in app order."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    for pack in _ordered(_group(form_service.list_forms(session))):
        if pack is None:
            continue
        menus = _pack(session, pack).menus
        if menus is not None:
            found.append((pack, menus))
    return found


def app_title(pack: str | None, labels: Any, locale: str) -> str:
    """The shown name of a pack (``None``: the forms that belong to no pack)."""
    if pack is None:
        return _("Forms").render(locale)
    if labels:
        return pick(labels, locale, pack)
    known = _PACK_TITLES.get(pack)
    return known.render(locale) if known is not None else pack


def _group(views: Iterable[FormView]) -> dict[str | None, list[FormView]]:
    groups: dict[str | None, list[FormView]] = {}
    for view in views:
        groups.setdefault(view.form.pack, []).append(view)
    return groups


def _ordered(groups: Mapping[str | None, list[FormView]]) -> list[str | None]:
    named = sorted(key for key in groups if key is not None)
    return [*named, *([None] if None in groups else [])]


def is_routable(url: str) -> bool:
    """True when this installation has a page at ``url`` (GET)."""
    path = url.split("?", 1)[0]
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def app_menu(session: Session, locale: str) -> list[App]:
    """The apps for the header menu: titles and anchors only (cheap, on every page)."""
    groups = _group(form_service.list_forms(session))
    return [
        App(
            pack or OTHER_APP, app_title(pack, _pack(session, pack).title if pack else None, locale)
        )
        for pack in _ordered(groups)
    ]


def _entries(
    session: Session,
    actor: Actor,
    views: list[FormView],
    menu: list[Mapping[str, Any]] | None,
    locale: str,
) -> list[MenuEntry]:
    by_key = {view.form.key: view for view in views}
    wanted: list[tuple[FormView, str, Any]] = []
    if menu:
        for item in menu:
            view = by_key.get(str(item.get("form", "")))
            if view is not None and isinstance(item, Mapping):
                wanted.append((view, str(item.get("view", "new")), item.get("title")))
    else:
        wanted = [(view, "new", view.version.title) for view in sorted(views, key=_title_key)]
    actions: dict[str, frozenset[Action]] = {}
    entries = []
    for view, kind, title in wanted:
        route = _VIEWS.get(kind)
        if route is None:
            continue
        url = route[0].format(form=view.form.key)
        if not is_routable(url):
            continue
        if view.form.key not in actions:
            actions[view.form.key] = form_actions(session, actor, view.form)
        if route[1] is not None and route[1] not in actions[view.form.key]:
            continue
        entries.append(MenuEntry(pick(title, locale, view.form.key), url, kind))
    return entries


def _title_key(view: FormView) -> str:
    return pick(view.version.title, "en", view.form.key)


def build_apps(session: Session, actor: Actor, locale: str) -> list[App]:
    """The apps with the entries ``actor`` may use, for the home page."""
    groups = _group(form_service.list_forms(session))
    apps: list[App] = []
    for pack in _ordered(groups):
        info = _pack(session, pack) if pack else _Pack(None, None)
        entries = _entries(session, actor, groups[pack], info.menu, locale)
        if entries:
            apps.append(App(pack or OTHER_APP, app_title(pack, info.title, locale), entries))
    return apps
