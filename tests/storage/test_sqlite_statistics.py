"""The worker's hourly statistics refresh on SQLite shares the database with writers: it
takes the write lock first and waits its turn, never failing as "database is locked"."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import event, text

from formflow.storage import migrate
from formflow.storage.db import Database


def test_the_statistics_refresh_waits_for_a_writer_and_takes_the_write_lock(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'stats.db'}")
    migrate.upgrade(database)
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    errors: list[BaseException] = []
    holding = threading.Event()

    def writer() -> None:
        with database.session(write=True) as session:
            session.execute(text("INSERT INTO stamps (key, value) VALUES ('test', 'one')"))
            holding.set()
            time.sleep(0.3)  # the refresh starts meanwhile and must wait

    def refresh() -> None:
        holding.wait(5)
        try:
            database.refresh_statistics()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer), threading.Thread(target=refresh)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    database.dispose()
    assert errors == []
    optimize = statements.index("PRAGMA optimize=0x10002")
    assert statements[optimize - 1] == "BEGIN IMMEDIATE"
