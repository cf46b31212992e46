"""Log interaction: the fast path for every call, walk-in, email and letter."""

import dataclasses
import datetime as dt

import streamlit as st
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from components.interaction_form import (
    OUTCOME_LABELS,
    Choices,
    describe_saved,
    field_error,
    interaction_form,
)
from components.patient_picker import FIND, patient_picker
from components.safe import Label, show_notice, show_table
from components.shell import get_engine, presentation_mode, require_roles
from db.concerns import may_act
from db.intake import AlreadySaved, InvalidInput, log_interaction, my_recent_interactions
from db.patients import RECENT_CONTACT_WINDOW, contacts_since, open_concerns_of
from db.periods import facility_today, local_midnight
from db.reference import active_categories, active_departments
from db.settings import get_settings
from db.users import list_staff

staff = require_roles("executive", "manager")
tz = get_settings().facility_tz
st.title("Log interaction")
if presentation_mode():
    st.info("Logging is switched off in presentation mode.")
    st.stop()

version = st.session_state.setdefault("log_form_version", 0)
key = f"log{version}"
# The confirmation of the last save stays until the next one (its button must survive a rerun).
saved = st.session_state.get("log_saved")
if saved:
    show_notice("success", saved["text"])
    if saved["concern_id"] and st.button(
        f"Open concern #{saved['concern_id']}", icon=":material/open_in_new:", key="open_saved"
    ):
        st.switch_page("pages/open_concerns.py", query_params={"concern": saved["concern_id"]})

choice = patient_picker(staff, key=f"{key}_patient")
open_concerns = []
if choice.patient is not None:
    now = dt.datetime.now(dt.UTC)
    with Session(get_engine()) as session:
        open_concerns = open_concerns_of(session=session, patient_id=choice.patient.id)
        recent = contacts_since(
            session=session, patient_id=choice.patient.id, since=now - RECENT_CONTACT_WINDOW
        )
    if open_concerns or recent:
        lines = []
        if recent:
            lines.append(f"{recent} contact(s) in the last 7 days.")
        for c in open_concerns:
            # Another executive's concern: that it exists, not what it says.
            about = f": {c.summary[:80]}" if may_act(staff, c.owner_id) else ", another executive's"
            lines.append(f"Open {c.type} #{c.id} ({c.status}){about}")
        show_notice(
            "warning",
            "\n".join(lines) + "\nChoose ",
            Label("Adds to an open concern"),
            " to add to it.",
        )

outcomes = list(OUTCOME_LABELS)
outcome = st.radio(
    "Outcome",
    outcomes,
    format_func=OUTCOME_LABELS.get,
    horizontal=True,
    key=f"{key}_outcome",
)

with Session(get_engine()) as session:
    choices = Choices(
        departments=active_departments(session=session),
        categories=active_categories(session=session),
        owners={
            s.id: s.display_name
            for s in list_staff(session=session)
            if s.has_any("executive", "manager")
        },
        open_concerns=[c for c in open_concerns if may_act(staff, c.owner_id)],
    )
errors = st.session_state.pop("log_errors", {})
if "patient" in errors:
    field_error(errors, "patient")
draft = interaction_form(
    key=key,
    outcome=outcome,
    patient_mode=choice.mode,
    choices=choices,
    home_department_id=staff.home_department_id,
    default_owner_id=staff.id if "executive" in staff.roles else None,
    tz=tz,
    errors=errors,
)
if draft is not None:
    if choice.mode == FIND:
        if choice.patient is None:
            st.session_state["log_errors"] = {
                "patient": "Find and pick the patient, or choose New patient or Anonymous."
            }
            st.rerun()
        draft = dataclasses.replace(draft, patient_id=choice.patient.id)
    try:
        with Session(get_engine()) as session, session.begin():
            result = log_interaction(session=session, staff=staff, draft=draft, tz=tz)
    except AlreadySaved as already:
        result = already.result
    except InvalidInput as invalid:
        st.session_state["log_errors"] = invalid.errors
        st.rerun()
    except (IntegrityError, OperationalError):
        st.error(
            "The interaction could not be saved just now. Everything you typed is still here: "
            "press Save again in a moment."
        )
        st.stop()
    label = choice.patient.display_name if choice.patient else None
    if draft.new_patient is not None:
        label = f"{draft.new_patient.family_name.strip()}, {draft.new_patient.given_name.strip()}"
    st.session_state["log_saved"] = {
        "text": describe_saved(result, label),
        "concern_id": result.concern_id,
    }
    st.session_state["log_form_version"] = version + 1
    st.rerun()

st.subheader("My interactions today")
with Session(get_engine()) as session:
    mine = my_recent_interactions(
        session=session, staff_id=staff.id, since=local_midnight(facility_today(tz), tz)
    )
if mine:
    show_table(
        {
            "Time": [m.occurred_at.astimezone(tz).strftime("%H:%M") for m in mine],
            "Patient": [m.patient for m in mine],
            "Channel": [m.channel for m in mine],
            "Outcome": [OUTCOME_LABELS[m.outcome] for m in mine],
            "Concern": [f"#{m.concern_id}" if m.concern_id else "" for m in mine],
            "Summary": [m.summary[:120] for m in mine],
        }
    )
else:
    st.caption("Nothing logged yet today.")
