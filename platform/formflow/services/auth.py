"""Authentication: passwords, login throttling, browser sessions and API tokens.

Secrets are stored only as hashes: passwords with werkzeug's scrypt, session ids and API tokens
(random 256-bit values) with SHA-256, which is enough for high-entropy secrets and lets a token be
found by its hash in one indexed lookup. Every check reads the database, so any number of app
processes agree on who is logged in, and logout or deactivation takes effect everywhere at once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from formflow.errors import (
    AuthenticationRequired,
    FormflowError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from formflow.i18n import _
from formflow.services.actor import Actor, PlatformRole
from formflow.storage.models import ApiToken, LoginThrottle, Role, RoleMember, User, UserSession
from formflow.storage.types import utcnow

TOKEN_PREFIX = "ff_"  # noqa: S105 - a public marker that tells tokens apart, not a secret
MIN_PASSWORD_LENGTH = 8
_LAST_SEEN_RESOLUTION = timedelta(minutes=1)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so that a wrong username takes as
    long as a wrong password and timing does not reveal which usernames exist."""
    return generate_password_hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class AuthPolicy:
    max_failures: int = 5
    lockout_minutes: int = 15
    idle_minutes: int = 120
    absolute_hours: int = 24
    token_days: int = 90


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """Hash a new password after checking the minimum policy."""
    check_password_policy(password)
    return generate_password_hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash`` (constant time)."""
    return check_password_hash(stored_hash, password)


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _(
                "The password must have at least {count} characters.",
                count=MIN_PASSWORD_LENGTH,
            )
        )
    if len(password) > 256:
        raise InvalidInput(_("The password must have at most 256 characters."))


def actor_for(session: Session, user: User) -> Actor:
    """Build the :class:`Actor` services act as, with the user's role keys."""
    roles = session.scalars(
        select(Role.key)
        .join(RoleMember, RoleMember.role_id == Role.id)
        .where(RoleMember.user_id == user.id)
    ).all()
    return Actor(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        platform_role=PlatformRole(user.platform_role),
        locale=user.locale,
        timezone=user.timezone,
        department_id=user.department_id,
        roles=frozenset(roles),
    )


# -- login --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """The result of :func:`check_login`.

    A failed login is *returned*, not raised, because its failure count must be committed
    while the login itself is refused: the caller commits, then calls :meth:`user_or_raise`.
    """

    user: User | None
    failure: FormflowError | None = None

    def user_or_raise(self) -> User:
        if self.failure is not None:
            raise self.failure
        assert self.user is not None
        return self.user


def check_login(
    session: Session,
    policy: AuthPolicy,
    login: str,
    password: str,
    *,
    client: str = "",
) -> LoginOutcome:
    """Check a username (or e-mail) and password, counting failures per user and per client.

    Fails with :class:`TooManyRequests` while either key is locked out and with
    :class:`AuthenticationRequired` for a wrong login — the same message whether the user is
    unknown, inactive or the password wrong.
    """
    now = utcnow()
    login = login.strip()
    keys = [f"user:{login.lower()}"] + ([f"client:{client}"] if client else [])
    for key in keys:
        throttle = session.get(LoginThrottle, key)
        if throttle and throttle.locked_until and throttle.locked_until > now:
            seconds = int((throttle.locked_until - now).total_seconds()) + 1
            return LoginOutcome(
                None,
                TooManyRequests(
                    _(
                        "Too many failed logins. Try again in {minutes} minute(s).",
                        minutes=max(1, (seconds + 59) // 60),
                    ),
                    retry_after=seconds,
                ),
            )
    user = session.scalar(
        select(User).where((User.username == login) | (User.email == login.lower()))
    )
    valid = check_password_hash(
        user.password_hash if user is not None and user.password_hash else _dummy_hash(), password
    )
    if user is None or not user.active or not user.password_hash or not valid:
        for key in keys:
            _record_failure(session, policy, key, now)
        return LoginOutcome(None, AuthenticationRequired(_("Wrong username or password.")))
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys[0]))
    return LoginOutcome(user)


def _record_failure(session: Session, policy: AuthPolicy, key: str, now: datetime) -> None:
    throttle = session.get(LoginThrottle, key)
    window = timedelta(minutes=policy.lockout_minutes)
    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0, first_failure_at=now)
        session.add(throttle)
    elif now - throttle.first_failure_at > window and not (
        throttle.locked_until and throttle.locked_until > now
    ):
        throttle.failures = 0
        throttle.first_failure_at = now
        throttle.locked_until = None
    throttle.failures += 1
    if throttle.failures >= policy.max_failures:
        throttle.locked_until = now + window
    session.flush()


# -- browser sessions -------------------------------------------------------------------------


def start_session(session: Session, user: User, user_agent: str = "") -> str:
    """Open a browser session; returns the new random session id for the signed cookie."""
    sid = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            sid_hash=_sha256(sid),
            user_id=user.id,
            session_epoch=user.session_epoch,
            user_agent=user_agent[:300],
        )
    )
    session.flush()
    return sid


@dataclass(frozen=True)
class Resolved:
    """The user behind a session id or token; ``touch_due`` asks the caller to record use.

    Recording "last seen" is a write; callers do it in a separate short write transaction
    (:func:`touch_session`, :func:`touch_token`) so that read-only requests stay read-only.
    """

    user: User | None
    touch_due: bool = False


def resolve_session(session: Session, policy: AuthPolicy, sid: str) -> Resolved:
    """The user of a live session; None when it ended, expired or the user was disabled."""
    row = session.scalar(select(UserSession).where(UserSession.sid_hash == _sha256(sid)))
    if row is None or row.ended_at is not None:
        return Resolved(None)
    now = utcnow()
    user = session.get(User, row.user_id)
    expired = now - row.last_seen_at > timedelta(
        minutes=policy.idle_minutes
    ) or now - row.created_at > timedelta(hours=policy.absolute_hours)
    if user is None or not user.active or user.session_epoch != row.session_epoch or expired:
        return Resolved(None)
    return Resolved(user, now - row.last_seen_at > _LAST_SEEN_RESOLUTION)


def touch_session(session: Session, sid: str) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.sid_hash == _sha256(sid))
        .values(last_seen_at=utcnow())
    )


def end_session(session: Session, sid: str) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.sid_hash == _sha256(sid), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all_sessions(session: Session, user: User) -> None:
    """End every session and invalidate every token of ``user`` (bumps the session epoch)."""
    user.session_epoch += 1
    now = utcnow()
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.flush()


# -- API tokens -------------------------------------------------------------------------------


def create_token(
    session: Session,
    actor: Actor,
    user: User,
    *,
    name: str = "",
    days: int | None = 90,
) -> str:
    """Issue a token for ``user``; returns it in clear text (the only time it is visible).

    Users may create tokens for themselves; admins for anyone.
    """
    if not actor.is_admin and actor.id != user.id:
        raise PermissionDenied(_("You may only create tokens for yourself."))
    if not user.active:
        raise InvalidInput(_("The user {name} is deactivated.", name=user.username))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_sha256(token),
            name=name[:128],
            session_epoch=user.session_epoch,
            expires_at=utcnow() + timedelta(days=days) if days else None,
        )
    )
    session.flush()
    return token


def resolve_token(session: Session, token: str) -> Resolved:
    """The user a bearer token belongs to; None if it is unknown, revoked or expired."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return Resolved(None)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(token)))
    if row is None or row.revoked_at is not None:
        return Resolved(None)
    now = utcnow()
    if row.expires_at is not None and row.expires_at <= now:
        return Resolved(None)
    user = session.get(User, row.user_id)
    if user is None or not user.active or user.session_epoch != row.session_epoch:
        return Resolved(None)
    due = row.last_used_at is None or now - row.last_used_at > _LAST_SEEN_RESOLUTION
    return Resolved(user, due)


def touch_token(session: Session, token: str) -> None:
    session.execute(
        update(ApiToken).where(ApiToken.token_hash == _sha256(token)).values(last_used_at=utcnow())
    )


def revoke_token(session: Session, actor: Actor, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or (not actor.is_admin and row.user_id != actor.id):
        raise NotFound(_("Token {id} not found.", id=token_id))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()


def list_tokens(session: Session, actor: Actor, user_id: int) -> list[ApiToken]:
    if not actor.is_admin and actor.id != user_id:
        raise PermissionDenied(_("You may only list your own tokens."))
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    )
