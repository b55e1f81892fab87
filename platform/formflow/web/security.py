"""Who is calling, in which language, and the request-level protections (CSRF, headers).

Two ways in: ``Authorization: Bearer <token>`` for scripts, and the signed session cookie for
browsers. Cookie-authenticated requests that change state must carry the session's CSRF token
(header ``X-CSRF-Token`` or form field ``csrf_token``); token-authenticated ones need not,
because a browser never attaches a bearer token on its own.
"""

from __future__ import annotations

import hmac
import secrets
from enum import StrEnum

from flask import Response, g, request, session
from werkzeug.datastructures import MultiDict

from formflow.errors import AuthenticationRequired, InvalidInput, PermissionDenied
from formflow.i18n import _, negotiate, normalize_locale
from formflow.services import auth
from formflow.services.actor import Actor
from formflow.web.runtime import Runtime

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class AuthMethod(StrEnum):
    NONE = "none"
    TOKEN = "token"  # noqa: S105 - an enum value, not a secret
    COOKIE = "cookie"


def request_locale(runtime: Runtime, actor: Actor | None = None) -> str:
    """The reader's language: ``?lang=``, then Accept-Language (API), then the user's setting."""
    explicit = request.args.get("lang")
    if explicit:
        return normalize_locale(explicit)
    if request.path.startswith("/api") and request.headers.get("Accept-Language"):
        return negotiate(request.headers.get("Accept-Language"), runtime.settings.default_locale)
    if actor is not None:
        return normalize_locale(actor.locale)
    return negotiate(request.headers.get("Accept-Language"), runtime.settings.default_locale)


def resolve_actor(runtime: Runtime) -> Actor | None:
    """Authenticate the request (once; cached on ``g``). Raises for a bad bearer token."""
    if "actor" in g:
        cached: Actor | None = g.actor
        return cached
    actor: Actor | None = None
    method = AuthMethod.NONE
    header = request.headers.get("Authorization", "")
    database = runtime.database
    if header:
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationRequired(_("Use the header Authorization: Bearer <token>."))
        token = token.strip()
        with database.session() as db:
            resolved = auth.resolve_token(db, token)
            if resolved.user is None:
                raise AuthenticationRequired(_("The token is invalid, expired or revoked."))
            actor = auth.actor_for(db, resolved.user)
        if resolved.touch_due:
            with database.session(write=True) as db:
                auth.touch_token(db, token)
        method = AuthMethod.TOKEN
    elif session.get("sid"):
        sid = str(session["sid"])
        with database.session() as db:
            resolved = auth.resolve_session(db, runtime.auth_policy, sid)
            if resolved.user is not None:
                actor = auth.actor_for(db, resolved.user)
        if resolved.user is None:
            session.clear()
        else:
            if resolved.touch_due:
                with database.session(write=True) as db:
                    auth.touch_session(db, sid)
            method = AuthMethod.COOKIE
    g.actor = actor
    g.auth_method = method
    return actor


def csrf_token() -> str:
    """The CSRF token of the browser session (created on first use)."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def check_csrf() -> None:
    """Refuse a state-changing, cookie-authenticated request without the session's token."""
    if request.method in SAFE_METHODS or g.get("auth_method") is AuthMethod.TOKEN:
        return
    expected = session.get("csrf")
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        raise PermissionDenied(
            _("The page has expired or the request did not come from Formflow; reload and retry.")
        )


def login_browser(runtime: Runtime, user_sid: str) -> None:
    """Start a fresh cookie session (new id, new CSRF token) after a successful login."""
    session.clear()
    session["sid"] = user_sid
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def refuse_nul_characters() -> None:
    """Refuse (400) a request whose path, query or form fields hold a NUL character.

    Nobody types one, and PostgreSQL can neither store nor compare it in text, so a NUL that
    reached a query would fail there as a server error. JSON bodies are checked where they
    are read (:mod:`formflow.web.jsonio`); uploaded files are data, not checked.
    """
    fields = request.form if request.mimetype in _FORM_TYPES else MultiDict()
    texts: list[str | None] = [request.path]
    for values in (request.args, fields):
        for key, value in values.items(multi=True):
            texts += (key, value)
    # A malformed multipart body can yield a field without a name (None): nothing to check.
    if any(isinstance(text, str) and "\0" in text for text in texts):
        raise InvalidInput(_("Texts may not contain the NUL character (\\u0000)."))


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/api"):
        headers.setdefault("Cache-Control", "no-store")
    return response
