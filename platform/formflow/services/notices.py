"""In-app notifications (the bell in the web app), plus e-mail copies through the outbox.

A notice is written in the same transaction as the change that caused it, in both languages
(``title``/``body`` are i18n maps), so each reader sees it in their own language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from formflow.errors import NotFound
from formflow.i18n import SUPPORTED_LOCALES, Msg, _
from formflow.services.actor import Actor
from formflow.services.org import load_org_chart
from formflow.services.outbox import enqueue
from formflow.storage.models import Notice
from formflow.storage.types import utcnow

_TABLE: Any = Notice.__table__
_INSERT = insert(_TABLE)


def _both(message: Msg) -> dict[str, str]:
    return {locale: message.render(locale) for locale in SUPPORTED_LOCALES}


def notify(
    session: Session,
    user_ids: Iterable[int],
    kind: str,
    title: Msg,
    body: Msg,
    *,
    link: str | None = None,
    record_id: int | None = None,
    email: bool = True,
    dedupe_key: str | None = None,
) -> int:
    """Notify users in-app (and by e-mail when they have an address); returns how many
    people were notified (deactivated and unknown users are skipped).

    The people are looked up in the org chart (cached per org stamp), and every notice of
    the call is written with one ``INSERT`` at once (the record it links to, if any, must be
    in the database already; the services flush it before they notify).
    """
    org = load_org_chart(session)
    titles, bodies, now = _both(title), _both(body), utcnow()
    rows: list[dict[str, Any]] = []
    for user_id in sorted(set(user_ids)):
        user = org.user(user_id)
        if user is None or not user.active:
            continue
        rows.append(
            {
                "user_id": user_id,
                "kind": kind,
                "title": titles,
                "body": bodies,
                "link": link,
                "record_id": record_id,
                "created_at": now,
                "read_at": None,
            }
        )
        if email and user.email:
            enqueue(
                session,
                "email",
                {
                    "to": user.email,
                    "subject": title.render(user.locale),
                    "text": body.render(user.locale) + (f"\n\n{link}" if link else ""),
                },
                dedupe_key=f"{dedupe_key}:{user_id}" if dedupe_key else None,
            )
    if rows:
        session.connection().execute(_INSERT, rows)
    return len(rows)


def list_notices(
    session: Session, actor: Actor, *, unread_only: bool = False, limit: int = 50
) -> tuple[list[Notice], int]:
    """The actor's notices, newest first, and how many are unread."""
    query = select(Notice).where(Notice.user_id == actor.id)
    if unread_only:
        query = query.where(Notice.read_at.is_(None))
    rows = list(session.scalars(query.order_by(Notice.id.desc()).limit(limit)))
    unread = session.scalar(
        select(func.count(Notice.id)).where(Notice.user_id == actor.id, Notice.read_at.is_(None))
    )
    return rows, int(unread or 0)


def mark_read(session: Session, actor: Actor, notice_id: int | None = None) -> None:
    """Mark one notice (or, without an id, all of them) read."""
    query = update(Notice).where(Notice.user_id == actor.id, Notice.read_at.is_(None))
    if notice_id is not None:
        if (
            session.scalar(
                select(Notice.id).where(Notice.id == notice_id, Notice.user_id == actor.id)
            )
            is None
        ):
            raise NotFound(_("Notification {id} not found.", id=notice_id))
        query = query.where(Notice.id == notice_id)
    session.execute(query.values(read_at=utcnow()))
