"""A real HTTP server for tests that need one (schemathesis, browsers): the production WSGI
server (waitress) in a thread, on a free port, serving the test's app and database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import waitress
from flask import Flask


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) for the duration; yields the base URL."""
    server: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        _stop(server, thread)


def _stop(server: Any, thread: threading.Thread) -> None:
    """Stop the server without racing its loop.

    Closing sockets from this thread (``server.close()``) can close a kept-alive connection
    while the loop thread waits on it in ``select``, which then fails with "bad file
    descriptor". So: let requests in flight finish, then have the loop thread itself close
    every socket it watches (a trigger callback runs in that thread); with nothing left to
    watch, its loop ends.
    """
    server.task_dispatcher.shutdown(timeout=5)

    def close_everything() -> None:
        for channel in list(server._map.values()):
            channel.close()

    server.trigger.pull_trigger(close_everything)
    thread.join(timeout=5)
    assert not thread.is_alive(), "the test server did not stop"
