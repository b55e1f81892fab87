"""What one running app holds: its settings and its database. Nothing request-specific."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from formflow.config import Settings
from formflow.services.auth import AuthPolicy
from formflow.storage.db import Database


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database

    @property
    def auth_policy(self) -> AuthPolicy:
        s = self.settings
        return AuthPolicy(
            max_failures=s.login_max_failures,
            lockout_minutes=s.login_lockout_minutes,
            idle_minutes=s.session_idle_minutes,
            absolute_hours=s.session_absolute_hours,
            token_days=s.token_days,
        )


def current_runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["formflow"]
    return runtime
