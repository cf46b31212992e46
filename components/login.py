"""Sign-in, sign-out, remember-me cookie and idle timeout.

Passwords are checked against `app_user` in PostgreSQL (db.users.authenticate), which also counts
failures, locks accounts and writes the audit rows. streamlit-authenticator signs and reads the
remember-me cookie (a JWT under the configured key); its own login widget is not used because it
keeps failure counts in a Python dict and cannot tell us which username failed, so it could
neither lock accounts in the database nor audit failed logins.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy.orm import Session

from components.session import (
    DELETE_COOKIE_PENDING,
    SESSION_STARTED_KEY,
    SIGN_OUT_NOTICE,
    STAFF_KEY,
    clear_session,
    get_engine,
    idle_expired,
    idle_sign_out_message,
    sign_out,
    touch_activity,
)
from components.shell import presentation_forced
from db.demo import DEMO_PASSWORD, DEMO_USERS
from db.settings import get_settings
from db.users import StaffMember, authenticate, staff_for_session

COOKIE_NAME = "prdesk_session"
AUTHENTICATOR_KEY = "cookie_authenticator"
SET_COOKIE_PENDING = "set_cookie_pending"
FAILED_LOGIN_MESSAGE = (
    "Username or password is incorrect. After 5 failed attempts in 15 minutes an account is "
    "locked for 15 minutes."
)


def _new_authenticator() -> stauth.Authenticate:
    """Made once per script run: it draws the cookie component, which may appear only once."""
    settings = get_settings()
    authenticator = stauth.Authenticate(
        {"usernames": {}},
        cookie_name=COOKIE_NAME,
        cookie_key=settings.require_cookie_key(),
        cookie_expiry_days=settings.cookie_expiry_hours / 24,
        auto_hash=False,
    )
    st.session_state[AUTHENTICATOR_KEY] = authenticator
    return authenticator


def _start_session(staff: StaffMember, started_at: dt.datetime) -> None:
    st.session_state[STAFF_KEY] = staff
    st.session_state[SESSION_STARTED_KEY] = started_at
    # streamlit-authenticator's own state, so its cookie controller knows who is signed in.
    st.session_state["authentication_status"] = True
    st.session_state["username"] = staff.username
    st.session_state["name"] = staff.display_name
    st.session_state["roles"] = sorted(staff.roles)
    st.session_state["logout"] = False
    touch_activity(unattended_counts=presentation_forced(staff))


def ensure_signed_in() -> StaffMember | None:
    """The staff member of this browser session after checking it is still valid, else None.

    Re-validated against the database on every run, so a deactivated account, a password
    change or a logout elsewhere ends this session at its next interaction.
    """
    authenticator = _new_authenticator()
    if st.session_state.pop(DELETE_COOKIE_PENDING, False):
        authenticator.cookie_controller.delete_cookie()
    staff: StaffMember | None = st.session_state.get(STAFF_KEY)
    if staff is not None and idle_expired():
        sign_out(idle_sign_out_message())
        return None
    with Session(get_engine()) as session:
        if staff is not None:
            staff = staff_for_session(
                session=session,
                username=staff.username,
                session_started_at=st.session_state[SESSION_STARTED_KEY],
            )
            if staff is None:
                clear_session()
                st.session_state[SIGN_OUT_NOTICE] = "Your session has ended. Please sign in again."
                return None
            st.session_state[STAFF_KEY] = staff
        else:
            token = authenticator.cookie_controller.get_cookie()
            if token:
                issued_at = dt.datetime.fromtimestamp(token["exp_date"], dt.UTC) - dt.timedelta(
                    hours=get_settings().cookie_expiry_hours
                )
                staff = staff_for_session(
                    session=session, username=token["username"], session_started_at=issued_at
                )
                if staff is not None:
                    _start_session(staff, issued_at)
    if staff is not None:
        touch_activity(unattended_counts=presentation_forced(staff))
        if st.session_state.pop(SET_COOKIE_PENDING, False):
            authenticator.cookie_controller.set_cookie()
    return staff


def login_page() -> None:
    """The sign-in form (and, in demo mode, the demo accounts)."""
    settings = get_settings()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Patient Relations Desk")
        st.caption(settings.facility_name)
        notice = st.session_state.pop(SIGN_OUT_NOTICE, None)
        if notice:
            st.info(notice)
        with st.form("sign_in_form"):
            st.subheader("Sign in")
            username = st.text_input("Username", key="sign_in_username", autocomplete="username")
            password = st.text_input(
                "Password",
                type="password",
                key="sign_in_password",
                autocomplete="current-password",
            )
            submitted = st.form_submit_button("Sign in", type="primary")
        if submitted:
            _submit_sign_in(username, password)
        if settings.demo_mode:
            st.divider()
            st.markdown(f"**Demo accounts** (password `{DEMO_PASSWORD}`)")
            st.table(
                {
                    "Username": [u.username for u in DEMO_USERS],
                    "Role": [", ".join(u.roles) for u in DEMO_USERS],
                    "Who": [f"{u.display_name}, {u.job_title}" for u in DEMO_USERS],
                }
            )


def _submit_sign_in(username: str, password: str) -> None:
    if not username.strip() or not password:
        st.error("Enter your username and password.")
        return
    with Session(get_engine()) as session, session.begin():
        staff = authenticate(session=session, username=username, password=password)
    if staff is None:
        st.error(FAILED_LOGIN_MESSAGE)
        return
    _start_session(staff, dt.datetime.now(dt.UTC))
    st.session_state[SET_COOKIE_PENDING] = True
    st.session_state.pop("sign_in_password", None)
    # Without this rerun the first submit would seem to do nothing: the menu for the role only
    # appears on the next run.
    st.rerun()
