"""The frame every page shares: engine, signed-in staff member, role checks, presentation mode.

Pages call `require_roles(...)` first: the menu hides pages a role may not open, and this check
refuses them again, so a hand-typed URL or a stale session cannot get in.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from components.presentation import (
    AUTO_REFRESH_RERUN_KEY,
    presentation_forced,
    presentation_toggle,
    presenting,
)
from components.presentation import presentation_frame as show_presentation_frame
from components.safe import escape_markdown
from db.engine import database_url, make_engine
from db.settings import get_settings
from db.users import StaffMember

STAFF_KEY = "staff"
SESSION_STARTED_KEY = "session_started_at"
LAST_ACTIVITY_KEY = "last_activity_at"
IDLE_CHECK_SECONDS = 60
# Less empty space above each page (Streamlit leaves about 6rem); fixed CSS, never user data.
COMPACT_TOP_CSS = """<style>
.stMainBlockContainer { padding-top: 2.2rem; }
[data-testid="stSidebarHeader"] { height: 1.5rem; margin-bottom: 0; }
</style>"""


@lru_cache(maxsize=1)
def _resolved_database_url() -> str:
    return database_url(get_settings())


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The app's one engine (shared by all sessions; sessions are made per unit of work)."""
    return _engine_for(_resolved_database_url())


def current_staff() -> StaffMember | None:
    return st.session_state.get(STAFF_KEY)


def require_roles(*roles: str) -> StaffMember:
    """The signed-in staff member if they hold one of `roles`; otherwise stop the page.

    Also draws the sidebar every page shares (who is signed in, presentation mode, sign out):
    drawn from the page rather than from app.py so it is there on every run.
    """
    staff = current_staff()
    if staff is not None and idle_expired():
        from components.login import sign_out  # login imports this module

        sign_out(idle_sign_out_message())
        st.rerun()
    if staff is None:
        st.warning("Please sign in.")
        st.stop()
    if not staff.has_any(*roles):
        st.error("Your role does not give access to this page.")
        st.stop()
    st.html(COMPACT_TOP_CSS)
    _draw_sidebar(staff)
    _idle_watch()
    return staff


@st.fragment(run_every=IDLE_CHECK_SECONDS)
def _idle_watch() -> None:
    # The timer's own reruns touch nothing (only a full run counts as activity), so a screen
    # left alone is signed out and blanked within a minute of the timeout, not at the next click.
    if idle_expired():
        st.rerun(scope="app")


def _draw_sidebar(staff: StaffMember) -> None:
    with st.sidebar:
        st.markdown(f"**{escape_markdown(staff.display_name)}**")
        st.caption(
            f"{', '.join(sorted(staff.roles))} · {escape_markdown(get_settings().facility_name)}"
        )
        presentation_toggle(staff)
        if st.button("Sign out", key="sign_out_button", icon=":material/logout:"):
            from components.login import sign_out  # login imports this module

            sign_out("You have signed out.")
            st.rerun()


def presentation_mode() -> bool:
    """True when patient-identifying data and narrative must stay off screen."""
    return presenting(current_staff())


def presentation_frame() -> bool:
    """For pages that support presentation mode; returns presentation_mode(). When presenting:
    larger type and a timed refresh (components.presentation)."""
    on = presentation_mode()
    show_presentation_frame(on)
    return on


def touch_activity(now: dt.datetime | None = None) -> None:
    # A presentation screen refreshing itself is nobody at the keyboard: it must not hold off
    # the idle sign-out, except for leadership-only sessions, which can never show PHI.
    if st.session_state.pop(AUTO_REFRESH_RERUN_KEY, False) and not (
        current_staff() is not None and presentation_forced(current_staff())
    ):
        return
    st.session_state[LAST_ACTIVITY_KEY] = now or dt.datetime.now(dt.UTC)


def idle_sign_out_message() -> str:
    minutes = get_settings().idle_timeout_minutes
    return f"Signed out after {minutes} minute{'s' if minutes != 1 else ''} without activity."


def idle_expired(now: dt.datetime | None = None) -> bool:
    """Has this session been idle longer than the configured timeout?"""
    last = st.session_state.get(LAST_ACTIVITY_KEY)
    if last is None:
        return False
    now = now or dt.datetime.now(dt.UTC)
    return now - last > dt.timedelta(minutes=get_settings().idle_timeout_minutes)


def database_unavailable(error: OperationalError) -> None:
    """A plain message instead of a traceback; the next rerun retries (pool_pre_ping)."""
    st.error(
        "The database cannot be reached right now. Nothing you typed has been lost: "
        "try again in a moment."
    )
    st.caption(type(error.orig).__name__ if error.orig is not None else "OperationalError")
    st.stop()
