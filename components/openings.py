"""Opening a record, as the audit log counts it: once per opening, not once per rerun.

Every click on a page reruns it, so a patient's record drawn again after a filter change or a
form submit is not a new look at it. A record counts as opened again when another one was
opened in between, or when the page was left without it (then `forget_opening`)."""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st

_KEY = "opened_{kind}"


def is_new_opening(kind: str, record_id: Hashable) -> bool:
    """True when `record_id` of `kind` ("patient", "concern") is not the one this browser
    session has open already. Call `remember_opening` after the audit row is committed."""
    return st.session_state.get(_KEY.format(kind=kind)) != record_id


def remember_opening(kind: str, record_id: Hashable) -> None:
    """The audit row of this opening is committed: later reruns of it are not openings."""
    st.session_state[_KEY.format(kind=kind)] = record_id


def forget_opening(kind: str) -> None:
    """The page is showing no record of `kind`: the next one shown is a new opening."""
    st.session_state.pop(_KEY.format(kind=kind), None)
