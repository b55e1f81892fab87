"""The web app for business users: server-rendered pages (Jinja2) over the services.

Each module registers its views on one blueprint; :func:`init_app` wires the blueprint, the
template language machinery and nothing else. Views parse the request, call services and
render — the rules live in the services and the pure core, and the pages' scripts use the
same REST API as any other client.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from formflow.forms.regions import PROVINCES
from formflow.web.pages import (
    admin_packs,
    assets,
    auth,
    exportpage,
    formpage,
    home,
    importpage,
    inboxpage,
    listpage,
    profile,
    recordpage,
    taskpage,
)
from formflow.web.pages.pagelocale import install_i18n


def blueprint() -> Blueprint:
    """A new blueprint with every page registered."""
    pages = Blueprint("pages", __name__)
    for module in (
        assets,
        auth,
        home,
        profile,
        formpage,
        recordpage,
        admin_packs,
        listpage,
        exportpage,
        importpage,
        inboxpage,
        taskpage,
    ):
        module.register(pages)
    return pages


def init_app(app: Flask) -> None:
    """Register the pages and set up templates (autoescaping on, translations per request)."""
    install_i18n(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # The province choices of region fields, on every page that renders form fields.
    app.jinja_env.globals["provinces"] = PROVINCES
    app.register_blueprint(blueprint())
