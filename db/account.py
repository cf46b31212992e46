"""A signed-in person's own account: changing their password, and the forced change after a reset.

Changing the password ends every other session of the person (the caller restarts the current
one); it needs the current password, so an unattended signed-in screen cannot be used to take
the account over.
"""

from __future__ import annotations

import datetime as dt

import bcrypt
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import record_audit
from db.models import AppUser
from db.users import StaffMember, hash_password, password_problem
from db.validation import InvalidInput


def password_change_required(*, session: Session, user_id: int) -> bool:
    """True when an administrator reset (or created) the account and no new password is set."""
    return bool(session.scalar(select(AppUser.must_change_password).where(AppUser.id == user_id)))


def change_own_password(
    *,
    session: Session,
    staff: StaffMember,
    current_password: str,
    new_password: str,
    repeat_password: str,
    now: dt.datetime,
) -> None:
    """Replace the signed-in person's password; sessions begun before `now` stop working.

    Raises InvalidInput keyed by field (current_password, new_password, repeat_password)."""
    user = session.get(AppUser, staff.id, with_for_update=True)
    if user is None or not user.active:
        raise InvalidInput({"current_password": "This account is no longer active."})
    errors: dict[str, str] = {}
    if not bcrypt.checkpw(current_password.encode()[:72], user.password_hash.encode()):
        errors["current_password"] = "That is not your current password."
    problem = password_problem(new_password)
    if problem:
        errors["new_password"] = problem
    elif new_password == current_password:
        errors["new_password"] = "Choose a password different from the current one."
    if not errors and new_password != repeat_password:
        errors["repeat_password"] = "The two new passwords differ."
    if errors:
        raise InvalidInput(errors)
    was_forced = user.must_change_password
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.sessions_valid_after = now
    record_audit(
        session=session,
        action="update",
        username=user.username,
        user_id=user.id,
        entity="app_user",
        entity_id=user.id,
        detail={"change": "own password", "required_by_reset": was_forced},
    )
