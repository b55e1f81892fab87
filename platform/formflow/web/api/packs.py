"""API: template packs from the shipped library — list, inspect, install, uninstall.

Only packs of the library can be installed over the API (a path on the server is never taken
from a request); consultants install their own folders with `formflow pack install PATH`.
"""

from __future__ import annotations

from typing import Any

from formflow.errors import NotFound
from formflow.i18n import _
from formflow.packs.library import available_packs
from formflow.services import packs
from formflow.services.authz import require_admin
from formflow.web.api import schemas
from formflow.web.api.registry import Api, ApiCall


def _summary(item: packs.PackSummary) -> dict[str, Any]:
    return {
        "name": item.name,
        "title": item.title,
        "description": item.description,
        "stage": item.stage,
        "version": item.version,
        "installed_version": item.installed_version,
        "status": item.status,
        "forms": item.forms,
    }


def register(api: Api) -> None:
    @api.operation(
        "GET",
        "/packs",
        summary="Packs in the library and installed",
        tag="packs",
        response=schemas.PackOut,
        many=True,
    )
    def list_packs(call: ApiCall) -> Any:
        return [_summary(item) for item in packs.list_packs(call.session)]

    @api.operation(
        "POST",
        "/packs",
        summary="Install a pack from the library (admin)",
        tag="packs",
        body=schemas.PackInstall,
        response=schemas.PackInstalled,
        status=201,
        errors=(403, 404, 409),
        description="Lints first, installs missing dependencies, then everything in one "
        "transaction. Installing the same version again changes nothing.",
    )
    def install_pack(call: ApiCall) -> Any:
        require_admin(call.actor)
        library = available_packs()
        source = library.get(call.body["name"])
        if source is None:
            raise NotFound(_("No pack {name} in the library.", name=call.body["name"]))
        installed = packs.install_pack(
            call.session, call.actor, source, settings=call.body["settings"], library=library
        )
        return {"installed": installed}

    @api.operation(
        "GET",
        "/packs/<name>",
        summary="An installed pack: version, status and settings",
        tag="packs",
        response=schemas.PackInstalledOut,
        errors=(404,),
    )
    def get_pack(call: ApiCall, name: str) -> Any:
        row = packs.installed_pack(call.session, name)
        return {
            "name": row.name,
            "version": row.version,
            "status": row.status,
            "settings": row.settings or {},
            "settings_spec": (row.manifest or {}).get("settings_spec", {}),
        }

    @api.operation(
        "PATCH",
        "/packs/<name>/settings",
        summary="Change settings of an installed pack (admin)",
        tag="packs",
        body=schemas.PackSettings,
        response=schemas.PackSettings,
        errors=(403, 404, 409),
        description="Thresholds and other parameters of the pack's flows and formulas. The "
        "flows get a new version; requests already running keep the values they started with.",
    )
    def update_pack_settings(call: ApiCall, name: str) -> Any:
        settings = packs.update_settings(call.session, call.actor, name, call.body["settings"])
        return {"settings": settings}

    @api.operation(
        "GET",
        "/packs/<name>/impact",
        summary="What uninstalling would touch",
        tag="packs",
        response=schemas.PackImpact,
        errors=(404,),
    )
    def pack_impact(call: ApiCall, name: str) -> Any:
        result = packs.impact(call.session, name)
        return {"pack": result.pack, "records": result.records, "total": result.total}

    @api.operation(
        "DELETE",
        "/packs/<name>",
        summary="Uninstall a pack (admin)",
        tag="packs",
        query=schemas.PackUninstall,
        response=schemas.PackImpact,
        errors=(403, 404, 409),
        description="Archives the pack: its forms are hidden and the data is kept. With "
        "purge=true the records are deleted too.",
    )
    def uninstall_pack(call: ApiCall, name: str) -> Any:
        result = packs.uninstall_pack(call.session, call.actor, name, purge=call.query["purge"])
        return {"pack": result.pack, "records": result.records, "total": result.total}
