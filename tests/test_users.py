"""Login against app_user: bcrypt, lock-out, audit rows, sessions ended server-side."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, update

from db.models import AppUser, AuditLog
from db.users import (
    FAILURE_WINDOW,
    LOCK_DURATION,
    MAX_FAILED_LOGINS,
    authenticate,
    create_user,
    end_session,
    set_password,
    staff_for_session,
    start_session,
)

PASSWORD = "correct-horse-1"
T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def _login(session, username, password, now=T0):
    staff = authenticate(session=session, username=username, password=password, now=now)
    session.commit()
    return staff


def _audit(session):
    return [(a.action, a.username) for a in session.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_password_is_stored_as_bcrypt_and_login_works(session, make_staff):
    make_staff("manager", username="dokafor")
    stored = session.scalar(select(AppUser.password_hash).where(AppUser.username == "dokafor"))
    assert stored.startswith("$2") and PASSWORD not in stored
    staff = _login(session, "  DOkafor ", PASSWORD)
    assert staff.username == "dokafor" and staff.roles == frozenset({"manager"})
    assert _audit(session) == [("login", "dokafor")]


@pytest.mark.parametrize("username", ["dokafor", "nobody"])
def test_wrong_password_and_unknown_user_fail_alike_and_are_audited(session, make_staff, username):
    make_staff("manager", username="dokafor")
    assert _login(session, username, "wrong") is None
    assert _audit(session) == [("login-failed", username)]


def test_five_failures_in_fifteen_minutes_lock_the_account(session, make_staff):
    make_staff("executive", username="pnair")
    for i in range(MAX_FAILED_LOGINS):
        assert _login(session, "pnair", "wrong", now=T0 + dt.timedelta(minutes=i)) is None
    locked_at = T0 + dt.timedelta(minutes=MAX_FAILED_LOGINS - 1)
    # The right password is refused while locked, with the same answer as a wrong one.
    assert _login(session, "pnair", PASSWORD, now=locked_at + dt.timedelta(minutes=1)) is None
    assert (
        _login(session, "pnair", PASSWORD, now=locked_at + LOCK_DURATION - dt.timedelta(seconds=1))
        is None
    )
    assert _login(session, "pnair", PASSWORD, now=locked_at + LOCK_DURATION) is not None


def test_failures_spread_beyond_the_window_do_not_lock(session, make_staff):
    make_staff("executive", username="pnair")
    step = FAILURE_WINDOW / (MAX_FAILED_LOGINS - 1) + dt.timedelta(seconds=1)
    for i in range(MAX_FAILED_LOGINS):
        _login(session, "pnair", "wrong", now=T0 + i * step)
    assert _login(session, "pnair", PASSWORD, now=T0 + MAX_FAILED_LOGINS * step) is not None


def test_a_successful_login_resets_the_failure_count(session, make_staff):
    make_staff("executive", username="pnair")
    for i in range(MAX_FAILED_LOGINS - 1):
        _login(session, "pnair", "wrong", now=T0 + dt.timedelta(minutes=i))
    assert _login(session, "pnair", PASSWORD, now=T0 + dt.timedelta(minutes=5)) is not None
    assert _login(session, "pnair", "wrong", now=T0 + dt.timedelta(minutes=6)) is None
    assert _login(session, "pnair", PASSWORD, now=T0 + dt.timedelta(minutes=7)) is not None


def test_inactive_account_cannot_sign_in(session, make_staff):
    make_staff("admin", username="gone")
    session.execute(update(AppUser).where(AppUser.username == "gone").values(active=False))
    session.commit()
    assert _login(session, "gone", PASSWORD) is None


IDLE = dt.timedelta(minutes=15)


def _valid(session, session_id, issued_at, now, username="dokafor"):
    staff = staff_for_session(
        session=session,
        session_id=session_id,
        username=username,
        issued_at=issued_at,
        idle_timeout=IDLE,
        now=now,
    )
    session.commit()
    return staff


def _start(session, staff, now):
    session_id = start_session(session=session, user_id=staff.id, now=now)
    session.commit()
    return session_id, now.replace(microsecond=0)


def test_password_change_and_logout_end_earlier_sessions(session, make_staff):
    staff = make_staff("manager", username="dokafor")
    started = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
    changed, later, logged_out = (started + dt.timedelta(minutes=m) for m in (5, 6, 7))
    first, first_at = _start(session, staff, started)
    assert _valid(session, first, first_at, now=started)
    set_password(session=session, username="dokafor", password="another-horse-2", now=changed)
    session.commit()
    assert _valid(session, first, first_at, now=changed) is None
    second, second_at = _start(session, staff, later)
    assert _valid(session, second, second_at, now=later)
    assert _login(session, "dokafor", PASSWORD) is None
    assert _login(session, "dokafor", "another-horse-2") is not None
    end_session(
        session=session, session_id=second, user_id=staff.id, username="dokafor", now=logged_out
    )
    session.commit()
    assert _valid(session, second, second_at, now=logged_out) is None


def test_a_session_idle_too_long_is_refused_even_with_the_tab_closed(session, make_staff):
    staff = make_staff("manager", username="dokafor")
    session_id, issued_at = _start(session, staff, T0)
    # Activity keeps it alive past the timeout counted from the sign-in...
    assert _valid(session, session_id, issued_at, now=T0 + IDLE - dt.timedelta(seconds=1))
    assert _valid(session, session_id, issued_at, now=T0 + IDLE + dt.timedelta(minutes=10))
    # ...but nobody used it for longer than the timeout (a closed tab): the cookie is refused,
    # and stays refused.
    idle_from = T0 + IDLE + dt.timedelta(minutes=10)
    assert (
        _valid(session, session_id, issued_at, now=idle_from + IDLE + dt.timedelta(seconds=1))
        is None
    )
    assert _valid(session, session_id, issued_at, now=idle_from + dt.timedelta(minutes=1)) is None


def test_a_cookie_must_name_its_session_its_issue_time_and_its_user(session, make_staff):
    staff = make_staff("manager", username="dokafor")
    make_staff("manager", username="pnair")
    session_id, issued_at = _start(session, staff, T0)
    now = T0 + dt.timedelta(minutes=1)
    assert _valid(session, uuid.uuid4(), issued_at, now) is None
    # An issue time moved (a far-future expiry, a re-signed older token) does not match.
    assert _valid(session, session_id, issued_at + dt.timedelta(days=300), now) is None
    assert _valid(session, session_id, issued_at, now, username="pnair") is None
    assert _valid(session, session_id, issued_at, now) is not None


def test_a_lockout_stops_new_sign_ins_but_not_a_session_that_proved_the_password(
    session, make_staff
):
    staff = make_staff("executive", username="dokafor")
    session_id, issued_at = _start(session, staff, T0)
    for i in range(MAX_FAILED_LOGINS):
        _login(session, "dokafor", "wrong", now=T0 + dt.timedelta(seconds=i + 1))
    now = T0 + dt.timedelta(minutes=1)
    assert _login(session, "dokafor", PASSWORD, now=now) is None  # locked
    assert _valid(session, session_id, issued_at, now=now) is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"roles": ["janitor"]}, "Roles must be"),
        ({"roles": []}, "Roles must be"),
        ({"password": "short"}, "at least 8"),
    ],
)
def test_create_user_refuses_bad_input(session, kwargs, message):
    args = {"username": "x.y", "display_name": "X Y", "password": PASSWORD, "roles": ["manager"]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        create_user(session=session, **args)


def test_cli_creates_a_user_and_sets_a_password(engine, monkeypatch, session):
    from db.cli import main

    monkeypatch.setenv("PRD_NEW_PASSWORD", "first-password-1")
    assert (
        main(["create-user", "jdoe", "--name", "Jane Doe", "--role", "manager", "--role", "admin"])
        == 0
    )
    assert main(["create-user", "jdoe", "--name", "Jane Again", "--role", "manager"]) == 2
    monkeypatch.setenv("PRD_NEW_PASSWORD", "second-password-2")
    assert main(["set-password", "jdoe"]) == 0
    assert main(["set-password", "nobody"]) == 2
    staff = _login(session, "jdoe", "second-password-2")
    assert staff.roles == frozenset({"manager", "admin"})
