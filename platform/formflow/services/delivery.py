"""Sending what the outbox holds: e-mail over SMTP and signed webhooks.

Delivery happens outside any database transaction (a slow mail server must not hold locks),
then the message is marked sent, or rescheduled with exponential backoff, or — after
:data:`MAX_ATTEMPTS` — marked failed with the last error kept for the admin.

Webhooks are signed: ``X-Formflow-Signature: sha256=<hex>`` is the HMAC-SHA256 of
``<timestamp>.<body>`` with the endpoint's secret, and ``X-Formflow-Delivery`` carries a
stable id so receivers can drop duplicates (delivery is at-least-once). Redirects are not
followed, and only destinations an admin registered (and, when configured, only the allowed
hosts) are ever called.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from formflow.config import Settings
from formflow.storage.models import OutboxMessage

MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    """A send failed; the message says why and the worker retries later."""


def backoff(attempts: int) -> timedelta:
    """Wait before retry ``attempts`` (30 s, 1 min, 2 min ... capped at 6 h)."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass
class SmtpMailer:
    settings: Settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        if not s.smtp_host:
            raise DeliveryError("no SMTP server configured (FORMFLOW_SMTP_HOST)")
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP: {exc}") from exc


def build_email(settings: Settings, payload: dict[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message.set_content(payload["text"])
    return message


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def endpoint_secret(settings: Settings, endpoint_key: str, rotation: int) -> str:
    """The signing secret of a webhook endpoint, derived from the installation's secret key.

    Derived rather than stored, so a database dump does not leak it; bumping ``rotation``
    gives the endpoint a new secret.
    """
    material = f"webhook:{endpoint_key}:{rotation}".encode()
    return hmac.new(settings.secret_key.encode(), material, hashlib.sha256).hexdigest()


def post_webhook(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allowed_hosts: tuple[str, ...] = (),
) -> int:
    """POST ``body`` once; returns the status. Redirects count as failures (never followed)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DeliveryError(f"not an http(s) URL: {url}")
    if allowed_hosts and parts.hostname.lower() not in allowed_hosts:
        raise DeliveryError(f"host {parts.hostname} is not in FORMFLOW_WEBHOOK_ALLOWED_HOSTS")
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"webhook: {exc}") from exc
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook answered HTTP {status}")
    return status


def webhook_headers(secret: str, body: bytes, delivery_id: str, event: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "Formflow-Webhook/1",
        "X-Formflow-Event": event,
        "X-Formflow-Delivery": delivery_id,
        "X-Formflow-Timestamp": timestamp,
        "X-Formflow-Signature": sign(secret, timestamp, body),
    }


def settle(session: Session, message: OutboxMessage, now: datetime, error: str | None) -> None:
    """Record the outcome of one delivery attempt (sent, retry later, or failed for good)."""
    message.claimed_until = None
    if error is None:
        message.sent_at = now
        message.last_error = None
    elif message.attempts >= MAX_ATTEMPTS:
        message.failed_at = now  # given up: the admin sees last_error
        message.last_error = error[:2000]
    else:
        message.last_error = error[:2000]
        message.due_at = now + backoff(message.attempts)
    session.flush()
