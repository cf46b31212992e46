"""Staff accounts: creation, passwords (bcrypt), login with lock-out, session invalidation."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import bcrypt
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.audit import record_audit
from db.models import ROLES, AppUser, StaffSession
from db.settings import get_settings

MAX_FAILED_LOGINS = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_DURATION = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
BCRYPT_ROUNDS = 12  # about a quarter second per check on this hardware; tests lower it
# Compared against when the username is unknown, so a wrong username costs the same time as a
# wrong password and timing does not reveal which usernames exist.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds=12))


@dataclass(frozen=True)
class StaffMember:
    """The signed-in person, as the pages need them (no password hash)."""

    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    home_department_id: int | None


def staff_member(user: AppUser) -> StaffMember:
    """The staff member as the app sees them, from their account row."""
    return StaffMember(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset(user.roles),
        home_department_id=user.home_department_id,
    )


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password.encode()) > 72:
        return "Use at most 72 bytes (bcrypt ignores the rest)."
    return None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    password: str,
    roles: list[str] | tuple[str, ...],
    email: str | None = None,
    home_department_id: int | None = None,
) -> AppUser:
    """Add a staff account. Raises ValueError with a plain message on bad input."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"Roles must be one or more of {', '.join(ROLES)}.")
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    user = AppUser(
        username=normalise_username(username),
        display_name=display_name.strip(),
        email=email,
        password_hash=hash_password(password),
        roles=sorted(set(roles), key=ROLES.index),
        home_department_id=home_department_id,
    )
    session.add(user)
    session.flush()
    return user


def set_password(
    *, session: Session, username: str, password: str, now: dt.datetime | None = None
) -> None:
    """Change a password, unlock the account, and end every existing session of that user."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    result = session.execute(
        update(AppUser)
        .where(AppUser.username == normalise_username(username))
        .values(
            password_hash=hash_password(password),
            failed_login_count=0,
            first_failed_login_at=None,
            locked_until=None,
            sessions_valid_after=now or dt.datetime.now(dt.UTC),
        )
    )
    if result.rowcount != 1:
        raise ValueError(f"No user named {username!r}.")


def authenticate(
    *, session: Session, username: str, password: str, now: dt.datetime | None = None
) -> StaffMember | None:
    """Check a login and record it (audit row, failure counter, lock-out).

    Returns the staff member, or None for any failure: unknown user, wrong password, inactive or
    locked account all look the same to the caller, so the screen cannot reveal which usernames
    exist. Five failures within 15 minutes lock the account for 15 minutes.
    """
    now = now or dt.datetime.now(dt.UTC)
    name = normalise_username(username)
    user = session.scalar(select(AppUser).where(AppUser.username == name).with_for_update())
    password_ok = bcrypt.checkpw(
        password.encode()[:72], user.password_hash.encode() if user else _DUMMY_HASH
    )
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    if user is None or not user.active or locked or not password_ok:
        if user is not None and not locked:
            _count_failure(user, now)
        record_audit(
            session=session,
            action="login-failed",
            username=name[:80],
            user_id=user.id if user else None,
            detail={"locked": bool(user and user.locked_until and user.locked_until > now)},
        )
        return None
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = None
    user.last_login_at = now
    record_audit(session=session, action="login", username=user.username, user_id=user.id)
    return staff_member(user)


def _count_failure(user: AppUser, now: dt.datetime) -> None:
    window_open = (
        user.first_failed_login_at is not None and now - user.first_failed_login_at < FAILURE_WINDOW
    )
    if window_open:
        user.failed_login_count += 1
    else:
        user.first_failed_login_at = now
        user.failed_login_count = 1
    if user.failed_login_count >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCK_DURATION
        user.failed_login_count = 0
        user.first_failed_login_at = None


def start_session(*, session: Session, user_id: int, now: dt.datetime) -> uuid.UUID:
    """Open a server-side session for a sign-in that proved the password; returns its id.

    `now` is kept to whole seconds, the precision of the issue time the cookie carries."""
    issued_at = now.replace(microsecond=0)
    session_id = uuid.uuid4()
    session.add(
        StaffSession(
            id=session_id, user_id=user_id, issued_at=issued_at, last_activity_at=issued_at
        )
    )
    session.flush()
    return session_id


def staff_for_session(
    *,
    session: Session,
    session_id: uuid.UUID,
    username: str,
    issued_at: dt.datetime,
    idle_timeout: dt.timedelta,
    now: dt.datetime,
    active: bool = True,
    lifetime: dt.timedelta | None = None,
) -> StaffMember | None:
    """The staff member behind a session or sign-in cookie, if it is still valid; records the
    activity (unless `active` is False: a rerun nobody asked for).

    Refused when the session is unknown, was ended (sign-out), was issued at another time than
    the cookie says, has been idle longer than `idle_timeout` or began longer than `lifetime` ago
    (default: the session_lifetime_hours setting, 12 hours; it is ended then, however active),
    or began before the user's last password change; and when the account is gone or inactive.
    A lock-out does not end it: it stops new sign-ins, and this session already proved the
    password.
    """
    row = session.get(StaffSession, session_id, with_for_update=True)
    if row is None or row.ended_at is not None or row.issued_at != issued_at:
        return None
    user = session.get(AppUser, row.user_id)
    if user is None or not user.active or user.username != normalise_username(username):
        return None
    if lifetime is None:
        lifetime = dt.timedelta(hours=get_settings().session_lifetime_hours)
    if now - row.last_activity_at > idle_timeout or now - row.issued_at > lifetime:
        row.ended_at = max(now, row.issued_at)
        return None
    if user.sessions_valid_after is not None and row.issued_at < user.sessions_valid_after:
        return None
    if active and now > row.last_activity_at:
        row.last_activity_at = now
    return staff_member(user)


def end_session(
    *,
    session: Session,
    session_id: uuid.UUID | None,
    user_id: int,
    username: str,
    now: dt.datetime | None = None,
) -> None:
    """Sign-out: this session stops working at once (its cookie is refused everywhere)."""
    now = now or dt.datetime.now(dt.UTC)
    if session_id is not None:
        session.execute(
            update(StaffSession)
            .where(StaffSession.id == session_id, StaffSession.ended_at.is_(None))
            .values(ended_at=func.greatest(now, StaffSession.issued_at))
        )
    record_audit(session=session, action="logout", username=username, user_id=user_id)


def end_all_sessions(
    *, session: Session, user_id: int, username: str, now: dt.datetime | None = None
) -> None:
    """Logout: every session and login cookie of this user issued before now stops working.

    "Now" is the app server's clock, the same clock that stamps session starts, so the
    comparison in `staff_for_session` never mixes two clocks. The sessions open now are also
    ended one by one, so one that began within the same second as `now` ends too."""
    now = now or dt.datetime.now(dt.UTC)
    session.execute(update(AppUser).where(AppUser.id == user_id).values(sessions_valid_after=now))
    session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
        .values(ended_at=func.greatest(now, StaffSession.issued_at))
    )
    record_audit(session=session, action="logout", username=username, user_id=user_id)


def list_staff(*, session: Session, active_only: bool = True) -> list[StaffMember]:
    """Staff for owner pickers and the admin page, by display name."""
    stmt = select(AppUser).order_by(AppUser.display_name)
    if active_only:
        stmt = stmt.where(AppUser.active)
    return [staff_member(u) for u in session.scalars(stmt)]
