"""Patients: find a patient and read their whole history with us."""

import datetime as dt

import streamlit as st
from sqlalchemy.orm import Session

from components.facility import app_settings
from components.interaction_form import OUTCOME_LABELS
from components.openings import forget_opening, is_new_opening, remember_opening
from components.patient_picker import patient_picker
from components.safe import show_heading, show_line, show_table
from components.shell import get_engine, presentation_mode, require_permission
from db.patients import is_repeat_contact, open_patient_record, patient_timeline
from db.permissions import Permission

staff = require_permission(Permission.SEES_PATIENT_IDENTIFIERS)
tz = app_settings().facility_tz
st.title("Patients")
if presentation_mode():
    st.info("Patient records are hidden in presentation mode.")
    st.stop()

choice = patient_picker(staff, key="patients_lookup", modes=False)
if choice.patient is None:
    forget_opening("patient")
    st.caption('Search by MRN, name ("smith jo") or phone digits, then press Enter.')
    st.stop()

now = dt.datetime.now(dt.UTC)
opening = is_new_opening("patient", choice.patient.id)
with Session(get_engine()) as session, session.begin():
    record = open_patient_record(
        session=session,
        patient_id=choice.patient.id,
        staff_id=staff.id,
        username=staff.username,
        opening=opening,
    )
    timeline = patient_timeline(session=session, patient_id=choice.patient.id)
    repeat = is_repeat_contact(session=session, patient_id=choice.patient.id, now=now)

remember_opening("patient", choice.patient.id)  # audited (committed): reruns are not openings
show_heading(f"{record.family_name}, {record.given_name}")
details = [
    f"MRN {record.mrn}",
    f"born {record.date_of_birth.isoformat()}" if record.date_of_birth else "date of birth unknown",
    record.phone or "no phone",
    record.email or "no email",
    f"speaks {record.preferred_language}",
]
if record.medicare_beneficiary:
    details.append("Medicare beneficiary")
show_line(" · ".join(details))
if repeat:
    st.warning("Repeat contact: 3 or more contacts in the last 30 days.", icon=":material/repeat:")

if not timeline:
    st.caption("No contacts, concerns or survey responses yet.")
else:
    st.subheader("History")
    show_table(
        {
            "When": [
                e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if e.kind != "survey"
                else e.at.date().isoformat()
                for e in timeline
            ],
            "What": [
                {"interaction": "Contact", "concern": "Concern", "survey": "Survey"}[e.kind]
                + f" #{e.reference}"
                for e in timeline
            ],
            "Type": [e.what for e in timeline],
            "Status": [OUTCOME_LABELS.get(e.status, e.status) for e in timeline],
            "Summary": [e.text[:200] for e in timeline],
        }
    )
