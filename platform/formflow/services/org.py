"""The organisation: users, departments, companies, positions, roles and calendars.

Changes are admin-only except a user's own profile. Every change bumps the org stamp so that
cached :class:`~formflow.orgchart.OrgChart` snapshots in any process are rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from formflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from formflow.i18n import SUPPORTED_LOCALES, _, normalize_locale
from formflow.orgchart import DepartmentInfo, OrgChart, RoleAssignment, UserInfo
from formflow.process_cache import ProcessCache
from formflow.services.actor import Actor, PlatformRole
from formflow.services.auth import end_all_sessions, hash_password, verify_password
from formflow.services.authz import require_admin
from formflow.services.companies import require_company, require_position
from formflow.storage import definitions, stamps
from formflow.storage.models import (
    Calendar,
    CalendarDay,
    Department,
    Role,
    RoleMember,
    User,
)
from formflow.workcalendar import WorkCalendar

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
ROLE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")

USER_FIELDS = (
    "display_name",
    "email",
    "mobile",
    "locale",
    "timezone",
    "platform_role",
    "department_id",
    "manager_id",
    "position_id",
    "active",
)
SELF_SERVICE_FIELDS = frozenset({"display_name", "email", "mobile", "locale", "timezone"})


# -- org stamp and snapshot -----------------------------------------------------------------

_CHART_CACHE: ProcessCache[str, OrgChart] = ProcessCache(4)


def bump_org_stamp(session: Session) -> None:
    """Record that the org changed (called by every org-changing function)."""
    stamps.bump(session, "org")


def load_org_chart(session: Session) -> OrgChart:
    """The current org as a pure snapshot, rebuilt only when the org stamp changed."""
    if stamps.has_pending_changes(session):
        session.flush()  # pending changes of the org or calendars bump their stamp
    stamp = stamps.current(session, "org")
    cached = _CHART_CACHE.get(stamp) if stamp else None
    if cached is not None:
        return cached
    users = [
        UserInfo(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            department_id=u.department_id,
            manager_id=u.manager_id,
            active=u.active,
            locale=u.locale,
            email=u.email,
        )
        for u in session.scalars(select(User))
    ]
    departments = [
        DepartmentInfo(
            id=d.id, name=d.name, parent_id=d.parent_id, head_id=d.head_id, company_id=d.company_id
        )
        for d in session.scalars(select(Department))
    ]
    assignments = [
        RoleAssignment(role=key, user_id=user_id, department_id=dept_id)
        for key, user_id, dept_id in session.execute(
            select(Role.key, RoleMember.user_id, RoleMember.department_id).join(
                Role, Role.id == RoleMember.role_id
            )
        )
    ]
    chart = OrgChart.build(users, departments, assignments)
    if stamp:
        _CHART_CACHE.put(stamp, chart)
    return chart


# -- users ---------------------------------------------------------------------------------


def _check_user_values(session: Session, values: Mapping[str, Any], user_id: int | None) -> None:
    if "display_name" in values and not str(values["display_name"] or "").strip():
        raise InvalidInput(_("The display name may not be empty."))
    email = values.get("email")
    if email:
        if not EMAIL.match(email):
            raise InvalidInput(_("{value!r} is not an e-mail address.", value=email))
        clash = session.scalar(select(User.id).where(User.email == email.lower()))
        if clash is not None and clash != user_id:
            raise Conflict(_("The e-mail address {value} is already used.", value=email))
    if "locale" in values and values["locale"] not in SUPPORTED_LOCALES:
        raise InvalidInput(
            _(
                "Unknown language {value!r}; use one of {choices}.",
                value=values["locale"],
                choices=", ".join(SUPPORTED_LOCALES),
            )
        )
    if "timezone" in values:
        try:
            ZoneInfo(str(values["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                _("Unknown time zone {value!r}.", value=values["timezone"])
            ) from None
    if "platform_role" in values and values["platform_role"] not in {r.value for r in PlatformRole}:
        raise InvalidInput(_("Unknown platform role {value!r}.", value=values["platform_role"]))
    if (
        values.get("department_id") is not None
        and session.get(Department, values["department_id"]) is None
    ):
        raise InvalidInput(_("Department {id} does not exist.", id=values["department_id"]))
    if values.get("position_id") is not None:
        require_position(session, values["position_id"])
    manager_id = values.get("manager_id")
    if manager_id is not None:
        if manager_id == user_id:
            raise InvalidInput(_("A user cannot be their own manager."))
        if session.get(User, manager_id) is None:
            raise InvalidInput(_("User {id} does not exist.", id=manager_id))


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str | None = None,
    password: str | None = None,
    **values: Any,
) -> User:
    """Create a user (admin only). ``values`` are any of :data:`USER_FIELDS`."""
    require_admin(actor)
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(
            _(
                "The username {value!r} is not allowed: use 2-64 lower-case letters, digits, "
                "dots, dashes or underscores.",
                value=username,
            )
        )
    unknown = set(values) - set(USER_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown user fields: {names}.", names=", ".join(sorted(unknown))))
    values = {"display_name": display_name or username, **values}
    if values.get("email"):
        values["email"] = str(values["email"]).strip().lower()
    if "locale" in values:
        values["locale"] = normalize_locale(values["locale"])
    _check_user_values(session, values, None)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(_("The username {value} is already taken.", value=username))
    user = User(username=username, password_hash=hash_password(password) if password else None)
    for name, value in values.items():
        setattr(user, name, value)
    session.add(user)
    session.flush()
    bump_org_stamp(session)
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("User {id} not found.", id=user_id))
    return user


def user_exists(session: Session, username: str) -> bool:
    """True when ``username`` is taken (idempotent set-up commands ask first)."""
    found = session.scalar(select(User.id).where(User.username == username.strip().lower()))
    return found is not None


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(_("User {name} not found.", name=username))
    return user


def update_user(session: Session, actor: Actor, user_id: int, changes: Mapping[str, Any]) -> User:
    """Change a user. Admins may change everything; users only their own profile fields."""
    user = get_user(session, user_id)
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown user fields: {names}.", names=", ".join(sorted(unknown))))
    if not actor.is_admin and (actor.id != user_id or set(changes) - SELF_SERVICE_FIELDS):
        raise PermissionDenied(_("You may only change your own profile."))
    values = dict(changes)
    if values.get("email"):
        values["email"] = str(values["email"]).strip().lower()
    _check_user_values(session, values, user_id)
    if actor.id == user_id and values.get("active") is False:
        raise InvalidInput(_("You cannot deactivate yourself."))
    for name, value in values.items():
        setattr(user, name, value)
    if values.get("active") is False:
        end_all_sessions(session, user)
    session.flush()
    bump_org_stamp(session)
    return user


def set_password(
    session: Session,
    actor: Actor,
    user_id: int,
    new_password: str,
    *,
    current_password: str | None = None,
) -> None:
    """Set a password. A user changing their own must give the current one; admins need not.

    Every other session and token of the user ends (a changed password locks out whoever
    knew the old one).
    """
    user = get_user(session, user_id)
    if not actor.is_admin or actor.id == user_id:
        if actor.id != user_id:
            raise PermissionDenied(_("You may only change your own password."))
        if user.password_hash and not verify_password(user.password_hash, current_password or ""):
            raise InvalidInput(_("The current password is wrong."))
    user.password_hash = hash_password(new_password)
    end_all_sessions(session, user)


def list_users(
    session: Session,
    actor: Actor,
    *,
    query: str = "",
    department_id: int | None = None,
    include_inactive: bool = False,
    limit: int = 50,
    after_id: int = 0,
) -> tuple[list[User], int]:
    """Users for pickers and admin pages: (page, total). Everyone may search the directory."""
    conditions: list[Any] = [User.id > after_id]
    if not include_inactive or not actor.is_admin:
        conditions.append(User.active.is_(True))
    if query:
        like = f"%{query.strip().lower()}%"
        conditions.append(
            or_(func.lower(User.username).like(like), func.lower(User.display_name).like(like))
        )
    if department_id is not None:
        conditions.append(User.department_id == department_id)
    total = session.scalar(select(func.count(User.id)).where(*conditions[1:])) or 0
    page = list(session.scalars(select(User).where(*conditions).order_by(User.id).limit(limit)))
    return page, total


# -- departments ---------------------------------------------------------------------------


def find_department(session: Session, code: str) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code))


def create_department(
    session: Session,
    actor: Actor,
    *,
    name: str,
    parent_id: int | None = None,
    head_id: int | None = None,
    code: str | None = None,
    company_id: int | None = None,
) -> Department:
    require_admin(actor)
    if not name.strip():
        raise InvalidInput(_("The department name may not be empty."))
    if parent_id is not None and session.get(Department, parent_id) is None:
        raise InvalidInput(_("Department {id} does not exist.", id=parent_id))
    if head_id is not None and session.get(User, head_id) is None:
        raise InvalidInput(_("User {id} does not exist.", id=head_id))
    if code and session.scalar(select(Department.id).where(Department.code == code)) is not None:
        raise Conflict(_("The department code {value} is already used.", value=code))
    if company_id is not None:
        require_company(session, company_id)
    department = Department(
        name=name.strip(), parent_id=parent_id, head_id=head_id, code=code, company_id=company_id
    )
    session.add(department)
    session.flush()
    bump_org_stamp(session)
    return department


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(_("Department {id} not found.", id=department_id))
    return department


def update_department(
    session: Session, actor: Actor, department_id: int, changes: Mapping[str, Any]
) -> Department:
    require_admin(actor)
    department = get_department(session, department_id)
    allowed = {"name", "parent_id", "head_id", "code", "company_id", "sort_order"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            _("Unknown department fields: {names}.", names=", ".join(sorted(unknown)))
        )
    parent_id = changes.get("parent_id", department.parent_id)
    if "parent_id" in changes and parent_id is not None:
        chart = load_org_chart(session)
        if parent_id == department_id or chart.is_within(parent_id, department_id):
            raise InvalidInput(_("A department cannot be moved below itself."))
        if session.get(Department, parent_id) is None:
            raise InvalidInput(_("Department {id} does not exist.", id=parent_id))
    if changes.get("head_id") is not None and session.get(User, changes["head_id"]) is None:
        raise InvalidInput(_("User {id} does not exist.", id=changes["head_id"]))
    if changes.get("company_id") is not None:
        require_company(session, changes["company_id"])
    code = changes.get("code")
    clash = (
        session.scalar(select(Department.id).where(Department.code == code))
        if code and code != department.code
        else None
    )
    if clash is not None:
        raise Conflict(_("The department code {value} is already used.", value=code))
    for name, value in changes.items():
        setattr(department, name, value)
    session.flush()
    bump_org_stamp(session)
    return department


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.sort_order, Department.id)))


# -- roles ---------------------------------------------------------------------------------


def ensure_role(
    session: Session, actor: Actor, key: str, name: Any, pack: str | None = None
) -> Role:
    """Create the role ``key`` if missing (admins, and pack installs as the system)."""
    require_admin(actor)
    if not ROLE_KEY.match(key):
        raise InvalidInput(
            _(
                "The role key {value!r} is not allowed: use lower-case letters, digits and _.",
                value=key,
            )
        )
    role = session.scalar(select(Role).where(Role.key == key))
    if role is None:
        role = Role(key=key, name=name or key, pack=pack)
        session.add(role)
        session.flush()
    return role


def get_role(session: Session, key: str) -> Role:
    role = session.scalar(select(Role).where(Role.key == key))
    if role is None:
        raise NotFound(_("Role {key} not found.", key=key))
    return role


def list_roles(session: Session) -> list[Role]:
    return list(session.scalars(select(Role).order_by(Role.key)))


def role_members(session: Session, role: Role) -> list[RoleMember]:
    return list(
        session.scalars(
            select(RoleMember).where(RoleMember.role_id == role.id).order_by(RoleMember.id)
        )
    )


def assign_role(
    session: Session,
    actor: Actor,
    key: str,
    user_id: int,
    department_id: int | None = None,
) -> RoleMember:
    """Give ``user_id`` the role ``key`` (for a department subtree when ``department_id``)."""
    require_admin(actor)
    role = get_role(session, key)
    get_user(session, user_id)
    if department_id is not None:
        get_department(session, department_id)
    existing = session.scalar(
        select(RoleMember).where(
            RoleMember.role_id == role.id,
            RoleMember.user_id == user_id,
            RoleMember.department_id.is_(None)
            if department_id is None
            else RoleMember.department_id == department_id,
        )
    )
    if existing is not None:
        return existing
    member = RoleMember(role_id=role.id, user_id=user_id, department_id=department_id)
    session.add(member)
    session.flush()
    bump_org_stamp(session)
    return member


def unassign_role(
    session: Session, actor: Actor, key: str, user_id: int, department_id: int | None = None
) -> None:
    require_admin(actor)
    role = get_role(session, key)
    condition = (
        RoleMember.department_id.is_(None)
        if department_id is None
        else RoleMember.department_id == department_id
    )
    session.execute(
        delete(RoleMember).where(
            RoleMember.role_id == role.id, RoleMember.user_id == user_id, condition
        )
    )
    bump_org_stamp(session)


# -- calendars -----------------------------------------------------------------------------


def load_calendar(session: Session, key: str = "default") -> WorkCalendar:
    """The working-day calendar ``key`` (a plain Monday-Friday week when none is stored).

    Read once per process and calendars stamp: every change of a calendar bumps it.
    """
    if stamps.has_pending_changes(session):
        session.flush()  # pending changes of the org or calendars bump their stamp
    stamp = definitions.cache_stamp(session, stamps.CALENDARS)
    cache_key = ("calendar", key, stamp)
    found = definitions.shared_get(cache_key) if stamp is not None else None
    if found is None:
        found = _read_calendar(session, key)
        if stamp is not None:
            definitions.shared_put(cache_key, found)
    calendar: WorkCalendar = found
    return calendar


def _read_calendar(session: Session, key: str) -> WorkCalendar:
    calendar = session.scalar(select(Calendar).where(Calendar.key == key))
    if calendar is None:
        return WorkCalendar(key=key)
    days = session.execute(
        select(CalendarDay.day, CalendarDay.working, CalendarDay.name).where(
            CalendarDay.calendar_id == calendar.id
        )
    ).all()
    return WorkCalendar.from_days(
        key,
        [(day, working) for day, working, _name in days],
        weekend=calendar.weekend,
        names={day: name for day, _working, name in days if name},
    )


def set_calendar_days(
    session: Session,
    actor: Actor,
    key: str,
    days: Iterable[tuple[date, bool, str | None]],
    *,
    name: Any = None,
    weekend: Iterable[int] = (6, 7),
) -> Calendar:
    """Store exceptions (holidays, make-up workdays) of a calendar, replacing same dates."""
    require_admin(actor)
    calendar = session.scalar(select(Calendar).where(Calendar.key == key))
    if calendar is None:
        calendar = Calendar(key=key, name=name or key, weekend=sorted(set(weekend)))
        session.add(calendar)
        session.flush()
    existing = {
        row.day: row
        for row in session.scalars(
            select(CalendarDay).where(CalendarDay.calendar_id == calendar.id)
        )
    }
    for day, working, label in days:
        row = existing.get(day)
        if row is None:
            session.add(CalendarDay(calendar_id=calendar.id, day=day, working=working, name=label))
        else:
            row.working = working
            row.name = label
    session.flush()
    return calendar
