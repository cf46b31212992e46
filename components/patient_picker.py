"""Pick the patient for a contact: search as you type (Enter), new patient, or anonymous.

Keyboard only: type in the search box and press Enter. One sure match (the only one, or the exact
MRN typed) is picked and the page moves the cursor on; otherwise Tab to the result list and pick
with the arrow keys.
Searches are audited (PHI is shown in the results); the query's kind is recorded, not its text.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from components.shell import get_engine
from db.audit import record_audit
from db.patients import PatientMatch, search_kind, search_patients
from db.users import StaffMember
from db.validation import InvalidInput

FIND, NEW, ANONYMOUS = "Find patient", "New patient", "Anonymous"
SEARCH_LABEL = "Search by MRN, name or phone digits"


@dataclass(frozen=True)
class PatientChoice:
    mode: str  # FIND, NEW or ANONYMOUS
    patient: PatientMatch | None  # the picked patient when mode is FIND
    just_found: bool = False  # this run's search found one sure match: the caller moves on


def sure_match(query: str, matches: list[PatientMatch]) -> PatientMatch | None:
    """The one patient a search surely means: the only match, or the match whose MRN is exactly
    what was typed (an MRN prefix also finds the longer MRNs that start with it)."""
    if len(matches) == 1:
        return matches[0]
    typed = query.strip().upper()
    exact = [m for m in matches if m.mrn and m.mrn.upper() == typed]
    return exact[0] if len(exact) == 1 else None


def _search(staff: StaffMember, query: str) -> list[PatientMatch]:
    with Session(get_engine()) as session, session.begin():
        matches = search_patients(session=session, query=query)
        record_audit(
            session=session,
            action="search-patient",
            username=staff.username,
            user_id=staff.id,
            entity="patient",
            detail={"kind": search_kind(query), "results": len(matches)},
        )
    return matches


def picked_patient(key: str) -> PatientMatch | None:
    """The patient picked in picker `key` as its last run drew it, read from the session (in a
    callback, before the script runs). None when the search box no longer holds the search
    whose results were shown: a patient is never taken from an earlier search."""
    state = st.session_state
    if state.get(f"{key}_mode", FIND) != FIND:
        return None
    query = state.get(f"{key}_query", "")
    if not query.strip() or state.get(f"{key}_results_for") != query:
        return None
    picked = state.get(f"{key}_pick")
    return picked if picked in state.get(f"{key}_results", []) else None


def patient_picker(staff: StaffMember, key: str, modes: bool = True) -> PatientChoice:
    """Draw the picker; returns what was chosen so far. `modes`: offer New and Anonymous."""
    mode = FIND
    if modes:
        mode = st.radio(
            "Patient", (FIND, NEW, ANONYMOUS), horizontal=True, key=f"{key}_mode", index=0
        )
    if mode != FIND:
        return PatientChoice(mode, None)
    query = st.text_input(
        SEARCH_LABEL,
        key=f"{key}_query",
        placeholder="e.g. smith jo · MRN00123 · 555 010",
        help="Press Enter to search. One sure match is picked; otherwise Tab to the results "
        "and pick with the arrow keys.",
    )
    cache_key = f"{key}_results"
    just_searched = False
    if query.strip() and st.session_state.get(f"{cache_key}_for") != query:
        try:
            st.session_state[cache_key] = _search(staff, query)
        except InvalidInput as refused:
            st.error(refused.errors["query"], icon=":material/error:")
            return PatientChoice(mode, None)
        st.session_state[f"{cache_key}_for"] = query
        just_searched = True
    matches: list[PatientMatch] = st.session_state.get(cache_key, []) if query.strip() else []
    if query.strip() and not matches:
        st.caption("No patient found. Check the spelling, or choose New patient.")
        return PatientChoice(mode, None)
    if not matches:
        return PatientChoice(mode, None)
    sure = sure_match(query, matches)
    if just_searched:
        # A new search starts from its best match (the exact MRN when there is one).
        st.session_state[f"{key}_pick"] = sure or matches[0]
    picked = st.selectbox(
        "Matching patients",
        matches,
        format_func=lambda m: m.label,
        key=f"{key}_pick",
    )
    return PatientChoice(mode, picked, just_found=just_searched and sure is not None)
