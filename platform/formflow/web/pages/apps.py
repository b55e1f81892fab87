"""Apps as the pages show them: a titled group of menu entries per installed pack.

Each pack is an app (OA, CRM, HR, ERP …); forms without a pack form one more app. Today an
app's entries are its forms (fill in a new record); when the packs service exposes manifests
with menus (lists, reports), :func:`build_apps` is the one place to read them — the
templates already render any entries with a title, an address and a kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from formflow.i18n import Msg, _, pick
from formflow.services import forms as form_service
from formflow.services.actor import Actor
from formflow.services.authz import Action, form_actions
from formflow.services.forms import FormView

#: Titles of the four shipped packs, until pack manifests provide their own.
_PACK_TITLES: dict[str, Msg] = {
    "oa": _("Office (OA)"),
    "crm": _("Customers (CRM)"),
    "hr": _("People (HR)"),
    "erp": _("Operations (ERP)"),
}
OTHER_APP = "forms"


@dataclass(frozen=True)
class MenuEntry:
    """One entry of an app's menu: ``kind`` is ``form`` (fill in), ``list`` or ``report``."""

    title: str
    url: str
    kind: str = "form"


@dataclass(frozen=True)
class App:
    key: str
    title: str
    entries: list[MenuEntry] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"app-{self.key}"


def app_title(pack: str | None, locale: str) -> str:
    """The shown name of a pack (``None``: the forms that belong to no pack)."""
    if pack is None:
        return _("Forms").render(locale)
    known = _PACK_TITLES.get(pack)
    return known.render(locale) if known is not None else pack


def _group(views: Iterable[FormView]) -> dict[str | None, list[FormView]]:
    groups: dict[str | None, list[FormView]] = {}
    for view in views:
        groups.setdefault(view.form.pack, []).append(view)
    return groups


def _ordered(groups: dict[str | None, list[FormView]]) -> list[str | None]:
    named = sorted(key for key in groups if key is not None)
    return [*named, *([None] if None in groups else [])]


def app_menu(session: Session, locale: str) -> list[App]:
    """The apps for the header menu: titles and anchors only (cheap, on every page)."""
    groups = _group(form_service.list_forms(session))
    return [App(pack or OTHER_APP, app_title(pack, locale)) for pack in _ordered(groups)]


def build_apps(session: Session, actor: Actor, locale: str) -> list[App]:
    """The apps with the entries ``actor`` may use, for the home page."""
    groups = _group(form_service.list_forms(session))
    apps: list[App] = []
    for pack in _ordered(groups):
        entries = []
        for view in groups[pack]:
            if Action.CREATE not in form_actions(session, actor, view.form):
                continue
            title = pick(view.version.title, locale, view.form.key)
            entries.append(MenuEntry(title, f"/forms/{view.form.key}/new"))
        if entries:
            entries.sort(key=lambda entry: entry.title)
            apps.append(App(pack or OTHER_APP, app_title(pack, locale), entries))
    return apps
