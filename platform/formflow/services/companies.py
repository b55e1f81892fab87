"""Companies (the legal entities a group runs) and positions (the posts people hold).

Both are short lists an administrator keeps, each entry with a code that packs, imports and
other systems refer to and a label in one or both languages. A company carries departments
and positions; a position may belong to a company and has an optional grade (职级). An entry
that something still refers to cannot be deleted: the answer says what does.

Neither feeds the cached org chart (approvers are found through departments, managers and
roles), so changes here bump no stamp.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from formflow.errors import Conflict, InvalidInput, NotFound
from formflow.i18n import _, clean_label
from formflow.services.actor import Actor
from formflow.services.authz import require_admin
from formflow.storage.models import Company, Department, Position, User

#: Codes are identifiers other systems keep: letters, digits, dot, dash, underscore.
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
COMPANY_FIELDS = frozenset({"code", "name"})
POSITION_FIELDS = frozenset({"code", "name", "company_id", "grade"})

_Entry = TypeVar("_Entry", Company, Position)


def _check_code(session: Session, model: type[_Entry], code: Any, own_id: int | None) -> str:
    """A valid code not used by another entry of ``model``; raises otherwise."""
    if not isinstance(code, str) or not CODE.match(code):
        raise InvalidInput(
            _(
                "The code {value!r} is not allowed: use 1-64 letters, digits, dots, dashes "
                "or underscores, starting with a letter or digit.",
                value=code,
            )
        )
    clash = session.scalar(select(model.id).where(model.code == code))
    if clash is not None and clash != own_id:
        raise Conflict(_("The code {value} is already used.", value=code))
    return code


def _check_name(name: Any) -> str | dict[str, str]:
    """A label: a non-empty string, or a map of languages to strings with one non-empty."""
    label = clean_label(name)
    if label is None:
        raise InvalidInput(_("The name may not be empty."))
    return label


def _change_code_and_name(session: Session, entry: _Entry, changes: Mapping[str, Any]) -> None:
    if "code" in changes:
        entry.code = _check_code(session, type(entry), changes["code"], entry.id)
    if "name" in changes:
        entry.name = _check_name(changes["name"])


def _check_fields(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(_("Unknown fields: {names}.", names=", ".join(unknown)))


def _count(session: Session, column: Any, value: int) -> int:
    return session.scalar(select(func.count()).where(column == value)) or 0


# -- companies -----------------------------------------------------------------------------


def list_companies(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).order_by(Company.code)))


def get_company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound(_("Company {id} not found.", id=company_id))
    return company


def require_company(session: Session, company_id: int) -> None:
    """A company id given as a value (a department's company): unknown is bad input."""
    if session.get(Company, company_id) is None:
        raise InvalidInput(_("Company {id} does not exist.", id=company_id))


def find_company(session: Session, code: str) -> Company | None:
    return session.scalar(select(Company).where(Company.code == code))


def create_company(session: Session, actor: Actor, *, code: str, name: Any) -> Company:
    require_admin(actor)
    company = Company(code=_check_code(session, Company, code, None), name=_check_name(name))
    session.add(company)
    session.flush()
    return company


def update_company(
    session: Session, actor: Actor, company_id: int, changes: Mapping[str, Any]
) -> Company:
    require_admin(actor)
    _check_fields(changes, COMPANY_FIELDS)
    company = get_company(session, company_id)
    _change_code_and_name(session, company, changes)
    session.flush()
    return company


def delete_company(session: Session, actor: Actor, company_id: int) -> None:
    require_admin(actor)
    company = get_company(session, company_id)
    departments = _count(session, Department.company_id, company.id)
    if departments:
        raise Conflict(
            _(
                "Company {code} still has {count} departments; move them to another company first.",
                code=company.code,
                count=departments,
            )
        )
    positions = _count(session, Position.company_id, company.id)
    if positions:
        raise Conflict(
            _(
                "Company {code} still has {count} positions; move or delete them first.",
                code=company.code,
                count=positions,
            )
        )
    session.delete(company)
    session.flush()


# -- positions -----------------------------------------------------------------------------


def list_positions(session: Session, *, company_id: int | None = None) -> list[Position]:
    query = select(Position).order_by(Position.code)
    if company_id is not None:
        query = query.where(Position.company_id == company_id)
    return list(session.scalars(query))


def get_position(session: Session, position_id: int) -> Position:
    position = session.get(Position, position_id)
    if position is None:
        raise NotFound(_("Position {id} not found.", id=position_id))
    return position


def require_position(session: Session, position_id: int) -> None:
    """A position id given as a value (a user's position): unknown is bad input."""
    if session.get(Position, position_id) is None:
        raise InvalidInput(_("Position {id} does not exist.", id=position_id))


def _check_grade(grade: Any) -> str | None:
    if grade is None:
        return None
    if not isinstance(grade, str) or len(grade.strip()) > 32:
        raise InvalidInput(_("The grade must be a text of at most 32 characters."))
    return grade.strip() or None


def create_position(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: Any,
    company_id: int | None = None,
    grade: str | None = None,
) -> Position:
    require_admin(actor)
    if company_id is not None:
        require_company(session, company_id)
    position = Position(
        code=_check_code(session, Position, code, None),
        name=_check_name(name),
        company_id=company_id,
        grade=_check_grade(grade),
    )
    session.add(position)
    session.flush()
    return position


def update_position(
    session: Session, actor: Actor, position_id: int, changes: Mapping[str, Any]
) -> Position:
    require_admin(actor)
    _check_fields(changes, POSITION_FIELDS)
    position = get_position(session, position_id)
    _change_code_and_name(session, position, changes)
    if "company_id" in changes:
        if changes["company_id"] is not None:
            require_company(session, changes["company_id"])
        position.company_id = changes["company_id"]
    if "grade" in changes:
        position.grade = _check_grade(changes["grade"])
    session.flush()
    return position


def delete_position(session: Session, actor: Actor, position_id: int) -> None:
    require_admin(actor)
    position = get_position(session, position_id)
    holders = _count(session, User.position_id, position.id)
    if holders:
        raise Conflict(
            _(
                "{count} people hold the position {code}; give them another position first.",
                code=position.code,
                count=holders,
            )
        )
    session.delete(position)
    session.flush()
