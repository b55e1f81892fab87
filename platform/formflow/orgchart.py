"""The organisation as plain data, and the rules that resolve people from it.

Approver rules ("manager of the initiator, 2 levels up", "members of role `hr` within 销售部",
"head of the initiator's department") are answered here, over an :class:`OrgChart` snapshot, so
that the flow checker, the simulator, the engine and the services all resolve people the same
way — and so that these rules are tested without a database.

The storage layer builds an :class:`OrgChart` from its tables (``services.org.load_org_chart``).

Manager rule: a user's manager is their explicit ``manager_id`` if set; otherwise the head of
their department; if they *are* that head (or it has none), the head of the nearest ancestor
department whose head is someone else. Inactive users are never returned as approvers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    department_id: int | None = None
    manager_id: int | None = None
    active: bool = True
    locale: str = "zh-CN"
    email: str | None = None


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    name: str
    parent_id: int | None = None
    head_id: int | None = None
    company_id: int | None = None


@dataclass(frozen=True)
class RoleAssignment:
    """``user_id`` holds ``role``; with ``department_id`` only for that department's subtree."""

    role: str
    user_id: int
    department_id: int | None = None


@dataclass(frozen=True)
class OrgChart:
    """An immutable snapshot of users, departments and role assignments."""

    users: Mapping[int, UserInfo] = field(default_factory=dict)
    departments: Mapping[int, DepartmentInfo] = field(default_factory=dict)
    assignments: tuple[RoleAssignment, ...] = ()

    @classmethod
    def build(
        cls,
        users: Iterable[UserInfo],
        departments: Iterable[DepartmentInfo] = (),
        assignments: Iterable[RoleAssignment] = (),
    ) -> OrgChart:
        return cls(
            users={user.id: user for user in users},
            departments={dept.id: dept for dept in departments},
            assignments=tuple(assignments),
        )

    # -- lookups ---------------------------------------------------------------------------

    def user(self, user_id: int | None) -> UserInfo | None:
        return None if user_id is None else self.users.get(user_id)

    def user_by_name(self, username: str) -> UserInfo | None:
        for user in self.users.values():
            if user.username == username:
                return user
        return None

    def department_by_name(self, name: str) -> DepartmentInfo | None:
        for dept in self.departments.values():
            if dept.name == name:
                return dept
        return None

    def is_active(self, user_id: int | None) -> bool:
        user = self.user(user_id)
        return user is not None and user.active

    def ancestors(self, department_id: int | None) -> Iterator[DepartmentInfo]:
        """The department itself, then its parent, up to the root (cycle-safe)."""
        seen: set[int] = set()
        current = self.departments.get(department_id) if department_id is not None else None
        while current is not None and current.id not in seen:
            seen.add(current.id)
            yield current
            current = (
                self.departments.get(current.parent_id) if current.parent_id is not None else None
            )

    def is_within(self, department_id: int | None, ancestor_id: int) -> bool:
        """True when ``department_id`` is ``ancestor_id`` or lies below it."""
        return any(dept.id == ancestor_id for dept in self.ancestors(department_id))

    # -- resolution rules ------------------------------------------------------------------

    def department_head(self, department_id: int | None) -> int | None:
        """Head of the department, or of the nearest ancestor that has one."""
        for dept in self.ancestors(department_id):
            if dept.head_id is not None:
                return dept.head_id
        return None

    def head_of_users_department(self, user_id: int) -> int | None:
        user = self.user(user_id)
        return None if user is None else self.department_head(user.department_id)

    def manager_of(self, user_id: int) -> int | None:
        """The user's direct manager by the rule in the module docstring."""
        user = self.user(user_id)
        if user is None:
            return None
        if user.manager_id is not None and user.manager_id != user_id:
            return user.manager_id
        for dept in self.ancestors(user.department_id):
            if dept.head_id is not None and dept.head_id != user_id:
                return dept.head_id
        return None

    def manager_chain(self, user_id: int, levels: int) -> list[int]:
        """Managers of ``user_id``, nearest first, at most ``levels`` long (cycle-safe)."""
        chain: list[int] = []
        seen = {user_id}
        current = user_id
        while len(chain) < levels:
            manager = self.manager_of(current)
            if manager is None or manager in seen:
                break
            chain.append(manager)
            seen.add(manager)
            current = manager
        return chain

    def manager_at_level(self, user_id: int, level: int) -> int | None:
        """The manager ``level`` steps up (1 = direct manager), or None if the chain is short."""
        chain = self.manager_chain(user_id, level)
        return chain[level - 1] if len(chain) >= level else None

    def manager_chain_until_role(self, user_id: int, role: str, max_levels: int = 20) -> list[int]:
        """Managers from the nearest up to and including the first one holding ``role``.

        Stops at the top of the chain when no manager holds the role (连续多级主管 "up to").
        """
        holders = set(self.members_of_role(role))
        chain: list[int] = []
        for manager in self.manager_chain(user_id, max_levels):
            chain.append(manager)
            if manager in holders:
                break
        return chain

    def members_of_role(self, role: str, department_id: int | None = None) -> list[int]:
        """Active holders of ``role``, sorted by id; with ``department_id``, only those for it.

        A holder counts for department D when the assignment is scoped to D or to an ancestor
        of D, or when it is unscoped and the holder's own department lies within D.
        """
        found: set[int] = set()
        for assignment in self.assignments:
            if assignment.role != role or not self.is_active(assignment.user_id):
                continue
            if department_id is None:
                found.add(assignment.user_id)
            elif assignment.department_id is not None:
                if self.is_within(department_id, assignment.department_id):
                    found.add(assignment.user_id)
            else:
                holder = self.users[assignment.user_id]
                if holder.department_id is not None and self.is_within(
                    holder.department_id, department_id
                ):
                    found.add(assignment.user_id)
        return sorted(found)

    def roles_of(self, user_id: int) -> set[str]:
        return {a.role for a in self.assignments if a.user_id == user_id}

    def members_of_department(self, department_id: int, recursive: bool = True) -> list[int]:
        """Active users in the department (and its subtree when ``recursive``)."""
        return sorted(
            user.id
            for user in self.users.values()
            if user.active
            and user.department_id is not None
            and (
                self.is_within(user.department_id, department_id)
                if recursive
                else user.department_id == department_id
            )
        )

    def display_name(self, user_id: int | None) -> str:
        user = self.user(user_id)
        return user.display_name if user is not None else "?"
