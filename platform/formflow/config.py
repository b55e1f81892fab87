"""Settings: defaults, then ``<instance>/formflow.toml``, then ``FORMFLOW_*`` environment variables.

Every setting has a safe default so that ``formflow serve --demo`` works with no configuration.
The secret key is never hard-coded: when ``FORMFLOW_SECRET_KEY`` is not set, one is generated on
first run and kept in ``<instance>/secret_key`` (mode 0600), so sessions survive restarts and
every process of one installation signs with the same key.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from formflow.errors import ConfigurationError
from formflow.i18n import _

ENV_PREFIX = "FORMFLOW_"


@dataclass(frozen=True)
class Settings:
    """The configuration of one Formflow installation (see docs/operations.md)."""

    instance_dir: Path = field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = ""  # empty: SQLite file <instance>/formflow.db
    secret_key: str = ""  # empty: generated once into <instance>/secret_key
    default_locale: str = "zh-CN"
    default_timezone: str = "Asia/Shanghai"
    max_request_bytes: int = 2 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    session_idle_minutes: int = 120
    session_absolute_hours: int = 24
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    token_days: int = 90
    secure_cookies: bool = False  # set true behind HTTPS
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_sender: str = "formflow@localhost"
    smtp_starttls: bool = True
    webhook_allowed_hosts: tuple[str, ...] = ()
    worker_in_process: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def uploads_dir(self) -> Path:
        return self.instance_dir / "uploads"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_dir / 'formflow.db'}"


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    create_instance: bool = True,
) -> Settings:
    """Build the settings from defaults, the instance file, the environment and ``overrides``.

    Raises :class:`ConfigurationError` for a value of the wrong type, naming the variable.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    instance = (overrides or {}).get("instance_dir") or env.get(f"{ENV_PREFIX}INSTANCE_DIR")
    instance_dir = Path(instance).expanduser().resolve() if instance else Path.cwd() / "instance"
    values["instance_dir"] = instance_dir

    config_file = instance_dir / "formflow.toml"
    if config_file.is_file():
        try:
            values.update(
                _coerce_all(tomllib.loads(config_file.read_text("utf-8")), str(config_file))
            )
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(
                _(
                    "The settings file {file} is not valid TOML: {error}",
                    file=str(config_file),
                    error=str(exc),
                )
            ) from exc
    known = {f.name for f in fields(Settings)}
    for name in known - {"instance_dir", "extra"}:
        raw = env.get(f"{ENV_PREFIX}{name.upper()}")
        if raw is not None:
            values[name] = _coerce(name, raw, f"{ENV_PREFIX}{name.upper()}")
    for name, value in (overrides or {}).items():
        if name == "instance_dir":
            continue
        values[name] = value if name not in known else _coerce(name, value, name)
    unknown = {k: v for k, v in values.items() if k not in known}
    settings = Settings(**{k: v for k, v in values.items() if k in known}, extra=unknown)
    if create_instance:
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
    if not settings.secret_key:
        settings = replace(settings, secret_key=_instance_secret(settings.instance_dir))
    return settings


def _instance_secret(instance_dir: Path) -> str:
    """Read the installation's secret key, creating it (0600) on first use."""
    path = instance_dir / "secret_key"
    if path.is_file():
        return path.read_text("utf-8").strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def _coerce_all(raw: Mapping[str, Any], source: str) -> dict[str, Any]:
    return {name: _coerce(name, value, f"{source}: {name}") for name, value in raw.items()}


def _coerce(name: str, value: Any, where: str) -> Any:
    """Convert a raw setting to the type of the field ``name``."""
    by_name = {f.name: f for f in fields(Settings)}
    if name not in by_name:
        return value
    default = by_name[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(value)
        if isinstance(default, int):
            return int(value)
        if name == "webhook_allowed_hosts":
            if isinstance(value, str):
                return tuple(h.strip().lower() for h in value.split(",") if h.strip())
            return tuple(str(h).lower() for h in value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            _("The setting {where} has an invalid value {value!r}.", where=where, value=value)
        ) from exc
