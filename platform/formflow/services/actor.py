"""Who is acting: the user behind a request, a CLI command or a worker job."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PlatformRole(StrEnum):
    ADMIN = "admin"
    DESIGNER = "designer"
    USER = "user"


@dataclass(frozen=True)
class Actor:
    """The acting user, as services see it. ``id`` is None only for the system itself."""

    id: int | None
    username: str
    display_name: str = ""
    platform_role: PlatformRole = PlatformRole.USER
    locale: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    department_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.platform_role is PlatformRole.ADMIN

    @property
    def is_designer(self) -> bool:
        return self.platform_role in (PlatformRole.ADMIN, PlatformRole.DESIGNER)

    @property
    def is_system(self) -> bool:
        return self.id is None


#: The platform acting on its own behalf (migrations, pack installs, timers).
SYSTEM = Actor(
    id=None, username="system", display_name="Formflow", platform_role=PlatformRole.ADMIN
)
