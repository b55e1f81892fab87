"""The packs admin page: what the library offers and what is installed; install, uninstall.

The same services as ``formflow pack ...`` and ``/api/packs``: installing lints first and is all
or nothing; uninstalling shows its impact first, archives by default (data kept) and purges only
when the admin confirms by typing the pack's name.
"""

from __future__ import annotations

from flask import Blueprint, flash, request
from werkzeug.wrappers import Response

from formflow.errors import FormflowError, NotFound
from formflow.i18n import _, pick
from formflow.packs.library import available_packs
from formflow.services import packs
from formflow.services.authz import require_admin
from formflow.web.pages.pagecall import PageCall, page, see_other
from formflow.web.pages.render import render_page


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/admin/packs")
    @page()
    def admin_packs(call: PageCall) -> Response:
        """Every pack of the library and every installed pack, with their state."""
        require_admin(call.user)
        rows = [
            {
                "name": item.name,
                "title": pick(item.title, call.locale, item.name),
                "description": pick(item.description, call.locale),
                "stage": item.stage,
                "version": item.version,
                "installed_version": item.installed_version,
                "status": item.status,
                "forms": len(item.forms),
            }
            for item in packs.list_packs(call.session)
        ]
        return render_page(call, "admin_packs.html", packs=rows)

    @blueprint.post("/admin/packs/<name>/install")
    @page(write=True)
    def install_pack(call: PageCall, name: str) -> Response:
        """Install a pack of the library (lint first, one transaction)."""
        require_admin(call.user)
        library = available_packs()
        source = library.get(name)
        if source is None:
            raise NotFound(_("No pack {name} in the library.", name=name))
        try:
            with call.session.begin_nested():
                installed = packs.install_pack(call.session, call.user, source, library=library)
        except FormflowError as error:
            flash(error.render(call.locale), "error")
            for issue in error.issues[:20]:
                flash(f"{issue.path}: {issue.message.render(call.locale)}", "error")
            return see_other("/admin/packs")
        if installed:
            flash(_("Installed: {names}.", names=", ".join(installed)).render(call.locale), "info")
        else:
            flash(
                _("{name} is already installed at this version.", name=name).render(call.locale),
                "info",
            )
        return see_other("/admin/packs")

    @blueprint.get("/admin/packs/<name>/uninstall")
    @page()
    def confirm_uninstall(call: PageCall, name: str) -> Response:
        """What uninstalling would touch, and the choice between archive and purge."""
        require_admin(call.user)
        return render_page(
            call, "admin_pack_uninstall.html", name=name, impact=packs.impact(call.session, name)
        )

    @blueprint.post("/admin/packs/<name>/uninstall")
    @page(write=True)
    def uninstall_pack(call: PageCall, name: str) -> Response:
        """Archive (default) or purge, when the admin typed the pack's name to confirm."""
        require_admin(call.user)
        purge = request.form.get("mode") == "purge"
        if purge and request.form.get("confirm", "").strip() != name:
            flash(
                _("To delete the data, type the pack's name {name} to confirm.", name=name).render(
                    call.locale
                ),
                "error",
            )
            return see_other(f"/admin/packs/{name}/uninstall")
        try:
            with call.session.begin_nested():
                packs.uninstall_pack(call.session, call.user, name, purge=purge)
        except FormflowError as error:
            flash(error.render(call.locale), "error")
            return see_other(f"/admin/packs/{name}/uninstall")
        message = (
            _("{name} was removed with its data.", name=name)
            if purge
            else _("{name} was archived; its data is kept.", name=name)
        )
        flash(message.render(call.locale), "info")
        return see_other("/admin/packs")
