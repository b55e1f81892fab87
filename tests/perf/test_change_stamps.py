"""Change stamps bump themselves: any flushed change of a watched row gives its area a new
stamp, so caches keyed by the stamp can never serve what another unit of work changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from perfkit import World, build_world
from sqlalchemy.orm import Session

from formflow.services import automations, flows, org
from formflow.services import forms as form_service
from formflow.services.actor import SYSTEM
from formflow.storage import stamps
from formflow.storage.db import Database
from formflow.storage.models import Form, User


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def _rename_form(session: Session, _world: World) -> None:
    form = form_service.get_form(session, "plain").form
    form.title = "Plain paper"


def _grant(session: Session, _world: World) -> None:
    form_service.set_grants(session, SYSTEM, "plain", {"everyone": ["create", "read_own"]})


def _rename_user(session: Session, world: World) -> None:
    user = session.get(User, world.buyer.id)
    assert user is not None
    user.display_name = "采购员"


def _holiday(session: Session, _world: World) -> None:
    org.set_calendar_days(session, SYSTEM, "default", [(date(2026, 10, 1), False, "国庆")])


def _switch_flow_off(session: Session, _world: World) -> None:
    flows.get_flow(session, "order").flow.active = False


def _publish_automation(session: Session, _world: World) -> None:
    automations.publish_automations(
        session,
        SYSTEM,
        source='automation note "Note" on plain {\n  when changed amount\n  set title = "x"\n}\n',
    )


@pytest.mark.parametrize(
    ("change", "area"),
    [
        (_rename_form, stamps.FORMS),
        (_grant, stamps.FORMS),
        (_rename_user, stamps.ORG),
        (_holiday, stamps.CALENDARS),
        (_switch_flow_off, stamps.FLOWS),
        (_publish_automation, stamps.AUTOMATIONS),
    ],
)
def test_a_flushed_change_gives_its_area_a_new_stamp(
    database: Database, world: World, change: Callable[[Session, World], None], area: str
) -> None:
    with database.session() as session:
        before = stamps.current(session, area)
    with database.session(write=True) as session:
        change(session, world)
    with database.session() as session:
        after = stamps.current(session, area)
    assert after and after != before


def test_a_new_password_leaves_the_org_stamp_alone(database: Database, world: World) -> None:
    with database.session() as session:
        before = stamps.current(session, stamps.ORG)
    with database.session(write=True) as session:
        user = session.get(User, world.buyer.id)
        assert user is not None
        user.password_hash = "changed"
        user.session_epoch += 1
    with database.session() as session:
        assert stamps.current(session, stamps.ORG) == before


def test_a_unit_of_work_sees_its_own_bump_at_once(database: Database, world: World) -> None:
    with database.session(write=True) as session:
        before = stamps.current(session, stamps.FORMS)
        _rename_form(session, world)
        session.flush()
        assert stamps.current(session, stamps.FORMS) != before


def test_an_explicit_bump_and_a_watched_change_in_one_flush_write_one_stamp_row(
    database: Database, world: World
) -> None:
    with database.session(write=True) as session:
        form = session.get(Form, form_service.get_form(session, "plain").form.id)
        assert form is not None
        form.title = "Again"
        value = stamps.bump(session, stamps.FORMS)  # flushes the title change with it
        assert stamps.current(session, stamps.FORMS) == value
    with database.session() as session:
        assert stamps.current(session, stamps.FORMS) == value
