"""Form definitions: create, publish versions, read, and the compiled form for a version.

Publishing creates an immutable version. A change that existing records would not satisfy is
refused — listing the affected records — unless a migration (renames, defaults for new required
fields, value mappings) is supplied; then every live record is migrated in the same transaction.
Indexes for ``x-index`` and ``x-unique``/``x-unique-together`` are built in that transaction too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from formflow.errors import (
    Conflict,
    DefinitionInvalid,
    InvalidInput,
    Issue,
    NotFound,
)
from formflow.forms import CompiledForm, FormInfo, Migration, compile_form
from formflow.forms import diff_versions as diff_forms
from formflow.i18n import _
from formflow.process_cache import ProcessCache
from formflow.services.actor import Actor
from formflow.services.authz import (
    DEFAULT_GRANTS,
    require_admin,
    require_designer,
    validate_grants,
)
from formflow.storage import definitions, stamps, value_slots
from formflow.storage.json_fields import FieldKind, ensure_field_index, ensure_unique_index
from formflow.storage.models import Form, FormGrant, FormVersion, Record, RecordAudit
from formflow.storage.types import utcnow

FORM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}(\.[a-z][a-z0-9_]{0,49})?$")
MAX_AFFECTED_LISTED = 50


@dataclass(frozen=True)
class FormView:
    """A form with one of its versions (the current one unless asked otherwise)."""

    form: Form
    version: FormVersion

    @property
    def key(self) -> str:
        return self.form.key


# -- compiled forms, cached per version and forms stamp ---------------------------------------

_COMPILED: ProcessCache[tuple[int, str], CompiledForm] = ProcessCache(256)


def known_forms(session: Session, *, exclude: str | None = None) -> dict[str, FormInfo]:
    """What every current form looks like to another form's links and rollups.

    Forms are described from a compile without cross-form checks, so forms may refer to each
    other in cycles (a contract links its customer; the customer rolls up its contracts).
    """
    stamp = stamps.current(session, "forms")
    infos: dict[str, FormInfo] = {}
    rows = session.execute(
        select(Form.key, FormVersion)
        .join(
            FormVersion,
            (FormVersion.form_id == Form.id) & (FormVersion.version == Form.current_version),
        )
        .where(Form.archived.is_(False))
    ).all()
    for key, version in rows:
        if key == exclude:
            continue
        cache_key = (version.id, "shallow:" + stamp)
        shallow = _COMPILED.get(cache_key)
        if shallow is None:
            shallow = _COMPILED.put(
                cache_key,
                compile_form(version.schema, version.ui, known_forms=None, form_key=key),
            )
        infos[key] = FormInfo.of(key, shallow, title=version.title)
    return infos


def compiled(session: Session, view: FormView) -> CompiledForm:
    """The compiled form of ``view``'s version (cached; versions never change)."""
    cache_key = (view.version.id, stamps.current(session, "forms"))
    found = _COMPILED.get(cache_key)
    if found is not None:
        return found
    result = compile_form(
        view.version.schema,
        view.version.ui,
        known_forms=known_forms(session, exclude=view.key),
        form_key=view.key,
    )
    return _COMPILED.put(cache_key, result)


# -- reading ---------------------------------------------------------------------------------


def get_form(session: Session, key: str, version: int | None = None) -> FormView:
    """The form ``key`` at ``version`` (default: current). Any signed-in user may read it."""
    form = definitions.form_by_key(session, key)
    if form is None or (form.archived and version is None):
        raise NotFound(_("Form {key} not found.", key=key))
    return FormView(form, _version_row(session, form, version or form.current_version))


def form_exists(session: Session, key: str) -> bool:
    """True when a form ``key`` exists (archived ones too: the key is taken)."""
    return session.scalar(select(Form.id).where(Form.key == key)) is not None


def get_form_by_id(session: Session, form_id: int, version: int | None = None) -> FormView:
    """The form with database id ``form_id`` (archived forms too: their records remain)."""
    form = definitions.form_by_id(session, form_id)
    if form is None:
        raise NotFound(_("Form {key} not found.", key=form_id))
    return FormView(form, _version_row(session, form, version or form.current_version))


def _version_row(session: Session, form: Form, version: int) -> FormVersion:
    row = definitions.form_version(session, form.id, version)
    if row is None:
        raise NotFound(_("Form {key} has no version {version}.", key=form.key, version=version))
    return row


def list_forms(session: Session, *, pack: str | None = None) -> list[FormView]:
    query = (
        select(Form, FormVersion)
        .join(
            FormVersion,
            (FormVersion.form_id == Form.id) & (FormVersion.version == Form.current_version),
        )
        .where(Form.archived.is_(False))
        .order_by(Form.key)
    )
    if pack is not None:
        query = query.where(Form.pack == pack)
    return [FormView(form, version) for form, version in session.execute(query)]


def list_versions(session: Session, key: str) -> list[FormVersion]:
    view = get_form(session, key)
    return list(
        session.scalars(
            select(FormVersion)
            .where(FormVersion.form_id == view.form.id)
            .order_by(FormVersion.version)
        )
    )


def grants_of(session: Session, form: Form) -> dict[str, list[str]]:
    rows = session.scalars(select(FormGrant).where(FormGrant.form_id == form.id))
    return {row.principal: list(row.actions) for row in rows} or dict(DEFAULT_GRANTS)


# -- writing ---------------------------------------------------------------------------------


def create_form(
    session: Session,
    actor: Actor,
    *,
    key: str,
    title: Any,
    schema: Any,
    ui: Any = None,
    grants: Mapping[str, list[str]] | None = None,
    pack: str | None = None,
) -> FormView:
    """Create a form and publish its version 1 (designers and admins)."""
    require_designer(actor)
    if not FORM_KEY.match(key or ""):
        raise InvalidInput(
            _(
                "The form key {value!r} is not allowed: use lower-case letters, digits and _, "
                "optionally with one dot for a pack prefix (oa.leave_request).",
                value=key,
            )
        )
    if session.scalar(select(Form.id).where(Form.key == key)) is not None:
        raise Conflict(_("A form with the key {key} already exists.", key=key))
    result = _compile_for_publish(session, key, schema, ui)
    clean_grants = validate_grants(dict(grants)) if grants is not None else None
    form = Form(key=key, title=title, current_version=1, pack=pack, created_by=actor.id)
    session.add(form)
    session.flush()
    version = FormVersion(
        form_id=form.id, version=1, title=title, schema=schema, ui=ui or {}, created_by=actor.id
    )
    session.add(version)
    for principal, actions in (clean_grants or {}).items():
        session.add(FormGrant(form_id=form.id, principal=principal, actions=actions))
    session.flush()
    _ensure_indexes(session, form, version, result)
    stamps.bump(session, "forms")
    return FormView(form, version)


def set_grants(
    session: Session, actor: Actor, key: str, grants: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """Replace the grants of a form (designers and admins)."""
    require_designer(actor)
    view = get_form(session, key)
    clean = validate_grants(dict(grants))
    for row in session.scalars(select(FormGrant).where(FormGrant.form_id == view.form.id)):
        session.delete(row)
    session.flush()
    for principal, actions in clean.items():
        session.add(FormGrant(form_id=view.form.id, principal=principal, actions=actions))
    session.flush()
    return clean


def publish_version(
    session: Session,
    actor: Actor,
    key: str,
    *,
    schema: Any,
    ui: Any = None,
    title: Any = None,
    migration: Migration | None = None,
    note: str | None = None,
) -> FormView:
    """Publish a new version of ``key``; refuse changes that would break existing records.

    Raises :class:`Conflict` with one issue per affected record (at most 50 listed) when the
    new version would invalidate live records and no ``migration`` makes them valid.
    """
    require_designer(actor)
    current = get_form(session, key)
    new = _compile_for_publish(session, key, schema, ui)
    old = compiled(session, current)
    diff = diff_forms(old, new)
    live = select(Record).where(Record.form_id == current.form.id, Record.deleted_at.is_(None))
    affected: list[Issue] = []
    updates: list[tuple[Record, dict[str, Any]]] = []
    if diff.is_breaking or migration is not None:
        for record in session.scalars(live.execution_options(yield_per=500)):
            data, problems = diff.migrate_record(
                record.data, migration, draft=record.status == "draft"
            )
            if problems:
                if len(affected) < MAX_AFFECTED_LISTED:
                    first = problems[0]
                    affected.append(
                        Issue(
                            path=f"$.records[{record.id}]",
                            message=_(
                                "Record {id} would become invalid: {path}: {message}",
                                id=record.id,
                                path=first.path,
                                message=first.message,
                            ),
                            code="record_invalid",
                        )
                    )
                else:
                    break
            elif migration is not None and data != record.data:
                updates.append((record, data))
    if affected:
        total = session.scalar(
            select(func.count(Record.id)).where(
                Record.form_id == current.form.id, Record.deleted_at.is_(None)
            )
        )
        raise Conflict(
            _(
                "This change would make existing records invalid ({count} listed of {total} "
                "records). Supply a migration (renames, defaults, value maps) or change the "
                "definition.",
                count=len(affected),
                total=total,
            ),
            issues=affected,
        )
    number = current.form.current_version + 1
    version = FormVersion(
        form_id=current.form.id,
        version=number,
        title=title if title is not None else current.version.title,
        schema=schema,
        ui=ui or {},
        migration=migration.to_json() if migration is not None else None,
        note=note,
        created_by=actor.id,
    )
    session.add(version)
    current.form.current_version = number
    if title is not None:
        current.form.title = title
    now = utcnow()
    for record, data in updates:
        changes = [{"path": "$", "old": None, "new": f"migrated to version {number}"}]
        record.data = data
        record.form_version = number
        record.updated_at = now
        session.add(
            RecordAudit(
                record_id=record.id,
                actor_id=actor.id,
                action="migrate",
                changes=changes,
                record_version=record.version + 1,
            )
        )
    session.flush()
    _ensure_indexes(session, current.form, version, new)
    if new.readers != old.readers:
        from formflow.services.record_readers import (  # noqa: PLC0415 - import cycle
            refresh_form_readers,
        )

        refresh_form_readers(session, actor, current.form, new)
    stamps.bump(session, "forms")
    return FormView(current.form, version)


def diff_versions(session: Session, key: str, old: int, new: int) -> Any:
    """The differences between two published versions of ``key``."""
    return diff_forms(
        compiled(session, get_form(session, key, old)),
        compiled(session, get_form(session, key, new)),
    )


def _compile_for_publish(session: Session, key: str, schema: Any, ui: Any) -> CompiledForm:
    return compile_form(schema, ui, known_forms=known_forms(session, exclude=key), form_key=key)


_INDEX_KINDS = {"number": FieldKind.NUMBER, "text": FieldKind.TEXT}


def _index_kind(result: CompiledForm, name: str) -> FieldKind:
    spec = result.fields[name]
    kind = spec.index or spec.type.index_for(spec.schema)
    return _INDEX_KINDS[kind.value] if kind is not None else FieldKind.TEXT


def refresh_indexes(session: Session, actor: Actor) -> list[str]:
    """Give every form the indexes its current version would get if it were published now;
    return the keys of the forms whose fields moved into value slots.

    After an upgrade that brings value slots to a database (migrations 0004 and 0005), forms
    published before keep their expression indexes until they are published again; this
    gives their indexed fields slots (filling them for the existing records) without a new
    version. The mapping goes on the current version, which is storage, not definition: the
    slots hold the same values the JSON expressions read. Safe to run again.
    """
    require_admin(actor)
    moved: list[str] = []
    for view in list_forms(session):
        before = dict(view.version.index_slots or {})
        _ensure_indexes(session, view.form, view.version, compiled(session, view))
        if dict(view.version.index_slots or {}) != before:
            moved.append(view.key)
    return moved


def _ensure_indexes(
    session: Session, form: Form, version: FormVersion, result: CompiledForm
) -> None:
    """Index every ``x-index`` field (in a value slot where the database has them) and build
    the unique indexes; the version records which field lives in which slot."""
    fields = {name: _INDEX_KINDS[kind.value] for name, kind in result.indexed_fields.items()}
    slots = value_slots.assign_slots(session, form.id, fields)
    version.index_slots = slots or None
    for name, kind in fields.items():
        if name not in slots:
            ensure_field_index(session, form.id, name, kind)
    for group in result.unique_together:
        kinds = [(name, _index_kind(result, name)) for name in group]
        try:
            with session.begin_nested():
                ensure_unique_index(session, form.id, kinds)
        except IntegrityError:
            raise DefinitionInvalid(
                [
                    Issue(
                        path="$.schema",
                        message=_(
                            "Existing records already share values of {fields}; make them "
                            "unique before requiring it.",
                            fields=", ".join(group),
                        ),
                        code="unique_violated",
                    )
                ]
            ) from None
