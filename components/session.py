"""The signed-in browser session: its state keys, the database engine, idleness and sign-out.

Both the sign-in component (components/login.py) and the page frame (components/shell.py) read
and end the session through this module, so the idle rule and sign-out are written once and the
two never import each other.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.engine import app_database_url, make_engine
from db.settings import get_settings
from db.users import StaffMember, end_session

STAFF_KEY = "staff"
SESSION_STARTED_KEY = "session_started_at"
SESSION_ID_KEY = "session_id"  # the server-side session (db.users.start_session)
LAST_ACTIVITY_KEY = "last_activity_at"
# Set by a rerun nobody asked for (a presentation screen refreshing itself): not activity.
UNATTENDED_RERUN_KEY = "presentation_auto_refresh"
DELETE_COOKIE_PENDING = "delete_cookie_pending"
SIGN_OUT_NOTICE = "sign_out_notice"


@lru_cache(maxsize=1)
def _resolved_database_url() -> str:
    return app_database_url(get_settings())


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The app's one engine (shared by all sessions; sessions are made per unit of work)."""
    return _engine_for(_resolved_database_url())


def current_staff() -> StaffMember | None:
    """Who is signed in to this browser session, or None."""
    return st.session_state.get(STAFF_KEY)


def unattended_rerun() -> bool:
    """Was this run started by a timer rather than a person?"""
    return bool(st.session_state.get(UNATTENDED_RERUN_KEY, False))


def touch_activity(now: dt.datetime | None = None, *, unattended_counts: bool = False) -> None:
    """Record that someone used this session now (a rerun nobody asked for does not count,
    unless `unattended_counts`: leadership-only sessions, which can never show PHI)."""
    if st.session_state.pop(UNATTENDED_RERUN_KEY, False) and not unattended_counts:
        return
    st.session_state[LAST_ACTIVITY_KEY] = now or dt.datetime.now(dt.UTC)


def idle_timeout() -> dt.timedelta:
    return dt.timedelta(minutes=get_settings().idle_timeout_minutes)


def idle_sign_out_message() -> str:
    minutes = get_settings().idle_timeout_minutes
    return f"Signed out after {minutes} minute{'s' if minutes != 1 else ''} without activity."


def idle_expired(now: dt.datetime | None = None) -> bool:
    """Has this session been idle longer than the configured timeout?"""
    last = st.session_state.get(LAST_ACTIVITY_KEY)
    if last is None:
        return False
    now = now or dt.datetime.now(dt.UTC)
    return now - last > idle_timeout()


def clear_session() -> None:
    """Forget who is signed in to this browser session (the server side is not touched)."""
    for key in (STAFF_KEY, SESSION_STARTED_KEY, SESSION_ID_KEY, LAST_ACTIVITY_KEY):
        st.session_state.pop(key, None)


def sign_out(reason: str) -> None:
    """End this session server-side, drop the cookie, and say why on the sign-in page."""
    staff = current_staff()
    if staff is not None:
        with Session(get_engine()) as session, session.begin():
            end_session(
                session=session,
                session_id=st.session_state.get(SESSION_ID_KEY),
                user_id=staff.id,
                username=staff.username,
            )
    # The cookie is deleted by the next run, which completes (this one is usually cut short by
    # a rerun); until then the server already refuses it (the session is ended).
    st.session_state[DELETE_COOKIE_PENDING] = True
    clear_session()
    st.session_state[SIGN_OUT_NOTICE] = reason
