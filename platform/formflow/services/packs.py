"""Installing, listing and uninstalling template packs.

Install is all or nothing: it runs inside the caller's unit of work, lints first, installs
missing dependencies from the library, and creates roles, forms, flows and automations,
settings and menus. Any failure raises and the transaction rolls back, so a broken pack leaves
nothing behind. Installing the same version again is a no-op; a form key owned by someone else
is a conflict. Uninstall archives (forms hidden, data kept) unless a purge is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from formflow.errors import Conflict, DefinitionInvalid, Issue, NotFound, ValidationFailed
from formflow.i18n import _
from formflow.packs.library import available_packs
from formflow.packs.lint import has_errors, lint_pack
from formflow.packs.source import PackSource
from formflow.services import forms as form_service
from formflow.services import org
from formflow.services.actor import Actor
from formflow.services.authz import require_admin
from formflow.storage import stamps
from formflow.storage.models import Form, InstalledPack, Record, RecordAudit
from formflow.storage.types import utcnow

#: Installs the flows of a pack (set by the flow service, which lives above this module):
#: ``(session, actor, source, settings) -> list of flow keys``.
FlowInstaller = Callable[[Session, Actor, PackSource, Mapping[str, Any]], list[str]]
_flow_installers: list[FlowInstaller] = []
#: Archives (or purges) the flows of a pack: ``(session, actor, pack name, purge)``.
FlowRemover = Callable[[Session, Actor, str, bool], None]
_flow_removers: list[FlowRemover] = []


#: Re-publishes the flows of an installed pack with new settings: ``(session, actor, name,
#: settings)``.
FlowReconfigurer = Callable[[Session, Actor, str, Mapping[str, Any]], None]
_flow_reconfigurers: list[FlowReconfigurer] = []


def register_flow_installer(
    installer: FlowInstaller, remover: FlowRemover, reconfigurer: FlowReconfigurer
) -> None:
    _flow_installers.append(installer)
    _flow_removers.append(remover)
    _flow_reconfigurers.append(reconfigurer)


def check_settings(spec: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` checked against a pack's ``settings.json``: known names, the default's type.

    Raises :class:`ValidationFailed` with one issue per bad setting (a misspelt name would
    otherwise be stored and silently do nothing).
    """
    known = spec if isinstance(spec, Mapping) else {}
    issues: list[Issue] = []
    clean: dict[str, Any] = {}
    for name, value in values.items():
        setting = known.get(name)
        if not isinstance(setting, Mapping):
            issues.append(
                Issue(
                    f"$.settings.{name}",
                    _(
                        "The pack has no setting {name}; its settings are: {known}.",
                        name=name,
                        known=", ".join(sorted(known)) or "-",
                    ),
                    "unknown_setting",
                )
            )
            continue
        default = setting.get("default")
        if not _same_kind(default, value):
            issues.append(
                Issue(
                    f"$.settings.{name}",
                    _(
                        "The setting {name} takes a value like {example!r}, not {value!r}.",
                        name=name,
                        example=default,
                        value=value,
                    ),
                    "setting_type",
                )
            )
            continue
        clean[name] = value
    if issues:
        raise ValidationFailed(issues)
    return clean


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float | Decimal):
        return isinstance(value, int | float | Decimal)
    return isinstance(value, type(default)) if default is not None else True


def update_settings(
    session: Session, actor: Actor, name: str, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Change settings of an installed pack; its flows get a new version with them.

    Requests already running keep the values they started with (the engine snapshots them).
    """
    require_admin(actor)
    row = installed_pack(session, name)
    if row.status != "installed":
        raise Conflict(_("The pack {name} is archived; install it again first.", name=name))
    changed = check_settings((row.manifest or {}).get("settings_spec"), values)
    merged = {**(row.settings or {}), **changed}
    for reconfigure in _flow_reconfigurers:
        reconfigure(session, actor, name, merged)
    row.settings = merged
    row.updated_at = utcnow()
    session.flush()
    stamps.bump(session, "packs")
    return merged


@dataclass(frozen=True)
class PackSummary:
    name: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    stage: str
    version: str | None  # in the library
    installed_version: str | None
    status: str  # available | installed | archived
    forms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Impact:
    """What uninstalling would touch: live records per form key."""

    pack: str
    records: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.records.values())


def _installed(session: Session, name: str) -> InstalledPack | None:
    return session.scalar(select(InstalledPack).where(InstalledPack.name == name))


def list_packs(session: Session) -> list[PackSummary]:
    """Packs of the library and packs installed here (from anywhere), by name."""
    library = available_packs()
    installed = {row.name: row for row in session.scalars(select(InstalledPack))}
    summaries: list[PackSummary] = []
    for name in sorted(set(library) | set(installed)):
        source = library.get(name)
        row = installed.get(name)
        manifest = (
            source.manifest.to_json()
            if source and source.manifest
            else (row.manifest if row else {})
        )
        forms = sorted(
            session.scalars(select(Form.key).where(Form.pack == name, Form.archived.is_(False)))
        )
        summaries.append(
            PackSummary(
                name=name,
                title=manifest.get("title", {}),
                description=manifest.get("description", {}),
                stage=manifest.get("stage", ""),
                version=source.manifest.version if source and source.manifest else None,
                installed_version=row.version if row else None,
                status=row.status if row else "available",
                forms=forms,
            )
        )
    return summaries


def installed_pack(session: Session, name: str) -> InstalledPack:
    row = _installed(session, name)
    if row is None:
        raise NotFound(_("The pack {name} is not installed.", name=name))
    return row


def _lint_or_raise(source: PackSource, library: Mapping[str, PackSource]) -> None:
    problems = lint_pack(source, library)
    if has_errors(problems):
        raise DefinitionInvalid(
            [
                Issue(
                    f"{p.file}:{p.line}:{p.column}",
                    p.message,
                    p.code,
                )
                for p in problems
                if p.severity == "error"
            ],
            _("The pack {name} has errors; nothing was installed.", name=source.name),
        )


def install_pack(
    session: Session,
    actor: Actor,
    source: PackSource,
    *,
    settings: Mapping[str, Any] | None = None,
    library: Mapping[str, PackSource] | None = None,
    _resolving: tuple[str, ...] = (),
) -> list[str]:
    """Install ``source`` and any missing dependencies; returns the names installed.

    Raises :class:`DefinitionInvalid` when lint finds errors and :class:`Conflict` when a form
    belongs to someone else; the caller's transaction then rolls everything back.
    """
    require_admin(actor)
    library = dict(library if library is not None else available_packs())
    library.setdefault(source.name, source)
    _lint_or_raise(source, library)
    assert source.manifest is not None
    manifest = source.manifest
    existing = _installed(session, manifest.name)
    if existing is not None and existing.status == "installed":
        if existing.version == manifest.version:
            if settings:  # installed already: giving settings changes them
                update_settings(session, actor, manifest.name, settings)
            return []
        raise Conflict(
            _(
                "The pack {name} {installed} is installed. Upgrading in place is not "
                "supported yet: uninstall it (its data is kept) and install {version}.",
                name=manifest.name,
                installed=existing.version,
                version=manifest.version,
            )
        )
    installed: list[str] = []
    for dependency in manifest.depends:
        if dependency in _resolving:
            raise Conflict(
                _(
                    "The packs {names} depend on each other in a cycle.",
                    names=" → ".join([*_resolving, dependency]),
                )
            )
        row = _installed(session, dependency)
        if row is None or row.status != "installed":
            installed += install_pack(
                session,
                actor,
                library[dependency],
                library=library,
                _resolving=(*_resolving, manifest.name),
            )
    _check_conflicts(session, source)
    for role in source.roles.value if source.roles is not None else []:
        org.ensure_role(session, actor, role["key"], role["name"], pack=manifest.name)
    spec = source.settings.value if source.settings is not None else {}
    values = {
        **source.setting_defaults(),
        **(existing.settings if existing else {}),
        **check_settings(spec, dict(settings or {})),
    }
    for _file, definition in source.form_values():
        _install_form(session, actor, manifest.name, definition)
    for installer in _flow_installers:
        installer(session, actor, source, values)
    record = existing or InstalledPack(name=manifest.name)
    record.version = manifest.version
    record.manifest = {
        **manifest.to_json(),
        "menus": source.menus.value if source.menus is not None else {"items": []},
        "i18n": source.translations(),
        "settings_spec": source.settings.value if source.settings is not None else {},
    }
    record.settings = values
    record.status = "installed"
    if existing is None:
        session.add(record)
    session.flush()
    stamps.bump(session, "packs")
    return [*installed, manifest.name]


def _check_conflicts(session: Session, source: PackSource) -> None:
    name = source.name
    issues: list[Issue] = []
    for file, definition in source.form_values():
        key = definition.get("key")
        owner = session.scalar(select(Form).where(Form.key == key))
        if owner is not None and owner.pack != name:
            issues.append(
                Issue(
                    file.name,
                    _(
                        "The form {key} already exists and belongs to {owner}.",
                        key=key,
                        owner=owner.pack or _("the designer"),
                    ),
                    "conflict",
                )
            )
    if issues:
        raise Conflict(
            _(
                "The pack {name} conflicts with what is installed; nothing was installed.",
                name=name,
            ),
            issues=issues,
        )


def _install_form(session: Session, actor: Actor, pack: str, definition: Mapping[str, Any]) -> None:
    key = definition["key"]
    form = session.scalar(select(Form).where(Form.key == key))
    if form is None:
        form_service.create_form(
            session,
            actor,
            key=key,
            title=definition["title"],
            schema=definition["schema"],
            ui=definition.get("ui"),
            grants=definition.get("grants"),
            pack=pack,
        )
        return
    form.archived = False  # reinstalling an archived pack brings its forms back
    current = form_service.get_form(session, key)
    if current.version.schema != definition["schema"] or (current.version.ui or {}) != (
        definition.get("ui") or {}
    ):
        form_service.publish_version(
            session,
            actor,
            key,
            schema=definition["schema"],
            ui=definition.get("ui"),
            title=definition["title"],
            note=f"pack {pack}",
        )


def impact(session: Session, name: str) -> Impact:
    """Live records per form of the pack (what an uninstall would archive or purge)."""
    installed_pack(session, name)
    rows = session.execute(
        select(Form.key, func.count(Record.id))
        .join(Record, (Record.form_id == Form.id) & Record.deleted_at.is_(None), isouter=True)
        .where(Form.pack == name)
        .group_by(Form.key)
        .order_by(Form.key)
    ).all()
    return Impact(pack=name, records={key: int(count) for key, count in rows})


def uninstall_pack(session: Session, actor: Actor, name: str, *, purge: bool = False) -> Impact:
    """Archive the pack (forms hidden, data kept); with ``purge`` delete its records too."""
    require_admin(actor)
    row = installed_pack(session, name)
    result = impact(session, name)
    dependants = [
        other.name
        for other in session.scalars(
            select(InstalledPack).where(InstalledPack.status == "installed")
        )
        if name in (other.manifest or {}).get("depends", {})
    ]
    if dependants:
        raise Conflict(
            _(
                "The packs {names} depend on {name}; uninstall them first.",
                names=", ".join(sorted(dependants)),
                name=name,
            )
        )
    for remover in _flow_removers:
        remover(session, actor, name, purge)
    forms = list(session.scalars(select(Form).where(Form.pack == name)))
    if purge:
        for form in forms:
            ids = select(Record.id).where(Record.form_id == form.id)
            session.execute(delete(RecordAudit).where(RecordAudit.record_id.in_(ids)))
            session.execute(delete(Record).where(Record.form_id == form.id))
            session.delete(form)
        session.delete(row)
    else:
        for form in forms:
            form.archived = True
        row.status = "archived"
        row.updated_at = utcnow()
    session.flush()
    stamps.bump(session, "forms")
    stamps.bump(session, "packs")
    return result
