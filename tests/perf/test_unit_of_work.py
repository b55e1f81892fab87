"""What a unit of work remembers lives exactly as long as its transaction, and the shortcuts
of the write path (participants, audit lines, copying the submitted document) change nothing
a user or a script can observe."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from perfkit import World, build_world, counted, of_kind
from sqlalchemy import select

from formflow.services.effect_scope import add_participant
from formflow.services.records import _copy_document, create_record
from formflow.storage.audit_log import append_audit
from formflow.storage.db import Database
from formflow.storage.models import Record, RecordAudit, RecordParticipant
from formflow.storage.unit import unit_cache


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


@pytest.fixture
def record_id(database: Database, world: World) -> int:
    with database.session(write=True) as session:
        return create_record(session, world.buyer, "plain", world.document()).record.id


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_what_a_unit_of_work_remembers_is_gone_when_its_transaction_ends(
    database: Database, ending: str
) -> None:
    with database.session() as session:
        session.execute(select(1))
        unit_cache(session, "test")["key"] = "value"
        getattr(session, ending)()
        assert "key" not in unit_cache(session, "test")


def test_a_rolled_back_savepoint_makes_the_unit_of_work_forget(database: Database) -> None:
    with database.session(write=True) as session:
        unit_cache(session, "test")["outer"] = True
        savepoint = session.begin_nested()
        unit_cache(session, "test")["inner"] = True
        savepoint.rollback()
        assert unit_cache(session, "test") == {}


def _participants(database: Database, record_id: int) -> list[tuple[int, str]]:
    with database.session() as session:
        return [
            (row.user_id, row.reason)
            for row in session.scalars(
                select(RecordParticipant)
                .where(RecordParticipant.record_id == record_id)
                .order_by(RecordParticipant.user_id)
            )
        ]


def test_adding_a_participant_twice_keeps_one_row_with_the_first_reason(
    database: Database, world: World, record_id: int
) -> None:
    first, second = world.approvers
    with database.session(write=True) as session:
        add_participant(session, record_id, first.id or 0, "approver")
        add_participant(session, record_id, first.id or 0, "cc")
    with database.session(write=True) as session:  # a later unit of work, same person
        add_participant(session, record_id, first.id or 0, "cc")
        add_participant(session, record_id, second.id or 0, "cc")
    assert _participants(database, record_id) == [(first.id, "approver"), (second.id, "cc")]


def test_a_participant_added_in_a_rolled_back_savepoint_can_be_added_again(
    database: Database, world: World, record_id: int
) -> None:
    first, _second = world.approvers
    with database.session(write=True) as session:
        savepoint = session.begin_nested()
        add_participant(session, record_id, first.id or 0, "approver")
        savepoint.rollback()
        add_participant(session, record_id, first.id or 0, "approver")
    assert _participants(database, record_id) == [(first.id, "approver")]


def test_audit_lines_keep_the_order_they_were_written_in(
    database: Database, world: World, record_id: int
) -> None:
    with database.session(write=True) as session:
        session.add(RecordAudit(record_id=record_id, action="orm", changes=[], record_version=1))
        append_audit(
            session,
            record_id=record_id,
            actor_id=world.buyer.id,
            action="core",
            changes=[{"path": "$.amount", "old": 1, "new": Decimal("2.50")}],
            record_version=1,
        )
    with database.session() as session:
        rows = list(
            session.scalars(
                select(RecordAudit)
                .where(RecordAudit.record_id == record_id)
                .order_by(RecordAudit.id)
            )
        )
    assert [row.action for row in rows] == ["submit", "orm", "core"]
    assert rows[-1].changes == [{"path": "$.amount", "old": 1, "new": Decimal("2.50")}]
    assert rows[-1].at is not None


_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=2)
_documents = st.recursive(
    _scalars | _decimals | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@given(_documents)
def test_copying_a_document_gives_what_deepcopy_gives_and_shares_nothing_mutable(
    document: Any,
) -> None:
    copied = _copy_document(document)
    assert copied == copy.deepcopy(document)
    stack = [(document, copied)]
    while stack:
        original, twin = stack.pop()
        if isinstance(original, (dict, list)):
            assert original is not twin
            pairs = (
                zip(original.values(), twin.values(), strict=True)
                if isinstance(original, dict)
                else zip(original, twin, strict=True)
            )
            stack.extend(pairs)


def _shares_a_container(left: Any, right: Any) -> bool:
    stack = [(left, right)]
    while stack:
        one, other = stack.pop()
        if isinstance(one, (dict, list)):
            if one is other:
                return True
            if isinstance(one, dict) and isinstance(other, dict):
                stack.extend((one[key], other[key]) for key in one.keys() & other.keys())
            elif isinstance(one, list) and isinstance(other, list):
                stack.extend(zip(one, other, strict=False))
    return False


def test_creating_a_record_leaves_the_callers_document_alone(
    database: Database, world: World
) -> None:
    document = world.document()
    before = copy.deepcopy(document)
    with database.session(write=True) as session:
        stored = create_record(session, world.buyer, "plain", document).record.data
        stored["items"][0]["qty"] = 99  # a later change in the same unit of work
    assert document == before
    assert not _shares_a_container(document, stored)


def test_a_record_inserted_directly_is_an_ordinary_persistent_row(
    database: Database, world: World
) -> None:
    with counted(database) as statements, database.session(write=True) as session:
        record = create_record(session, world.buyer, "plain", world.document()).record
        inserted = len(statements)
        assert session.get(Record, record.id) is record
        assert record in session and record not in session.dirty
        record.label = "renamed"
        session.flush()
        assert record.version == 2  # the optimistic counter ran as for any row
    assert len(of_kind(statements[inserted:], "SELECT")) == 0
    with database.session() as session:
        row = session.get(Record, record.id)
        assert row is not None
        assert (row.label, row.version, row.data["title"]) == ("renamed", 2, "Paper")
        assert row.created_at is not None and row.deleted_at is None
