"""Authorization, decided in this one module.

Rules:

* Platform role ``admin`` may do everything. ``designer`` may define forms, flows and packs;
  for records a designer is an ordinary user.
* Form grants give actions on a form's records to principals: ``everyone``, ``role:<key>``,
  ``user:<id>``, ``department:<id>`` (that department and everything below it). Actions:
  ``create``, ``read_own``, ``read_all``, ``update``, ``delete``, ``export``.
  A form with no grants at all behaves as ``everyone: create, read_own``.
* A record is readable by admins, by holders of ``read_all``, by its owner with ``read_own``,
  by participants of its flow (approvers, people copied), and by the readers its form's
  ``x-readers`` names (:mod:`formflow.services.reader_access`, matched in SQL for lists).
  What of the data a participant may see is :mod:`formflow.services.record_reading`'s job.
  A record a user may not read answers :class:`~formflow.errors.NotFound`, exactly as if it
  did not exist.
* Writing a readable record needs ``update`` (or ``delete``), except that owners always
  edit and delete their own drafts.

Every service asks here; no view, template or query decides on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from formflow.errors import InvalidInput, NotFound, PermissionDenied
from formflow.i18n import _
from formflow.services import reader_access
from formflow.services.actor import Actor
from formflow.storage import definitions
from formflow.storage.models import Form, Record, RecordParticipant


class Action(StrEnum):
    CREATE = "create"
    READ_OWN = "read_own"
    READ_ALL = "read_all"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"


ALL_ACTIONS = frozenset(Action)
DEFAULT_GRANTS: dict[str, list[str]] = {"everyone": [Action.CREATE, Action.READ_OWN]}


def validate_grants(grants: dict[str, Iterable[str]]) -> dict[str, list[str]]:
    """Check a grants map from a definition; returns it normalised (sorted, de-duplicated)."""
    clean: dict[str, list[str]] = {}
    for principal, actions in grants.items():
        kind, _sep, value = principal.partition(":")
        if principal != "everyone" and (
            kind not in {"role", "user", "department"}
            or not value
            or (kind in {"user", "department"} and not value.isdigit())
        ):
            raise InvalidInput(
                _(
                    "Unknown grant principal {value!r}: use everyone, role:<key>, user:<id> "
                    "or department:<id>.",
                    value=principal,
                )
            )
        names = set(actions)
        unknown = names - {a.value for a in Action}
        if unknown:
            raise InvalidInput(
                _(
                    "Unknown actions {names} for {principal}.",
                    names=", ".join(sorted(unknown)),
                    principal=principal,
                )
            )
        clean[principal] = sorted(names)
    return clean


def _principal_matches(session: Session, actor: Actor, principal: str) -> bool:
    if principal == "everyone":
        return actor.id is not None
    kind, _sep, value = principal.partition(":")
    if kind == "role":
        return value in actor.roles
    if kind == "user":
        return actor.id is not None and value == str(actor.id)
    if kind == "department" and actor.department_id is not None and value.isdigit():
        from formflow.services.org import load_org_chart  # noqa: PLC0415 - avoids a cycle

        return load_org_chart(session).is_within(actor.department_id, int(value))
    return False


def form_actions(session: Session, actor: Actor, form: Form) -> frozenset[Action]:
    """Every action ``actor`` holds on ``form``'s records."""
    if actor.is_admin:
        return ALL_ACTIONS
    grants = definitions.form_grants(session, form.id)
    if not grants:
        return frozenset(Action(a) for a in DEFAULT_GRANTS["everyone"]) if actor.id else frozenset()
    held: set[Action] = set()
    for principal, actions in grants:
        if _principal_matches(session, actor, principal):
            held.update(Action(a) for a in actions if a in Action.__members__.values())
    return frozenset(held)


def require_form_action(session: Session, actor: Actor, form: Form, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may ``action`` on ``form``."""
    if action not in form_actions(session, actor, form):
        raise PermissionDenied(
            _(
                "You are not allowed to {action} records of the form {form}.",
                action=_ACTION_WORDS[action],
                form=form.key,
            )
        )


def require_admin(actor: Actor) -> None:
    """Changes to the organisation (people, departments, companies, positions, roles) and
    pack installs are for administrators only."""
    if not actor.is_admin:
        raise PermissionDenied(_("Only an administrator may change the organisation."))


def require_designer(actor: Actor) -> None:
    if not actor.is_designer:
        raise PermissionDenied(_("Only designers and administrators may change definitions."))


def is_participant(session: Session, actor: Actor, record: Record) -> bool:
    if actor.id is None:
        return False
    return (
        session.scalar(
            select(RecordParticipant.id).where(
                RecordParticipant.record_id == record.id, RecordParticipant.user_id == actor.id
            )
        )
        is not None
    )


def can_read_record(session: Session, actor: Actor, form: Form, record: Record) -> bool:
    if record.deleted_at is not None and not actor.is_admin:
        return False
    actions = form_actions(session, actor, form)
    if Action.READ_ALL in actions:
        return True
    if record.owner_id == actor.id and actor.id is not None and Action.READ_OWN in actions:
        return True
    return is_participant(session, actor, record) or reader_access.is_reader(
        session, actor, form, record
    )


def require_record_read(session: Session, actor: Actor, form: Form, record: Record) -> None:
    """Raise :class:`NotFound` (never 403) when ``actor`` may not see ``record``."""
    if not can_read_record(session, actor, form, record):
        raise NotFound(_("Record {id} not found.", id=record.id))


def require_record_write(
    session: Session, actor: Actor, form: Form, record: Record, action: Action = Action.UPDATE
) -> None:
    """Raise NotFound when the record is invisible, PermissionDenied when it is read-only."""
    require_record_read(session, actor, form, record)
    own_draft = record.owner_id == actor.id and record.status == "draft"
    if own_draft or action in form_actions(session, actor, form):
        return
    raise PermissionDenied(
        _(
            "You are not allowed to {action} records of the form {form}.",
            action=_ACTION_WORDS[action],
            form=form.key,
        )
    )


@dataclass(frozen=True)
class RecordVisibility:
    """Which records of a form an actor may read, as plain values.

    Equal visibilities select the same records, so a list may use one as a cache key for the
    SQL it built (:mod:`formflow.services.record_lists`).
    """

    #: Every record (admins, holders of ``read_all``): no condition at all.
    everything: bool
    actor_id: int | None = None
    #: The records the actor owns (``read_own``).
    own: bool = False
    #: The reader principals the actor matches, when the form names readers; else empty.
    principals: tuple[str, ...] = ()

    def clause(self) -> ColumnElement[bool] | None:
        """The SQL condition selecting these records (None: all of them)."""
        if self.everything:
            return None
        participant = exists().where(
            RecordParticipant.record_id == Record.id, RecordParticipant.user_id == self.actor_id
        )
        clauses: list[Any] = [participant]
        if self.own:
            clauses.append(Record.owner_id == self.actor_id)
        if self.principals:
            clauses.append(reader_access.readers_condition(self.principals))
        return or_(*clauses)


def record_visibility(session: Session, actor: Actor, form: Form) -> RecordVisibility:
    """Which records of ``form`` ``actor`` may read (see :class:`RecordVisibility`)."""
    actions = form_actions(session, actor, form)
    if Action.READ_ALL in actions:
        return RecordVisibility(everything=True)
    return RecordVisibility(
        everything=False,
        actor_id=actor.id,
        own=Action.READ_OWN in actions,
        principals=tuple(reader_access.reader_principals(session, actor, form)),
    )


def visible_records_clause(
    session: Session, actor: Actor, form: Form
) -> ColumnElement[bool] | None:
    """A SQL condition selecting the records of ``form`` that ``actor`` may read.

    None means "all of them" (admins and holders of ``read_all``).
    """
    return record_visibility(session, actor, form).clause()


_ACTION_WORDS = {
    Action.CREATE: _("create"),
    Action.READ_OWN: _("read"),
    Action.READ_ALL: _("read"),
    Action.UPDATE: _("change"),
    Action.DELETE: _("delete"),
    Action.EXPORT: _("export"),
}
