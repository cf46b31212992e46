"""The Log interaction form: fields in the order a call goes, defaults for the common call.

Every widget's key carries a form number. After a successful save the page moves to the next
number, which clears the form; after a failed save the number stays, so everything typed stays.
Field messages come from db.intake / db.patients (InvalidInput.errors) and are drawn under their
fields on the rerun that follows the failed save.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import streamlit as st

from components.patient_picker import NEW
from db.intake import AUTO_TYPE, ConcernDraft, InteractionDraft
from db.models import CHANNELS, CONCERN_TYPES, DIRECTIONS, SEVERITIES
from db.patients import NewPatient, OpenConcernSummary

OUTCOME_LABELS = {
    "resolved-first-contact": "Resolved at first contact",
    "concern-opened": "Opens a concern",
    "added-to-concern": "Adds to an open concern",
    "information-only": "Information only",
}
TYPE_LABELS = {AUTO_TYPE: "Complaint or grievance, by the CMS rules"} | {
    t: t.capitalize() for t in CONCERN_TYPES
}


@dataclass(frozen=True)
class Choices:
    """The options the form offers, read from the database by the page."""

    departments: dict[int, str]
    categories: dict[int, str]
    owners: dict[int, str]
    open_concerns: list[OpenConcernSummary]


def field_error(errors: dict[str, str], name: str) -> None:
    """The message for one field, right under it."""
    if name in errors:
        st.error(errors[name], icon=":material/error:")


def _optional_select(label: str, options: dict[int, str], key: str, default: int | None):
    ids = [None, *options]
    return st.selectbox(
        label,
        ids,
        index=ids.index(default) if default in ids else 0,
        format_func=lambda i: "—" if i is None else options[i],
        key=key,
        placeholder="—",
    )


def interaction_form(
    *,
    key: str,
    outcome: str,
    patient_mode: str,
    choices: Choices,
    home_department_id: int | None,
    default_owner_id: int | None,
    tz: ZoneInfo,
    errors: dict[str, str],
) -> InteractionDraft | None:
    """Draw the form; returns the draft when Save was pressed (or Enter), else None."""
    now_local = dt.datetime.now(tz)
    with st.form(f"{key}_form", enter_to_submit=True):
        new_patient = None
        if patient_mode == NEW:
            st.markdown("**New patient**")
            c1, c2, c3 = st.columns(3)
            mrn = c1.text_input("MRN", key=f"{key}_mrn")
            given = c2.text_input("Given name", key=f"{key}_given")
            family = c3.text_input("Family name", key=f"{key}_family")
            for column, name in ((c1, "mrn"), (c2, "given_name"), (c3, "family_name")):
                with column:
                    field_error(errors, f"new_patient.{name}")
            c1, c2, c3, c4 = st.columns([1, 1, 1, 1])
            dob = c1.date_input(
                "Date of birth",
                value=None,
                min_value=dt.date(1900, 1, 1),
                max_value=now_local.date(),
                key=f"{key}_dob",
            )
            phone = c2.text_input("Phone", key=f"{key}_phone")
            email = c3.text_input("Email", key=f"{key}_email")
            medicare = c4.checkbox("Medicare beneficiary", key=f"{key}_medicare")
            for column, name in ((c1, "date_of_birth"), (c2, "phone"), (c3, "email")):
                with column:
                    field_error(errors, f"new_patient.{name}")
            new_patient = NewPatient(
                mrn=mrn,
                given_name=given,
                family_name=family,
                date_of_birth=dob,
                phone=phone or None,
                email=email or None,
                medicare_beneficiary=medicare,
            )
            st.divider()

        c1, c2, c3 = st.columns(3)
        channel = c1.selectbox("Channel", CHANNELS, index=0, key=f"{key}_channel")
        direction = c2.selectbox("Direction", DIRECTIONS, index=0, key=f"{key}_direction")
        with c3:
            department_id = _optional_select(
                "Department", choices.departments, f"{key}_department", home_department_id
            )
            field_error(errors, "department_id")
        c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
        with c1:
            category_id = _optional_select("Category", choices.categories, f"{key}_category", None)
            field_error(errors, "category_id")
        with c2:
            duration = st.number_input(
                "Minutes", min_value=0, max_value=600, value=None, step=1, key=f"{key}_minutes"
            )
            field_error(errors, "duration_minutes")
        day = c3.date_input("Date", value=now_local.date(), key=f"{key}_date")
        at = c4.time_input(
            "Time",
            value=now_local.time().replace(second=0, microsecond=0),
            key=f"{key}_time",
            step=60,
        )
        field_error(errors, "occurred_at")
        summary = st.text_area(
            "Summary",
            key=f"{key}_summary",
            height=110,
            placeholder="What the patient told us, and what was done",
        )
        field_error(errors, "summary")

        concern = ConcernDraft()
        add_to = None
        if outcome == "concern-opened":
            concern = _concern_fields(key, choices, default_owner_id, errors)
        elif outcome == "added-to-concern":
            options = {
                c.id: f"#{c.id} {c.type} · {c.status} · {c.summary[:60]}"
                for c in choices.open_concerns
            }
            add_to = _optional_select(
                "Add to concern",
                options,
                f"{key}_add_to",
                choices.open_concerns[0].id if choices.open_concerns else None,
            )
            field_error(errors, "add_to_concern_id")
        submitted = st.form_submit_button("Save", type="primary", icon=":material/save:")
    if not submitted:
        return None
    return InteractionDraft(
        client_submission_id=st.session_state.setdefault(f"{key}_submission", uuid.uuid4()),
        occurred_at=dt.datetime.combine(
            day or now_local.date(), at or now_local.time(), tzinfo=tz
        ).astimezone(dt.UTC),
        channel=channel,
        direction=direction,
        summary=summary,
        outcome=outcome,
        new_patient=new_patient,
        department_id=department_id,
        category_id=category_id,
        duration_minutes=int(duration) if duration is not None else None,
        concern=concern,
        add_to_concern_id=add_to,
    )


def _concern_fields(
    key: str, choices: Choices, default_owner_id: int | None, errors: dict[str, str]
) -> ConcernDraft:
    st.markdown("**Concern**")
    c1, c2, c3 = st.columns([2, 1, 1])
    ctype = c1.selectbox("Type", list(TYPE_LABELS), format_func=TYPE_LABELS.get, key=f"{key}_type")
    severity = c2.selectbox("Severity", SEVERITIES, index=1, key=f"{key}_severity")
    with c3:
        owner_id = _optional_select("Owner", choices.owners, f"{key}_owner", default_owner_id)
        field_error(errors, "concern.owner_id")
    c1, c2, c3 = st.columns(3)
    staff_present = c1.checkbox("Resolved promptly by staff present", key=f"{key}_present")
    abuse = c1.checkbox("Alleges abuse, neglect or harm", key=f"{key}_abuse")
    after_discharge = c2.checkbox("After discharge", key=f"{key}_discharged")
    written = c2.checkbox("Asks for a written response", key=f"{key}_written")
    billing = c3.checkbox("Billing question only", key=f"{key}_billing")
    premature = c3.checkbox("Premature discharge", key=f"{key}_premature")
    override = st.text_input(
        "Reason, if you record a type other than the rules propose",
        key=f"{key}_override",
    )
    field_error(errors, "concern.override_reason")
    field_error(errors, "concern.type")
    return ConcernDraft(
        type=ctype,
        severity=severity,
        owner_id=owner_id,
        resolved_by_staff_present=staff_present,
        abuse_or_neglect=abuse,
        after_discharge=after_discharge,
        written_response_requested=written,
        billing_only=billing,
        premature_discharge=premature,
        override_reason=override,
    )


def describe_saved(result, patient_label: str | None) -> str:
    """The confirmation line after a save (plain text: shown with components.safe)."""
    who = patient_label or "an anonymous contact"
    text = f"Interaction #{result.interaction_id} logged for {who}."
    if result.concern_type:
        text += f" {result.concern_type.capitalize()} #{result.concern_id} opened"
        if result.grievance_rule:
            text += f" (rule: {result.grievance_rule})"
        text += "."
    elif result.concern_id:
        text += f" Added to concern #{result.concern_id}."
    if result.already_saved:
        text += " (It had already been saved: nothing was saved twice.)"
    return text
