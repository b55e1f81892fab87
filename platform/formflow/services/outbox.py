"""Side effects that must wait for the commit: e-mail and webhooks go through the outbox.

:func:`enqueue` writes a message row in the caller's transaction. If that transaction rolls
back, the message never existed; if it commits, a worker sends it (see services.delivery).
A ``dedupe_key`` makes enqueueing idempotent, so a retried job cannot send twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.storage.models import OutboxMessage
from formflow.storage.types import utcnow

KINDS = frozenset({"email", "webhook"})


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    due_at: datetime | None = None,
) -> OutboxMessage:
    """Add a message to send after commit; returns the existing one for a known dedupe key.

    The message is written with the unit of work's next flush (a later look-up of its dedupe
    key flushes it first, as every query does).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    if dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    message = OutboxMessage(
        kind=kind, payload=payload, dedupe_key=dedupe_key, due_at=due_at or utcnow()
    )
    session.add(message)
    return message
