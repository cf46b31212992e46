"""Log interaction: the fast path for every call, walk-in, email and letter."""

import datetime as dt
from functools import partial

import streamlit as st
from sqlalchemy.orm import Session

from components.drafts import draft_notice, forget_draft, keep_draft, restore_draft
from components.facility import app_settings
from components.form_helpers import field_error, move_focus
from components.interaction_form import (
    OUTCOME_LABELS,
    Choices,
    also_seen,
    interaction_form,
    log_draft_form,
    my_interactions_today,
)
from components.log_save import save_logged_interaction
from components.login import signed_in_for_callback
from components.patient_picker import SEARCH_LABEL, patient_picker
from components.safe import show_notice
from components.shell import get_engine, presentation_mode, require_permission
from db.concerns import may_act
from db.intake import my_recent_interactions
from db.patients import RECENT_CONTACT_WINDOW, contacts_since, open_concerns_of
from db.periods import facility_today, local_midnight
from db.permissions import Permission, allows
from db.reference import active_categories, active_departments
from db.users import list_staff

staff = require_permission(Permission.LOGS_INTERACTIONS)
tz = app_settings().facility_tz
st.title("Log interaction")
if presentation_mode():
    st.info("Logging is switched off in presentation mode.")
    st.stop()

version = st.session_state.setdefault("log_form_version", 0)
key = f"log{version}"
draft_form = log_draft_form(key)


def _discard() -> None:
    # A callback runs before app.py's sign-in check: check the session first.
    if signed_in_for_callback(Permission.LOGS_INTERACTIONS) is None:
        return
    forget_draft(draft_form, user_id=staff.id, next_key=f"log{version + 1}")
    st.session_state["log_form_version"] = version + 1


restored_at = restore_draft(draft_form, user_id=staff.id, now=dt.datetime.now(dt.UTC))
# The confirmation of the last save stays until the next one (its button must survive a rerun).
saved = st.session_state.get("log_saved")
if saved:
    show_notice("success", saved["text"])
    if saved["concern_id"] and st.button(
        f"Open concern #{saved['concern_id']}", icon=":material/open_in_new:", key="open_saved"
    ):
        st.switch_page("pages/open_concerns.py", query_params={"concern": saved["concern_id"]})

draft_notice(restored_at, tz, key=f"{key}_discard", on_discard=_discard)
choice = patient_picker(staff, key=f"{key}_patient")
open_concerns = []
if choice.patient is not None:
    now = dt.datetime.now(dt.UTC)
    with Session(get_engine()) as session:
        open_concerns = open_concerns_of(session=session, patient_id=choice.patient.id)
        recent = contacts_since(
            session=session, patient_id=choice.patient.id, since=now - RECENT_CONTACT_WINDOW
        )
    also_seen(open_concerns, recent, staff=staff)

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
            if allows(s, Permission.WORKS_CONCERNS)
        },
        open_concerns=[c for c in open_concerns if may_act(staff, c.owner_id)],
    )
errors = st.session_state.pop("log_errors", {})
if "patient" in errors:
    field_error(errors, "patient")
# Save is handled in the button's callback, before this script runs: this one run draws its
# outcome (components/log_save.py).
interaction_form(
    key=key,
    outcome=outcome,
    patient_mode=choice.mode,
    choices=choices,
    home_department_id=staff.home_department_id,
    default_owner_id=staff.id if allows(staff, Permission.OWNS_CONCERNS_THEY_OPEN) else None,
    tz=tz,
    errors=errors,
    on_save=partial(save_logged_interaction, tz=tz, version=version, draft_form=draft_form),
)
if st.session_state.pop("log_save_failed", False):
    st.error(
        "The interaction could not be saved just now. Everything you typed is still here: "
        "press Save again in a moment."
    )
    st.stop()

st.subheader("My interactions today")
with Session(get_engine()) as session:
    mine = my_recent_interactions(
        session=session, staff_id=staff.id, since=local_midnight(facility_today(tz), tz)
    )
my_interactions_today(mine, tz)
keep_draft(draft_form, user_id=staff.id, now=dt.datetime.now(dt.UTC))
# The cursor waits in the search box: on arrival and after each save (the saved form's fields
# are gone, so nothing has the focus); after a search that found the patient, in the summary.
if choice.just_found:
    move_focus("Summary")
else:
    move_focus(SEARCH_LABEL, only_when_idle=True)
