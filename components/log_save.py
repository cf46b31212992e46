"""Saving the Log interaction form in the Save button's callback.

Streamlit runs a button's callback before the script, with the form's values already in the
session. Saving there lets the one run that follows draw the result straight away (the
confirmation and a fresh, empty form, or the field messages over the kept input) instead of a
run that saves and a second one, after `st.rerun`, that draws the result: the second run was
two thirds of the wait between Save and the confirmation.

What the callback leaves for the page, in the session:
- `log_saved`: the confirmation (text, and the concern it opened or added to);
- `log_errors`: field name -> message, when the input was refused (the form number stays, so
  everything typed stays);
- `log_save_failed`: the database could not take the save just now (the form stays too);
- `log_form_version`: moved on after a save, which gives the next run an empty form.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from components.drafts import DraftForm, forget_draft
from components.interaction_form import describe_saved, submitted_draft
from components.login import signed_in_for_callback
from components.patient_picker import FIND, picked_patient
from components.shell import get_engine
from db.intake import AlreadySaved, InvalidInput, log_interaction
from db.permissions import Permission

NO_PATIENT = "Find and pick the patient, or choose New patient or Anonymous."


def save_logged_interaction(*, tz: ZoneInfo, version: int, draft_form: DraftForm) -> None:
    """The Save button's callback for form number `version` (see the module's docstring).
    It runs before app.py's sign-in check, so it checks the session itself first: nothing is
    saved for a session that has ended (the run that follows shows the sign-in page)."""
    staff = signed_in_for_callback(Permission.LOGS_INTERACTIONS)
    if staff is None:
        return
    key, next_key = f"log{version}", f"log{version + 1}"
    state = st.session_state
    state.pop("log_errors", None)
    state.pop("log_save_failed", None)
    draft = submitted_draft(state, key=key, tz=tz, now=dt.datetime.now(dt.UTC))
    patient = None
    if state.get(f"{key}_patient_mode", FIND) == FIND:
        patient = picked_patient(f"{key}_patient")
        if patient is None:
            state["log_errors"] = {"patient": NO_PATIENT}
            return
        draft = dataclasses.replace(draft, patient_id=patient.id)
    try:
        with Session(get_engine()) as session, session.begin():
            result = log_interaction(session=session, staff=staff, draft=draft, tz=tz)
            # In the same transaction: the draft is gone exactly when the interaction is saved.
            forget_draft(draft_form, user_id=staff.id, next_key=next_key, session=session)
    except AlreadySaved as already:
        result = already.result
        forget_draft(draft_form, user_id=staff.id, next_key=next_key)
    except InvalidInput as invalid:
        state["log_errors"] = invalid.errors
        return
    except (IntegrityError, OperationalError):
        state["log_save_failed"] = True
        return
    label = patient.display_name if patient else None
    if draft.new_patient is not None:
        label = f"{draft.new_patient.family_name.strip()}, {draft.new_patient.given_name.strip()}"
    state["log_saved"] = {"text": describe_saved(result, label), "concern_id": result.concern_id}
    state["log_form_version"] = version + 1
