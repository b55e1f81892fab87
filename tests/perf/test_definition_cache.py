"""Definitions served from caches behave exactly like rows just read: another unit of work's
change is seen at once, a unit sees its own unflushed changes, and what the cache hands out
belongs to the session that asked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from perfkit import PLAIN, World, build_world

from formflow.errors import NotFound, PermissionDenied
from formflow.services import forms as form_service
from formflow.services import org
from formflow.services.actor import SYSTEM
from formflow.services.authz import Action, form_actions
from formflow.services.org import load_calendar
from formflow.services.records import create_record
from formflow.storage import definitions
from formflow.storage.db import Database
from formflow.storage.models import FlowDefinition, Form


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


@pytest.fixture
def second_process(database: Database) -> Any:
    """Another handle on the same database, as another process would have."""
    other = Database(database.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


def test_a_version_published_elsewhere_is_the_one_the_next_write_uses(
    database: Database, second_process: Database, world: World
) -> None:
    with database.session() as session:
        assert form_service.get_form(session, "plain").version.version == 1
    schema = {**PLAIN, "properties": {**PLAIN["properties"], "note": {"type": "string"}}}
    with second_process.session(write=True) as session:
        form_service.publish_version(session, SYSTEM, "plain", schema=schema)
    with database.session(write=True) as session:
        view = create_record(session, world.buyer, "plain", {**world.document(), "note": "n"})
        assert (view.record.form_version, view.record.data["note"]) == (2, "n")


def test_grants_changed_elsewhere_apply_to_the_next_write(
    database: Database, second_process: Database, world: World
) -> None:
    with database.session(write=True) as session:
        create_record(session, world.buyer, "plain", world.document())
    with second_process.session(write=True) as session:
        form_service.set_grants(session, SYSTEM, "plain", {"role:buyers": ["create"]})
    with database.session(write=True) as session, pytest.raises(PermissionDenied):
        create_record(session, world.buyer, "plain", world.document())


def test_an_unflushed_archive_in_the_same_unit_of_work_hides_the_form(
    database: Database, world: World
) -> None:
    with database.session(write=True) as session:
        form_service.get_form(session, "plain").form.archived = True
        with pytest.raises(NotFound):
            form_service.get_form(session, "plain")


def test_a_form_created_in_the_same_unit_of_work_is_found_before_any_flush(
    database: Database, world: World
) -> None:
    with database.session(write=True) as session:
        with pytest.raises(NotFound):
            form_service.get_form(session, "late")
        session.add(Form(key="late", title="Late", current_version=1))
        assert definitions.form_by_key(session, "late") is not None


def test_the_rows_handed_out_belong_to_the_session_that_asked(
    database: Database, world: World
) -> None:
    with database.session() as first:
        form_id = form_service.get_form(first, "plain").form.id
    for _ in range(2):  # the second time from the process cache
        with database.session() as session:
            view = form_service.get_form(session, "plain")
            assert view.form is session.get(Form, form_id)
            assert view.form in session and view.version in session


def test_a_change_to_a_cached_row_is_written_like_any_other(
    database: Database, world: World
) -> None:
    with database.session() as session:  # fill the cache
        form_service.get_form(session, "plain")
    with database.session(write=True) as session:
        form_service.get_form(session, "plain").form.title = "Renamed"
    with database.session() as session:
        form = session.get(Form, form_service.get_form(session, "plain").form.id)
        assert form is not None and form.title == "Renamed"


def test_the_switched_on_flow_of_a_form_follows_its_switch(
    database: Database, world: World
) -> None:
    with database.session(write=True) as session:
        flow = definitions.active_flow(session, "order")
        assert flow is not None
        flow.active = False
    with database.session(write=True) as session:
        assert definitions.active_flow(session, "order") is None
        row = session.get(FlowDefinition, flow.id)
        assert row is not None
        row.active = True
    with database.session() as session:
        found = definitions.active_flow(session, "order")
        assert found is not None and found.id == flow.id


def test_grants_read_in_a_unit_of_work_follow_its_own_changes(
    database: Database, world: World
) -> None:
    with database.session(write=True) as session:
        form = form_service.get_form(session, "plain").form
        assert Action.READ_ALL in form_actions(session, world.buyer, form)
        form_service.set_grants(session, SYSTEM, "plain", {"everyone": ["create"]})
        assert form_actions(session, world.buyer, form) == frozenset({Action.CREATE})


def test_a_holiday_set_elsewhere_is_in_the_next_calendar(
    database: Database, second_process: Database, world: World
) -> None:
    with database.session() as session:
        assert load_calendar(session).is_workday(date(2026, 10, 1))
    with second_process.session(write=True) as session:
        org.set_calendar_days(session, SYSTEM, "default", [(date(2026, 10, 1), False, "国庆")])
    with database.session() as session:
        assert not load_calendar(session).is_workday(date(2026, 10, 1))
