"""Webhooks: only destinations an admin allowed, signed with a derived secret, sent by the
worker after the commit, retried when the receiver fails or is not allowed."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import simplejson
from sqlalchemy import select

from formflow.config import Settings
from formflow.services.worker import Worker
from formflow.storage.models import OutboxMessage


@pytest.fixture
def receiver() -> Iterator[dict[str, Any]]:
    """A local HTTP server that records what it is sent and answers ``status``."""
    seen: dict[str, Any] = {"requests": [], "status": 204}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen["requests"].append((dict(self.headers), body))
            self.send_response(seen["status"])
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seen["url"] = f"http://127.0.0.1:{server.server_address[1]}/hooks/expense"
    yield seen
    server.shutdown()
    server.server_close()


def _flow(url: str) -> str:
    return f"""
    flow hooked on expense {{
      step manager {{
        approve by manager(initiator)
        then webhook "{url}" {{ total: amount, title: title }}
      }}
    }}
    """


def _approve_one(world: Any) -> int:
    record = world.submit("zhang", {"title": "Trip", "amount": 42})
    world.act("li", world.task_of("li", record["id"]), "approve")
    return int(record["id"])


def test_only_admins_manage_destinations_and_rotation_changes_the_secret(world: Any) -> None:
    refused = world["zhang"].post("/api/webhooks", {"key": "erp", "url": "https://erp.example"})
    assert refused.status_code == 403
    created = world.admin.post("/api/webhooks", {"key": "erp", "url": "https://erp.example/h"})
    assert created.status_code == 201, created.payload
    secret = created.payload["secret"]
    assert len(secret) == 64
    assert world.admin.get("/api/webhooks").payload[0]["secret"] == secret
    rotated = world.admin.patch("/api/webhooks/erp", {"rotate": True})
    assert rotated.payload["rotation"] == 1 and rotated.payload["secret"] != secret
    clash = world.admin.post("/api/webhooks", {"key": "erp2", "url": "https://erp.example/h"})
    assert clash.status_code == 409
    bad = world.admin.post("/api/webhooks", {"key": "ftp", "url": "ftp://files.example"})
    assert bad.status_code == 400


def test_a_flow_webhook_is_signed_and_sent_after_the_commit(
    world: Any, settings: Settings, receiver: dict[str, Any]
) -> None:
    endpoint = world.admin.post("/api/webhooks", {"key": "erp", "url": receiver["url"]}).payload
    world.publish(_flow(receiver["url"]))
    record_id = _approve_one(world)
    assert receiver["requests"] == []  # nothing leaves inside the transaction
    report = Worker(world.database, settings).run_once()
    assert report.sent == 1, report
    ((headers, body),) = receiver["requests"]
    expected = hmac.new(
        endpoint["secret"].encode(),
        headers["X-Formflow-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()
    assert headers["X-Formflow-Signature"] == f"sha256={expected}"
    payload = simplejson.loads(body, use_decimal=True)
    assert payload["data"] == {"total": 42, "title": "Trip"}
    assert (payload["source"], payload["step"], payload["record"]) == (
        "hooked",
        "manager",
        record_id,
    )


def test_a_destination_nobody_allowed_is_never_called_and_retried_later(
    world: Any, settings: Settings, receiver: dict[str, Any]
) -> None:
    world.publish(_flow(receiver["url"]))
    _approve_one(world)
    report = Worker(world.database, settings).run_once()
    assert (report.sent, report.retried) == (0, 1)
    assert receiver["requests"] == []
    with world.database.session() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert "not a webhook destination" in (message.last_error or "")
        retry_at = message.due_at
    world.admin.post("/api/webhooks", {"key": "erp", "url": receiver["url"]})
    later = Worker(world.database, settings, clock=lambda: retry_at + timedelta(seconds=1))
    assert later.run_once().sent == 1
    assert len(receiver["requests"]) == 1


def test_a_failing_receiver_is_retried_with_backoff(
    world: Any, settings: Settings, receiver: dict[str, Any]
) -> None:
    world.admin.post("/api/webhooks", {"key": "erp", "url": receiver["url"]})
    world.publish(_flow(receiver["url"]))
    _approve_one(world)
    receiver["status"] = 500
    now = datetime.now(UTC)
    assert Worker(world.database, settings, clock=lambda: now).run_once().retried == 1
    assert Worker(world.database, settings, clock=lambda: now).run_once().retried == 0
    receiver["status"] = 200
    soon = now + timedelta(minutes=1)
    assert Worker(world.database, settings, clock=lambda: soon).run_once().sent == 1
    assert len(receiver["requests"]) == 2
