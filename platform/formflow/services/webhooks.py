"""Webhook destinations an admin allowed, and delivering the flow's webhook calls.

A flow's ``webhook "https://..."`` action (or an automation's) puts a message on the outbox
in the transaction that decided it; after the commit the worker calls :func:`deliver`. Only a
URL an admin registered as an active endpoint is ever called (exactly that URL), signed with
the endpoint's secret (HMAC-SHA256, see ``services.delivery``), without following redirects,
and — when ``FORMFLOW_WEBHOOK_ALLOWED_HOSTS`` is set — only to those hosts. A call to a URL
nobody allowed fails and is retried with backoff, so registering the endpoint later lets it
through.

Secrets are derived from the installation's secret key, the endpoint key and its rotation
number, never stored: rotating gives a new secret at once.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.config import Settings
from formflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from formflow.i18n import _
from formflow.services import delivery
from formflow.services.actor import Actor
from formflow.storage.db import Database, dumps
from formflow.storage.models import WebhookEndpoint
from formflow.storage.types import utcnow

ENDPOINT_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_("Only an administrator may manage webhook destinations."))


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise InvalidInput(
            _(
                "The address {value!r} is not a web address; use http:// or https:// and a "
                "host name.",
                value=url,
            )
        )
    return url.strip()


def secret_of(settings: Settings, endpoint: WebhookEndpoint) -> str:
    """The signing secret receivers use to check the ``X-Formflow-Signature`` header."""
    return delivery.endpoint_secret(settings, endpoint.key, endpoint.rotation)


def list_endpoints(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    _require_admin(actor)
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.key)))


def get_endpoint(session: Session, actor: Actor, key: str) -> WebhookEndpoint:
    _require_admin(actor)
    endpoint = session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.key == key))
    if endpoint is None:
        raise NotFound(_("Webhook destination {key} not found.", key=key))
    return endpoint


def create_endpoint(session: Session, actor: Actor, *, key: str, url: str) -> WebhookEndpoint:
    """Allow calls to ``url`` (admins); Conflict when the key or the URL is registered."""
    _require_admin(actor)
    if not ENDPOINT_KEY.match(key):
        raise InvalidInput(
            _(
                "The key {value!r} is not allowed: use lower-case letters, digits, - and _.",
                value=key,
            )
        )
    url = _check_url(url)
    clash = session.scalar(
        select(WebhookEndpoint.key).where(
            (WebhookEndpoint.key == key) | (WebhookEndpoint.url == url)
        )
    )
    if clash is not None:
        raise Conflict(
            _("The webhook destination {key} already has this key or address.", key=clash)
        )
    endpoint = WebhookEndpoint(key=key, url=url, active=True, rotation=0, created_by=actor.id)
    session.add(endpoint)
    session.flush()
    return endpoint


def update_endpoint(
    session: Session,
    actor: Actor,
    key: str,
    *,
    url: str | None = None,
    active: bool | None = None,
    rotate: bool = False,
) -> WebhookEndpoint:
    """Change the address, switch the endpoint on or off, or rotate its secret."""
    endpoint = get_endpoint(session, actor, key)
    if url is not None:
        url = _check_url(url)
        clash = session.scalar(
            select(WebhookEndpoint.key).where(
                WebhookEndpoint.url == url, WebhookEndpoint.id != endpoint.id
            )
        )
        if clash is not None:
            raise Conflict(_("The webhook destination {key} already has this address.", key=clash))
        endpoint.url = url
    if active is not None:
        endpoint.active = active
    if rotate:
        endpoint.rotation += 1
    endpoint.updated_at = utcnow()
    session.flush()
    return endpoint


def deliver(
    database: Database, settings: Settings, payload: dict[str, Any], delivery_id: str
) -> None:
    """Send one webhook message from the outbox (the worker calls this after the commit).

    Raises :class:`~formflow.services.delivery.DeliveryError` when the URL is not an active
    endpoint or the receiver does not answer 2xx; the worker retries with backoff.
    """
    url = str(payload.get("url") or "")
    with database.session() as session:
        endpoint = session.scalar(
            select(WebhookEndpoint).where(
                WebhookEndpoint.url == url, WebhookEndpoint.active.is_(True)
            )
        )
        secret = secret_of(settings, endpoint) if endpoint is not None else None
    if secret is None:
        raise delivery.DeliveryError(
            f"{url} is not a webhook destination an administrator has allowed"
        )
    body = dumps(payload.get("body") or {}).encode("utf-8")
    headers = delivery.webhook_headers(secret, body, delivery_id, str(payload.get("event", "flow")))
    delivery.post_webhook(url, body, headers, allowed_hosts=settings.webhook_allowed_hosts)
