"""A list's SQL is built once and reused (record_lists._list_sql); reuse must never change an
answer. Each test asks the same question in ways a stale statement would answer wrongly: for
readers who may see different records, with a filter whose meaning depends on who asks, and
across a new version of the form.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from formflow.errors import SourceError
from formflow.services import auth, org, record_lists
from formflow.services import forms as form_service
from formflow.services.actor import SYSTEM, Actor, PlatformRole
from formflow.services.record_lists import list_records
from formflow.services.records import create_record
from formflow.storage.db import Database

FORM = "notes"


def _schema(*, with_code: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": {"type": "string"},
        "amount": {"type": "number", "x-index": True},
        "approver": {"type": "integer", "x-type": "user"},
    }
    if with_code:
        properties["code"] = {"type": "string"}
    return {"type": "object", "properties": properties}


def _people(database: Database) -> tuple[Actor, Actor]:
    with database.session(write=True) as session:
        form_service.create_form(session, SYSTEM, key=FORM, title="Notes", schema=_schema())
        users = [org.create_user(session, SYSTEM, username=name) for name in ("ann", "bob")]
        first, second = (auth.actor_for(session, user) for user in users)
    return first, second


def _create(database: Database, actor: Actor, title: str, **data: Any) -> None:
    with database.session(write=True) as session:
        create_record(session, actor, FORM, {"title": title, "amount": Decimal(10), **data})


def _titles(database: Database, actor: Actor, filter_text: str) -> list[str]:
    with database.session() as session:
        page = list_records(session, actor, FORM, filter_text=filter_text)
    return sorted(record.data["title"] for record in page.items)


def test_readers_who_see_different_records_get_their_own_answer(database: Database) -> None:
    ann, bob = _people(database)
    _create(database, ann, "ann's")
    _create(database, bob, "bob's")
    # Users read their own records only (the form has no grants); asked in turns.
    assert _titles(database, ann, "amount > 5") == ["ann's"]
    assert _titles(database, bob, "amount > 5") == ["bob's"]
    assert _titles(database, ann, "amount > 5") == ["ann's"]
    assert _titles(database, SYSTEM, "amount > 5") == ["ann's", "bob's"]


def test_a_filter_naming_the_reader_means_each_reader(database: Database) -> None:
    ann, bob = _people(database)
    _create(database, SYSTEM, "for ann", approver=ann.id)
    _create(database, SYSTEM, "for bob", approver=bob.id)
    with database.session() as session:
        for actor, expected in ((ann, "for ann"), (bob, "for bob"), (ann, "for ann")):
            # As admins both see every record: only ``current_user`` tells them apart.
            admin = replace(actor, platform_role=PlatformRole.ADMIN)
            page = list_records(session, admin, FORM, filter_text="approver = current_user")
            assert [record.data["title"] for record in page.items] == [expected]


def test_a_new_version_of_the_form_is_listed_with_its_own_fields(database: Database) -> None:
    _people(database)
    _create(database, SYSTEM, "old")
    with pytest.raises(SourceError):
        _titles(database, SYSTEM, "code = 'X-1'")
    with database.session(write=True) as session:
        form_service.publish_version(session, SYSTEM, FORM, schema=_schema(with_code=True))
    _create(database, SYSTEM, "new", code="X-1")
    assert _titles(database, SYSTEM, "code = 'X-1'") == ["new"]
    assert _titles(database, SYSTEM, "amount > 5") == ["new", "old"]


def test_the_page_order_follows_the_current_count_of_matches(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a page in id order is found from the filter's index while matches are few
    (``ORDER BY id + 0``) and by walking ids when they are many; the same list asked again
    after the count crossed the line must switch, not reuse the page statement it had."""
    monkeypatch.setattr(record_lists, "INDEX_FIRST_LIMIT", 2)
    _people(database)
    pages: list[str] = []

    def remember(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().startswith("SELECT records.id, records.form_id"):
            pages.append(statement)

    event.listen(database.engine, "before_cursor_execute", remember)
    for title in ("a", "b", "c"):
        _create(database, SYSTEM, title)
        assert _titles(database, SYSTEM, "amount > 5")[-1] == title
    event.remove(database.engine, "before_cursor_execute", remember)
    index_first = ["records.id + " in page for page in pages]
    assert index_first == ([True, True, False] if database.is_sqlite else [False] * 3)
