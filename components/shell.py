"""The frame every page shares: engine, signed-in staff member, role checks, presentation mode.

Pages call `require_roles(...)` first: the menu hides pages a role may not open, and this check
refuses them again, so a hand-typed URL or a stale session cannot get in.
"""

from __future__ import annotations

import time

import streamlit as st
from sqlalchemy.exc import OperationalError

from components.safe import Label, show_line
from components.session import (
    UNATTENDED_RERUN_KEY,
    current_staff,
    get_engine,  # noqa: F401  (pages import the engine from the frame they already use)
    idle_expired,
    idle_sign_out_message,
    sign_out,
)
from db.settings import get_settings
from db.users import StaffMember

PRESENTING_KEY = "presentation_mode"  # the sidebar toggle
# Roles that work with identifiable patients. Leadership without one of them always presents.
PHI_ROLES = ("executive", "manager")
PRESENTATION_REFRESH_SECONDS = 180
IDLE_CHECK_SECONDS = 60
AUTO_REFRESH_STARTED_KEY = "presentation_refresh_started"
# Larger type for a shared screen. A fixed string, never user data.
PRESENTATION_CSS = """<style>
.stApp [data-testid="stMarkdownContainer"] p { font-size: 1.2rem; }
.stApp h1 { font-size: 2.8rem; }
.stApp h2, .stApp h3 { font-size: 2rem; }
.stApp [data-testid="stWidgetLabel"] p { font-size: 1.1rem; }
.stApp [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
.stApp [data-testid="stMetricLabel"] p { font-size: 1.3rem; white-space: normal; }
.stApp [data-testid="stMetricValue"], .stApp [data-testid="stMetricValue"] p { font-size: 2.6rem; }
.stApp [data-testid="stMetricDelta"] p { font-size: 1.2rem; }
</style>"""


def require_roles(*roles: str) -> StaffMember:
    """The signed-in staff member if they hold one of `roles`; otherwise stop the page.

    Also draws the sidebar every page shares (who is signed in, presentation mode, sign out):
    drawn from the page rather than from app.py so it is there on every run.
    """
    staff = current_staff()
    if staff is not None and idle_expired():
        sign_out(idle_sign_out_message())
        st.rerun()
    if staff is None:
        st.warning("Please sign in.")
        st.stop()
    if not staff.has_any(*roles):
        st.error("Your role does not give access to this page.")
        st.stop()
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
        show_line(Label(staff.display_name))
        show_line(f"{', '.join(sorted(staff.roles))} · {get_settings().facility_name}", small=True)
        if presentation_forced(staff):
            st.caption("Presentation mode is always on for leadership.")
        else:
            st.toggle("Presentation mode", key=PRESENTING_KEY, help="Hide patient-identifying data")
        if st.button("Sign out", key="sign_out_button", icon=":material/logout:"):
            sign_out("You have signed out.")
            st.rerun()


def presentation_forced(staff: StaffMember) -> bool:
    return "leadership" in staff.roles and not staff.has_any(*PHI_ROLES)


def presentation_mode() -> bool:
    """True when patient-identifying data must stay off screen (SPEC section 2)."""
    staff = current_staff()
    if staff is None:
        return True
    if presentation_forced(staff):
        return True
    if st.query_params.get("present") == "1":
        return True
    return bool(st.session_state.get(PRESENTING_KEY, False))


def presentation_frame() -> bool:
    """For pages that support presentation mode; returns presentation_mode(). When presenting:
    larger type, and a full rerun every PRESENTATION_REFRESH_SECONDS, which keeps the query
    string and widget state (so the filters stay as they were)."""
    presenting = presentation_mode()
    if presenting:
        st.html(PRESENTATION_CSS)
        st.session_state[AUTO_REFRESH_STARTED_KEY] = time.monotonic()
        _auto_refresh()
    return presenting


@st.fragment(run_every=PRESENTATION_REFRESH_SECONDS)
def _auto_refresh() -> None:
    # Runs with the page (just started: nothing to do) and then on its own timer; only the
    # timer's run is old enough to ask for a full rerun.
    started = st.session_state.get(AUTO_REFRESH_STARTED_KEY)
    if started is not None and time.monotonic() - started >= PRESENTATION_REFRESH_SECONDS - 5:
        st.session_state[UNATTENDED_RERUN_KEY] = True
        st.rerun()


def database_unavailable(error: OperationalError) -> None:
    """A plain message instead of a traceback; the next rerun retries (pool_pre_ping)."""
    st.error(
        "The database cannot be reached right now. Nothing you typed has been lost: "
        "try again in a moment."
    )
    st.caption(type(error.orig).__name__ if error.orig is not None else "OperationalError")
    st.stop()
