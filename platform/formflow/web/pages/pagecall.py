"""The unit of work of a page: who is asking, in which language, with one database session.

Every view is declared with :func:`page`. It authenticates the browser (session cookie),
sends anonymous visitors of protected pages to the login page, refuses state-changing
requests without the session's CSRF token, picks the page language, and runs the view inside
one database session that commits once when the view returns (and rolls back when it
raises). Views parse the request, call services, and render — nothing else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import g, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from formflow.services.actor import Actor
from formflow.web.pages.pagelocale import page_locale
from formflow.web.runtime import Runtime, current_runtime
from formflow.web.security import check_csrf, resolve_actor


@dataclass
class PageCall:
    """What a view may use. ``actor`` is None only on anonymous pages (login)."""

    runtime: Runtime
    session: Session
    actor: Actor | None
    locale: str

    @property
    def user(self) -> Actor:
        """The signed-in actor (views of protected pages only)."""
        assert self.actor is not None
        return self.actor


View = Callable[..., Any]


def page(*, anonymous: bool = False, write: bool = False) -> Callable[[View], View]:
    """Declare a page view; see the module docstring. ``write`` opens a write transaction."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(**path_args: Any) -> Any:
            runtime = current_runtime()
            actor = resolve_actor(runtime)
            if actor is None and not anonymous:
                return redirect(login_url(request.full_path))
            check_csrf()
            locale = page_locale(runtime, actor)
            g.page_locale = locale
            with runtime.database.session(write=write) as session:
                call = PageCall(runtime=runtime, session=session, actor=actor, locale=locale)
                return view(call, **path_args)

        return wrapper

    return decorator


def login_url(next_path: str | None = None) -> str:
    """The login page, coming back to ``next_path`` (a local path) afterwards."""
    target = safe_next(next_path)
    return url_for("pages.login", next=target) if target != "/" else url_for("pages.login")


def safe_next(value: str | None) -> str:
    """``value`` when it is a path on this site, else ``/`` (no open redirects)."""
    if not value:
        return "/"
    value = value.rstrip("?")
    parts = urlsplit(value)
    if (
        parts.scheme
        or parts.netloc
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(ch) < 32 for ch in value)
    ):
        return "/"
    return value


def see_other(location: str) -> Response:
    """A 303 redirect: after a POST, the browser GETs the next page."""
    return redirect(location, code=303)
