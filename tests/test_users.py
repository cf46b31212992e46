"""Login against app_user: bcrypt, lock-out, audit rows, sessions ended server-side."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from db.models import AppUser, AuditLog
from db.users import (
    FAILURE_WINDOW,
    LOCK_DURATION,
    MAX_FAILED_LOGINS,
    authenticate,
    create_user,
    end_all_sessions,
    set_password,
    staff_for_session,
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


def test_password_change_and_logout_end_earlier_sessions(session, make_staff):
    staff = make_staff("manager", username="dokafor")
    started = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
    changed, later, logged_out = (started + dt.timedelta(minutes=m) for m in (5, 6, 7))

    def valid(session_started_at, now):
        return staff_for_session(
            session=session, username="dokafor", session_started_at=session_started_at, now=now
        )

    assert valid(started, now=started)
    set_password(session=session, username="dokafor", password="another-horse-2", now=changed)
    session.commit()
    assert valid(started, now=changed) is None
    assert valid(later, now=later)
    assert _login(session, "dokafor", PASSWORD) is None
    assert _login(session, "dokafor", "another-horse-2") is not None
    end_all_sessions(session=session, user_id=staff.id, username="dokafor", now=logged_out)
    session.commit()
    assert valid(later, now=logged_out) is None


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
