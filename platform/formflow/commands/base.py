"""What every command shares: lazily built settings and database, and error reporting."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from formflow.config import Settings, load_settings
from formflow.errors import FormflowError
from formflow.i18n import normalize_locale
from formflow.storage.db import Database

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Settings and database for one invocation, built on first use."""

    def __init__(self, database_url: str | None = None, instance: str | None = None) -> None:
        self._overrides: dict[str, Any] = {}
        if database_url:
            self._overrides["database_url"] = database_url
        if instance:
            self._overrides["instance_dir"] = instance
        self._settings: Settings | None = None
        self._database: Database | None = None

    def override(self, **values: Any) -> None:
        """Change settings before first use (``serve --demo`` switches the database)."""
        self._overrides.update(values)
        self._settings = None
        if self._database is not None:
            self._database.dispose()
        self._database = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self._overrides)
        return self._settings

    @property
    def database(self) -> Database:
        if self._database is None:
            self._database = Database(self.settings.effective_database_url)
        return self._database

    @property
    def locale(self) -> str:
        """The terminal's language: ``FORMFLOW_LANG``, else ``LANG``; English unless Chinese."""
        wanted = os.environ.get("FORMFLOW_LANG") or os.environ.get("LANG") or "en"
        return normalize_locale(wanted) if wanted.lower().startswith("zh") else "en"

    def close(self) -> None:
        """Close the database's connections (called when the command ends)."""
        if self._database is not None:
            self._database.dispose()
            self._database = None

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        with self.database.session(write=write) as session:
            yield session


def reports_errors(command: F) -> F:
    """Print a FormflowError (translated, with every issue) and exit 1 — never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except FormflowError as error:
            ctx = click.get_current_context().find_object(Context)
            locale = ctx.locale if ctx else "en"
            click.echo(f"error: {error.render(locale)}", err=True)
            for issue in error.issues:
                click.echo(f"  {issue.path}: {issue.message.render(locale)}", err=True)
            for diagnostic in error.diagnostics:
                where = f"{diagnostic.source or ''}:{diagnostic.line}:{diagnostic.column}"
                click.echo(f"  {where}: {diagnostic.message.render(locale)}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


pass_context = click.make_pass_decorator(Context, ensure=True)


def read_secret_from_stdin(what: str) -> str:
    """One line from stdin (for ``--password-stdin``); refuses an empty value."""
    value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise click.UsageError(f"no {what} on standard input")
    return value
