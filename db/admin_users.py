"""Staff accounts as the administrator manages them: list, create, edit, deactivate, reset, unlock.

Guards: an administrator cannot take away their own admin role or deactivate themselves, and
the last active administrator cannot lose the role or be deactivated, so the hospital is never
left without someone who can manage accounts. Deactivating and resetting a password end the
person's sessions at once (their next click is refused).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.admin import NotAllowed, record_admin_change, require_admin
from db.models import ROLES, AppUser, Department
from db.permissions import Permission, allows, roles_with
from db.users import (
    StaffMember,
    end_all_sessions,
    hash_password,
    normalise_username,
    password_problem,
)
from db.validation import InvalidInput

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
ONE_TIME_PASSWORD_BYTES = 9  # 12 URL-safe characters


@dataclass(frozen=True)
class UserAccount:
    """One row of the Users list (never the password hash)."""

    id: int
    username: str
    display_name: str
    email: str | None
    roles: tuple[str, ...]
    home_department_id: int | None
    home_department: str | None
    active: bool
    last_login_at: dt.datetime | None
    locked_until: dt.datetime | None
    must_change_password: bool


def user_accounts(*, session: Session) -> list[UserAccount]:
    """Every staff account, active first, then by display name."""
    rows = session.execute(
        select(AppUser, Department.name)
        .outerjoin(Department, Department.id == AppUser.home_department_id)
        .order_by(AppUser.active.desc(), AppUser.display_name)
    ).all()
    return [
        UserAccount(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            email=u.email,
            roles=tuple(u.roles),
            home_department_id=u.home_department_id,
            home_department=dept,
            active=u.active,
            last_login_at=u.last_login_at,
            locked_until=u.locked_until,
            must_change_password=u.must_change_password,
        )
        for u, dept in rows
    ]


def new_one_time_password() -> str:
    """A random password to hand over once; the person must replace it at first sign-in."""
    return secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)


def _profile(user: AppUser) -> dict:
    return {
        "display_name": user.display_name,
        "email": user.email,
        "roles": list(user.roles),
        "home_department_id": user.home_department_id,
        "active": user.active,
    }


def _check_profile(
    session: Session,
    *,
    display_name: str,
    email: str | None,
    roles: list[str] | tuple[str, ...],
    home_department_id: int | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not display_name.strip():
        errors["display_name"] = "Enter the person's name."
    elif len(display_name.strip()) > 120:
        errors["display_name"] = "Use at most 120 characters."
    if email and not EMAIL_PATTERN.match(email.strip()):
        errors["email"] = "Enter an email address like name@hospital.org, or leave it empty."
    if not roles:
        errors["roles"] = "Choose at least one role."
    elif set(roles) - set(ROLES):
        errors["roles"] = f"Roles must be among {', '.join(ROLES)}."
    if home_department_id is not None and session.get(Department, home_department_id) is None:
        errors["home_department_id"] = "Choose a department from the list."
    return errors


def _other_active_admins(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AppUser)
        .where(
            AppUser.active,
            AppUser.roles.overlap(list(roles_with(Permission.ADMINISTERS))),
            AppUser.id != user_id,
        )
    )


def _guard_admin_loss(session: Session, actor: StaffMember, user: AppUser, field: str) -> None:
    """Refuse a change that takes admin rights from oneself or from the last active admin."""
    if user.id == actor.id:
        raise InvalidInput(
            {field: "You cannot remove your own administrator access; ask another administrator."}
        )
    if (
        user.active
        and allows(user.roles, Permission.ADMINISTERS)
        and _other_active_admins(session, user.id) == 0
    ):
        raise InvalidInput(
            {field: f"{user.display_name} is the last active administrator; add another first."}
        )


def _end_sessions(session: Session, user: AppUser, now: dt.datetime) -> None:
    # Whole seconds, the precision of a session's issue time: a sign-in right after this (the
    # new password's first use) is not taken for one issued before it.
    end_all_sessions(
        session=session, user_id=user.id, username=user.username, now=now.replace(microsecond=0)
    )


def create_account(
    *,
    session: Session,
    actor: StaffMember,
    username: str,
    display_name: str,
    email: str | None,
    roles: list[str] | tuple[str, ...],
    home_department_id: int | None,
    password: str | None = None,
) -> tuple[int, str | None]:
    """Add a staff account; returns its id and the one-time password when none was typed.

    Either way the person chooses their own password at first sign-in (the administrator knows
    this one)."""
    require_admin(actor)
    name = normalise_username(username)
    errors = _check_profile(
        session,
        display_name=display_name,
        email=email,
        roles=roles,
        home_department_id=home_department_id,
    )
    if not USERNAME_PATTERN.match(name):
        errors["username"] = (
            "Use 2-40 lower-case letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    elif session.scalar(select(AppUser.id).where(AppUser.username == name)) is not None:
        errors["username"] = f"The username {name!r} is taken."
    one_time = None
    if password:
        problem = password_problem(password)
        if problem:
            errors["password"] = problem
    else:
        one_time = password = new_one_time_password()
    if errors:
        raise InvalidInput(errors)
    user = AppUser(
        username=name,
        display_name=display_name.strip(),
        email=(email or "").strip() or None,
        password_hash=hash_password(password),
        roles=sorted(set(roles), key=ROLES.index),
        home_department_id=home_department_id,
        must_change_password=True,
    )
    session.add(user)
    session.flush()
    record_admin_change(
        session=session,
        actor=actor,
        entity="app_user",
        entity_id=user.id,
        change="create user",
        before={},
        after={"username": user.username, **_profile(user)},
    )
    return user.id, one_time


def _user(session: Session, user_id: int) -> AppUser:
    user = session.get(AppUser, user_id, with_for_update=True)
    if user is None:
        raise InvalidInput({"user": "That account no longer exists."})
    return user


def update_account(
    *,
    session: Session,
    actor: StaffMember,
    user_id: int,
    display_name: str,
    email: str | None,
    roles: list[str] | tuple[str, ...],
    home_department_id: int | None,
) -> bool:
    """Edit name, email, roles and home department; False when nothing changed."""
    require_admin(actor)
    user = _user(session, user_id)
    errors = _check_profile(
        session,
        display_name=display_name,
        email=email,
        roles=roles,
        home_department_id=home_department_id,
    )
    if errors:
        raise InvalidInput(errors)
    if allows(user.roles, Permission.ADMINISTERS) and not allows(roles, Permission.ADMINISTERS):
        _guard_admin_loss(session, actor, user, "roles")
    before = _profile(user)
    user.display_name = display_name.strip()
    user.email = (email or "").strip() or None
    user.roles = sorted(set(roles), key=ROLES.index)
    user.home_department_id = home_department_id
    return record_admin_change(
        session=session,
        actor=actor,
        entity="app_user",
        entity_id=user.id,
        change="edit user",
        before=before,
        after=_profile(user),
    )


def set_account_active(
    *, session: Session, actor: StaffMember, user_id: int, active: bool, now: dt.datetime
) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    require_admin(actor)
    user = _user(session, user_id)
    if user.active == active:
        return
    if not active:
        _guard_admin_loss(session, actor, user, "active")
    before = _profile(user)
    user.active = active
    session.flush()
    if not active:
        _end_sessions(session, user, now)
    record_admin_change(
        session=session,
        actor=actor,
        entity="app_user",
        entity_id=user.id,
        change="deactivate user" if not active else "reactivate user",
        before=before,
        after=_profile(user),
    )


def reset_password(*, session: Session, actor: StaffMember, user_id: int, now: dt.datetime) -> str:
    """A new one-time password (returned, shown once); sessions end; a new one is due at sign-in.

    The account is unlocked too: the usual reason for a reset is a forgotten password."""
    require_admin(actor)
    user = _user(session, user_id)
    one_time = new_one_time_password()
    before = {"must_change_password": user.must_change_password, "locked_until": user.locked_until}
    user.password_hash = hash_password(one_time)
    user.must_change_password = True
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = None
    session.flush()
    _end_sessions(session, user, now)
    record_admin_change(
        session=session,
        actor=actor,
        entity="app_user",
        entity_id=user.id,
        change="reset password",
        before={**before, "password": "(previous)"},
        after={"must_change_password": True, "locked_until": None, "password": "(one-time)"},
    )
    return one_time


def unlock_account(*, session: Session, actor: StaffMember, user_id: int) -> bool:
    """Lift a lock-out after failed sign-ins; False if the account was not locked."""
    require_admin(actor)
    user = _user(session, user_id)
    before = {"locked_until": user.locked_until, "failed_login_count": user.failed_login_count}
    user.locked_until = None
    user.failed_login_count = 0
    user.first_failed_login_at = None
    return record_admin_change(
        session=session,
        actor=actor,
        entity="app_user",
        entity_id=user.id,
        change="unlock user",
        before=before,
        after={"locked_until": None, "failed_login_count": 0},
    )


__all__ = [
    "NotAllowed",
    "UserAccount",
    "create_account",
    "reset_password",
    "set_account_active",
    "unlock_account",
    "update_account",
    "user_accounts",
]
