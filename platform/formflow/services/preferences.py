"""Per-user settings of the web app, kept in the ``user_preferences`` table.

A preference is a small JSON value under a dotted key (``locale.settled``, later list views
and the like). Each user reads and writes only their own.

The one rule that lives here is how a user's language is settled: the profile language
(``User.locale``) decides which language every page, e-mail and notification uses; until the
user has settled it, their browser's language becomes the profile language at their first
login — "chosen per user, defaulting from the browser".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.errors import InvalidInput
from formflow.i18n import SUPPORTED_LOCALES, _, normalize_locale
from formflow.services import org
from formflow.services.actor import Actor
from formflow.storage.models import User, UserPreference
from formflow.storage.types import utcnow

#: Set once the user's language is settled (by their first login or by their own choice).
LOCALE_SETTLED = "locale.settled"
MAX_KEY_LENGTH = 200


def _row(session: Session, user_id: int, key: str) -> UserPreference | None:
    return session.scalar(
        select(UserPreference).where(UserPreference.user_id == user_id, UserPreference.key == key)
    )


def get_preference(session: Session, actor: Actor, key: str, default: Any = None) -> Any:
    """The actor's value for ``key``, or ``default`` when they never set it."""
    if actor.id is None:
        return default
    row = _row(session, actor.id, key)
    return default if row is None else row.value


def set_preference(session: Session, actor: Actor, key: str, value: Any) -> None:
    """Store ``value`` (JSON) under ``key`` for the actor, replacing an earlier value."""
    if actor.id is None:
        raise InvalidInput(_("The system has no preferences."))
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(_("A preference key has 1 to {limit} characters.", limit=MAX_KEY_LENGTH))
    row = _row(session, actor.id, key)
    if row is None:
        session.add(UserPreference(user_id=actor.id, key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
    session.flush()


def choose_locale(session: Session, actor: Actor, locale: str) -> User:
    """The user picks their language (language switch, profile): it becomes their profile
    language and counts as settled. Raises :class:`InvalidInput` for an unsupported one."""
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput(
            _(
                "Unknown language {value!r}; use one of {choices}.",
                value=locale,
                choices=", ".join(SUPPORTED_LOCALES),
            )
        )
    user = org.update_user(session, actor, actor.id or 0, {"locale": locale})
    set_preference(session, actor, LOCALE_SETTLED, True)
    return user


def settle_locale_at_login(session: Session, actor: Actor, offered: str | None) -> str:
    """At login: adopt the browser's language (``offered``) unless the user settled theirs.

    Returns the user's language after the login. ``offered`` is the language the browser
    asked for (Accept-Language, or a choice made on the login page); None keeps the profile.
    """
    if get_preference(session, actor, LOCALE_SETTLED, False) or not offered:
        return actor.locale
    wanted = normalize_locale(offered)
    if wanted != actor.locale:
        org.update_user(session, actor, actor.id or 0, {"locale": wanted})
    set_preference(session, actor, LOCALE_SETTLED, True)
    return wanted
