"""The frame every page shares: engine, signed-in staff member, role checks, presentation mode.

Pages call `require_permission(...)` first: the menu hides pages a role may not open, and this
check refuses them again, so a hand-typed URL or a stale session cannot get in.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import OperationalError

from components.account import sign_out_everywhere
from components.facility import app_settings
from components.presentation import presentation_frame as show_presentation_frame
from components.presentation import (
    presentation_toggle,
    presenting,
)
from components.safe import Label, show_line
from components.session import (
    current_staff,
    get_engine,  # noqa: F401  (pages import the engine from the frame they already use)
    idle_expired,
    idle_sign_out_message,
    sign_out,
)
from db.permissions import Permission, allows
from db.users import StaffMember

IDLE_CHECK_SECONDS = 60
# No empty band above each page (fixed CSS, never user data). Streamlit pads the page for a
# header that is empty and transparent here, but that header stays on top of the first ~60 px
# and would swallow clicks there, so it lets them through (its own buttons, such as the one
# that reopens a collapsed sidebar, still take theirs). The sign-in cookie's frame is left
# alone: taken out of the flow, it no longer reported back and a changed password never
# reached the browser (it is drawn only in the runs that change the cookie).
COMPACT_TOP_CSS = """<style>
.stMainBlockContainer { padding-top: 1rem; }
.stApp h1 { padding-top: 0.25rem; }
[data-testid="stHeader"] { pointer-events: none; background: transparent; }
[data-testid="stHeader"] * { pointer-events: auto; }
[data-testid="stSidebarHeader"] { height: 1.5rem; margin-bottom: 0; }
</style>"""


def require_permission(permission: Permission) -> StaffMember:
    """The signed-in staff member if their roles grant `permission`; otherwise stop the page.

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
    if not allows(staff, permission):
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
        show_line(Label(staff.display_name))
        show_line(f"{', '.join(sorted(staff.roles))} · {app_settings().facility_name}", small=True)
        presentation_toggle(staff)
        if st.button(
            "Sign out",
            key="sign_out_button",
            icon=":material/logout:",
            help="This browser only",
        ):
            sign_out("You have signed out.")
            st.rerun()
        if st.button(
            "Sign out everywhere",
            key="sign_out_everywhere_button",
            icon=":material/devices:",
            help="Every browser and device where you are signed in",
        ):
            sign_out_everywhere()
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


def database_unavailable(error: OperationalError) -> None:
    """A plain message instead of a traceback; the next rerun retries (pool_pre_ping)."""
    st.error(
        "The database cannot be reached right now. Nothing you typed has been lost: "
        "try again in a moment."
    )
    st.caption(type(error.orig).__name__ if error.orig is not None else "OperationalError")
    st.stop()
