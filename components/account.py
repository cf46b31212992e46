"""Changing one's own password (from My account, and the forced step after an admin reset), and
signing out of every browser at once."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy.orm import Session

from components.admin_forms import FieldSlots
from components.session import (
    SESSION_ID_KEY,
    SESSION_STARTED_KEY,
    current_staff,
    get_engine,
    sign_out,
)
from db.account import change_own_password
from db.users import MIN_PASSWORD_LENGTH, StaffMember, end_all_sessions, start_session
from db.validation import InvalidInput

CHANGED_KEY = "own_password_changed"
SIGNED_OUT_EVERYWHERE = "You have signed out on every browser and device."


def sign_out_everywhere() -> None:
    """End every session of the signed-in person (a shared workstation left signed in, a phone),
    then this browser's. "Sign out" ends this browser's only."""
    staff = current_staff()
    if staff is not None:
        # Whole seconds, the precision of a session's issue time: signing in again at once is
        # not taken for a session issued before this.
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with Session(get_engine()) as session, session.begin():
            end_all_sessions(session=session, user_id=staff.id, username=staff.username, now=now)
    sign_out(SIGNED_OUT_EVERYWHERE)


def password_change_form(staff: StaffMember, *, forced: bool) -> bool:
    """The form; True once the password was changed in this run. Other sessions end; this one
    restarts at the change so it stays signed in."""
    if st.session_state.pop(CHANGED_KEY, False):
        st.success("Your password is changed. Other sessions of yours have been signed out.")
    if forced:
        st.warning(
            "An administrator set a temporary password for you. Choose your own to continue.",
            icon=":material/key:",
        )
    slots = FieldSlots()
    with st.form("own_password_form"):
        current = st.text_input(
            "Temporary password" if forced else "Current password",
            type="password",
            autocomplete="current-password",
        )
        slots.under("current_password")
        new = st.text_input(
            "New password",
            type="password",
            autocomplete="new-password",
            help=f"At least {MIN_PASSWORD_LENGTH} characters.",
        )
        slots.under("new_password")
        repeat = st.text_input("New password again", type="password", autocomplete="new-password")
        slots.under("repeat_password")
        submitted = st.form_submit_button("Change password", type="primary")
    if not submitted:
        return False
    # Whole seconds: the precision of a session's issue time, so the new session below is not
    # "issued before" the change that ends the others.
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        with Session(get_engine()) as session, session.begin():
            change_own_password(
                session=session,
                staff=staff,
                current_password=current,
                new_password=new,
                repeat_password=repeat,
                now=now,
            )
            session_id = start_session(session=session, user_id=staff.id, now=now)
    except InvalidInput as refused:
        slots.show(refused)
        return False
    _restart_session(staff, session_id, now)
    st.session_state[CHANGED_KEY] = True
    st.rerun()
    return True


def password_changed_notice() -> None:
    """After a change, on whichever page the person lands (the forced step leaves its page)."""
    if st.session_state.pop(CHANGED_KEY, False):
        st.toast(
            "Your password is changed. Your other sessions have been signed out.",
            icon=":material/check_circle:",
        )


def _restart_session(staff: StaffMember, session_id, issued_at: dt.datetime) -> None:
    """Keep this browser signed in: a new server-side session issued at the change (which the
    server's "sessions valid after" accepts), and a sign-in cookie for it."""
    from components.login import SET_COOKIE_PENDING, issue_token  # login imports session too

    st.session_state[SESSION_ID_KEY] = session_id
    st.session_state[SESSION_STARTED_KEY] = issued_at
    st.session_state[SET_COOKIE_PENDING] = issue_token(staff, session_id, issued_at)
