"""Presentation mode: a screen safe to share (no patient identifier, no narrative).

One switch per browser session, held in session state: turned on by `?present=1` in any address
or by the sidebar toggle, it stays on across every page the user opens until it is turned off
(toggle, or `?present=0`). While on, the address carries `present=1`, so a copied link presents
too. Leadership without a patient-facing role always presents.
"""

from __future__ import annotations

import time

import streamlit as st

from components.session import UNATTENDED_RERUN_KEY
from db.permissions import Permission, allows
from db.users import StaffMember

PRESENTING_KEY = "presentation_mode"  # the switch itself (not a widget key)
TOGGLE_KEY = "presentation_toggle"  # the sidebar toggle that mirrors it
PRESENTATION_REFRESH_SECONDS = 180
AUTO_REFRESH_STARTED_KEY = "presentation_refresh_started"
# Larger type for a shared screen, across a room. A fixed string, never user data.
PRESENTATION_CSS = """<style>
.stApp [data-testid="stMarkdownContainer"] p { font-size: 1.2rem; }
.stApp h1 { font-size: 2.4rem; padding-top: 0; }
.stApp h2, .stApp h3 { font-size: 1.8rem; }
.stApp [data-testid="stWidgetLabel"] p { font-size: 1.1rem; }
.stApp [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
.stApp [data-testid="stMetricLabel"] p { font-size: 1.25rem; }
.stApp [data-testid="stMetricValue"], .stApp [data-testid="stMetricValue"] p { font-size: 2.3rem; }
.stApp [data-testid="stMetricDelta"] p { font-size: 1.2rem; }
</style>"""


def presentation_forced(staff: StaffMember) -> bool:
    """Leadership without a patient-facing role never sees patient data: always presenting."""
    return allows(staff, Permission.PRESENTS_ON_A_SHARED_SCREEN) and not allows(
        staff, Permission.SEES_PATIENT_IDENTIFIERS
    )


def _mirror_in_address(on: bool) -> None:
    if on:
        if st.query_params.get("present") != "1":
            st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


def follow_address() -> None:
    """Take `?present=1` / `?present=0` from the address into the switch, then write the switch
    back into the address (a page opened from the menu has no query string of its own)."""
    asked = st.query_params.get("present")
    if asked in ("1", "0"):
        st.session_state[PRESENTING_KEY] = asked == "1"
    _mirror_in_address(bool(st.session_state.get(PRESENTING_KEY, False)))


def _toggled() -> None:
    on = bool(st.session_state[TOGGLE_KEY])
    st.session_state[PRESENTING_KEY] = on
    _mirror_in_address(on)


def presentation_toggle(staff: StaffMember) -> None:
    """The sidebar switch (or, for leadership, a note that it is always on)."""
    follow_address()
    if presentation_forced(staff):
        st.caption("Presentation mode is always on for leadership.")
        return
    # The toggle shows the switch, however it was turned on.
    st.session_state[TOGGLE_KEY] = bool(st.session_state.get(PRESENTING_KEY, False))
    st.toggle(
        "Presentation mode",
        key=TOGGLE_KEY,
        on_change=_toggled,
        help="Hide patient-identifying data and narrative on every page until turned off",
    )


def presenting(staff: StaffMember | None) -> bool:
    """True when patient-identifying data and narrative must stay off screen."""
    if staff is None or presentation_forced(staff):
        return True
    if st.query_params.get("present") == "1":
        return True
    return bool(st.session_state.get(PRESENTING_KEY, False))


def presentation_frame(on: bool) -> None:
    """When presenting: larger type, and a full rerun every PRESENTATION_REFRESH_SECONDS, which
    keeps the query string and widget state (so the filters stay as they were)."""
    if on:
        st.html(PRESENTATION_CSS)
        st.session_state[AUTO_REFRESH_STARTED_KEY] = time.monotonic()
        _auto_refresh()


@st.fragment(run_every=PRESENTATION_REFRESH_SECONDS)
def _auto_refresh() -> None:
    # Runs with the page (just started: nothing to do) and then on its own timer; only the
    # timer's run is old enough to ask for a full rerun.
    started = st.session_state.get(AUTO_REFRESH_STARTED_KEY)
    if started is not None and time.monotonic() - started >= PRESENTATION_REFRESH_SECONDS - 5:
        st.session_state[UNATTENDED_RERUN_KEY] = True
        st.rerun()
