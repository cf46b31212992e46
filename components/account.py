"""Changing one's own password: from My account, and the forced step after an admin reset."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy.orm import Session

from components.admin_forms import FieldSlots
from components.shell import SESSION_STARTED_KEY, get_engine
from db.account import change_own_password
from db.users import MIN_PASSWORD_LENGTH, StaffMember
from db.validation import InvalidInput

CHANGED_KEY = "own_password_changed"


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
    now = dt.datetime.now(dt.UTC)
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
    except InvalidInput as refused:
        slots.show(refused)
        return False
    _restart_session(now)
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


def _restart_session(now: dt.datetime) -> None:
    """Keep this browser signed in: its session now starts at the change (so the server's
    "sessions valid after" accepts it), and the sign-in cookie is issued again."""
    from components.login import SET_COOKIE_PENDING  # login imports the shell, as we do

    st.session_state[SESSION_STARTED_KEY] = now
    st.session_state[SET_COOKIE_PENDING] = True
