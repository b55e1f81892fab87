"""Browser sessions end on logout, after idleness, after an absolute lifetime, and when the
user is deactivated; tokens expire. Time is moved with the platform clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from formflow.services import auth, org
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database
from formflow.storage.types import clock_at

POLICY = auth.AuthPolicy(idle_minutes=120, absolute_hours=24)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _login(database: Database, make_user: Any) -> str:
    make_user("li.na")
    with clock_at(START), database.session(write=True) as session:
        return auth.start_session(session, org.find_user(session, "li.na"))


def _alive(database: Database, sid: str, at: datetime) -> bool:
    with clock_at(at):
        with database.session() as session:
            resolved = auth.resolve_session(session, POLICY, sid)
        if resolved.user is not None and resolved.touch_due:
            with database.session(write=True) as session:
                auth.touch_session(session, sid)
    return resolved.user is not None


def test_every_login_gets_a_new_session_id(database: Database, make_user: Any) -> None:
    first = _login(database, make_user)
    with clock_at(START), database.session(write=True) as session:
        second = auth.start_session(session, org.find_user(session, "li.na"))
    assert first != second
    assert _alive(database, first, START) and _alive(database, second, START)


def test_a_session_ends_after_two_idle_hours(database: Database, make_user: Any) -> None:
    sid = _login(database, make_user)
    assert _alive(database, sid, START + timedelta(minutes=119))
    assert _alive(database, sid, START + timedelta(minutes=200))  # 81 minutes after the last use
    assert not _alive(database, sid, START + timedelta(minutes=200 + 121))


def test_a_used_session_still_ends_after_its_absolute_lifetime(
    database: Database, make_user: Any
) -> None:
    sid = _login(database, make_user)
    for hour in range(1, 24):
        assert _alive(database, sid, START + timedelta(hours=hour))
    assert not _alive(database, sid, START + timedelta(hours=24, minutes=1))


def test_logout_and_deactivation_end_sessions(database: Database, make_user: Any) -> None:
    sid = _login(database, make_user)
    with clock_at(START), database.session(write=True) as session:
        other = auth.start_session(session, org.find_user(session, "li.na"))
        auth.end_session(session, sid)
    assert not _alive(database, sid, START)
    assert _alive(database, other, START)
    with clock_at(START), database.session(write=True) as session:
        user = org.find_user(session, "li.na")
        org.update_user(session, SYSTEM, user.id, {"active": False})
    assert not _alive(database, other, START)


def test_a_token_stops_working_when_it_expires(database: Database, make_user: Any) -> None:
    make_user("li.na")
    with clock_at(START), database.session(write=True) as session:
        token = auth.create_token(session, SYSTEM, org.find_user(session, "li.na"), days=1)
    for at, expected in ((START + timedelta(hours=23), True), (START + timedelta(days=2), False)):
        with clock_at(at), database.session() as session:
            assert (auth.resolve_token(session, token).user is not None) is expected
