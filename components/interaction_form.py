"""The Log interaction form: fields in the order a call goes, defaults for the common call.

Every widget's key carries a form number. After a successful save the page moves to the next
number, which clears the form; after a failed save the number stays, so everything typed stays.
Save is handled in the Save button's callback, before the script runs (components/log_save.py):
the one run that follows draws the confirmation and the fresh form, or the field messages from
db.intake / db.patients (InvalidInput.errors) under their fields with everything typed kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, MutableMapping
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st

from components.drafts import DraftForm
from components.form_helpers import field_error, optional_select
from components.patient_picker import FIND, NEW
from components.safe import Label, Link, show_notice, show_table
from components.wording import counted, shortened
from db.concerns import may_act
from db.grievance import COMPLAINT_TYPES, GrievanceProposal, propose_grievance
from db.intake import (
    AUTO_TYPE,
    ConcernDraft,
    InteractionDraft,
    RecentInteraction,
    complaint_facts,
)
from db.models import CHANNELS, CONCERN_TYPES, DIRECTIONS, SEVERITIES
from db.patients import NewPatient, OpenConcernSummary
from db.users import StaffMember

OUTCOME_LABELS = {
    "resolved-first-contact": "Resolved at first contact",
    "concern-opened": "Opens a concern",
    "added-to-concern": "Adds to an open concern",
    "information-only": "Information only",
}
OVERRIDE_LABEL = "Reason, if you record a type other than the rules propose"
TYPE_LABELS = {AUTO_TYPE: "Complaint or grievance, by the CMS rules"} | {
    t: t.capitalize() for t in CONCERN_TYPES
}


@dataclasses.dataclass(frozen=True)
class Choices:
    """The options the form offers, read from the database by the page."""

    departments: dict[int, str]
    categories: dict[int, str]
    owners: dict[int, str]
    open_concerns: list[OpenConcernSummary]


def log_draft_form(key: str) -> DraftForm:
    """The Log interaction form as a draft: its text fields, and the choices made outside it."""
    return DraftForm(
        form="log",
        key=key,
        typed={
            "summary": "Summary",
            "mrn": "MRN",
            "given": "Given name",
            "family": "Family name",
            "phone": "Phone",
            "email": "Email",
        },
        held={
            "patient_query": "",
            "patient_mode": FIND,
            "outcome": "resolved-first-contact",
            # Outside the st.form (the proposal above it follows every change), so the server
            # knows it without the browser's help.
            "override": "",
        },
    )


def also_seen(
    open_concerns: list[OpenConcernSummary], recent_contacts: int, *, staff: StaffMember
) -> None:
    """What the desk already knows about the picked patient: recent contacts and open concerns
    (another executive's only by number), and only with one of `staff`'s own open concerns the
    hint to add to it. Summaries are user text: shown as text."""
    if not (open_concerns or recent_contacts):
        return
    lines = []
    if recent_contacts:
        lines.append(f"{counted(recent_contacts, 'contact')} in the last 7 days.")
    own = False
    for c in open_concerns:
        status = c.status.replace("_", " ")
        if may_act(staff, c.owner_id):
            own = True
            lines.append(f"Open {c.type} #{c.id} ({status}): {shortened(c.summary, 80)}")
        else:
            # Another executive's concern: that it exists, not what it says.
            lines.append(f"Open {c.type} #{c.id} ({status}), another executive's")
    parts: list[object] = ["\n".join(lines)]
    if own:
        parts += ["\nChoose ", Label("Adds to an open concern"), " to add to it."]
    show_notice("warning", *parts)


# Fields folded under the summary; a message on one of them unfolds them.
DETAIL_FIELDS = ("department_id", "category_id", "duration_minutes", "occurred_at")


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
    on_save: Callable[[], None],
) -> None:
    """Draw the form. Save (or Enter) calls `on_save` before the script runs again, so the run
    that follows already draws what the save led to (read the values with `submitted_draft`).

    Opening a concern adds its section above the form, outside it: widgets inside an st.form
    report nothing until Save, and the proposed type must follow every change as it is made.
    """
    now_local = dt.datetime.now(tz)
    channel = None
    if outcome == "concern-opened":
        channel = concern_section(
            key=key, choices=choices, default_owner_id=default_owner_id, errors=errors
        )
    with st.form(f"{key}_form", enter_to_submit=True):
        if patient_mode == NEW:
            st.markdown("**New patient**")
            c1, c2, c3 = st.columns(3)
            c1.text_input("MRN", key=f"{key}_mrn")
            c2.text_input("Given name", key=f"{key}_given")
            c3.text_input("Family name", key=f"{key}_family")
            for column, name in ((c1, "mrn"), (c2, "given_name"), (c3, "family_name")):
                with column:
                    field_error(errors, f"new_patient.{name}")
            c1, c2, c3, c4 = st.columns([1, 1, 1, 1])
            c1.date_input(
                "Date of birth",
                value=None,
                min_value=dt.date(1900, 1, 1),
                max_value=now_local.date(),
                key=f"{key}_dob",
            )
            c2.text_input("Phone", key=f"{key}_phone")
            c3.text_input("Email", key=f"{key}_email")
            c4.checkbox("Medicare beneficiary", key=f"{key}_medicare")
            for column, name in ((c1, "date_of_birth"), (c2, "phone"), (c3, "email")):
                with column:
                    field_error(errors, f"new_patient.{name}")
            st.divider()

        # The summary comes right after the patient: the fields usually left at their defaults
        # wait, folded, below it, so the keyboard goes from the patient straight to the summary.
        st.text_area(
            "Summary",
            key=f"{key}_summary",
            height=100,
            placeholder="What the patient told us, and what was done · Ctrl+Enter saves",
        )
        field_error(errors, "summary")

        if outcome == "added-to-concern":
            options = {
                c.id: f"#{c.id} {c.type} · {c.status} · {c.summary[:60]}"
                for c in choices.open_concerns
            }
            optional_select(
                "Add to concern",
                options,
                f"{key}_add_to",
                choices.open_concerns[0].id if choices.open_concerns else None,
            )
            field_error(errors, "add_to_concern_id")
        details_wrong = any(name in errors for name in DETAIL_FIELDS)
        folded = "direction, department, category, minutes, date and time"
        with st.expander(
            folded.capitalize() if channel is not None else f"Channel, {folded}",
            expanded=details_wrong or outcome == "concern-opened",
            icon=":material/tune:",
        ):
            c1, c2, c3 = st.columns(3)
            if channel is None:
                c1.selectbox("Channel", CHANNELS, index=0, key=f"{key}_channel")
                direction_col, department_col = c2, c3
            else:  # asked in the concern section, where it decides the proposed type
                direction_col, department_col = c1, c2
            direction_col.selectbox("Direction", DIRECTIONS, index=0, key=f"{key}_direction")
            with department_col:
                optional_select(
                    "Department", choices.departments, f"{key}_department", home_department_id
                )
                field_error(errors, "department_id")
            c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
            with c1:
                optional_select("Category", choices.categories, f"{key}_category", None)
                field_error(errors, "category_id")
            with c2:
                st.number_input(
                    "Minutes", min_value=0, max_value=600, value=None, step=1, key=f"{key}_minutes"
                )
                field_error(errors, "duration_minutes")
            c3.date_input("Date", value=now_local.date(), key=f"{key}_date")
            c4.time_input(
                "Time",
                value=now_local.time().replace(second=0, microsecond=0),
                key=f"{key}_time",
                step=60,
            )
            field_error(errors, "occurred_at")
        st.form_submit_button("Save", type="primary", icon=":material/save:", on_click=on_save)


def submitted_draft(
    values: MutableMapping[str, Any], *, key: str, tz: ZoneInfo, now: dt.datetime
) -> InteractionDraft:
    """The interaction as the form `key` holds it in `values` (the session's widget values,
    read in the Save button's callback). The patient picked by search is the caller's to add.
    The submission id stays with the form, so pressing Save twice saves once."""
    now_local = now.astimezone(tz)
    outcome = values.get(f"{key}_outcome", "resolved-first-contact")
    new_patient = None
    if values.get(f"{key}_patient_mode", FIND) == NEW:
        new_patient = NewPatient(
            mrn=values.get(f"{key}_mrn", ""),
            given_name=values.get(f"{key}_given", ""),
            family_name=values.get(f"{key}_family", ""),
            date_of_birth=values.get(f"{key}_dob"),
            phone=values.get(f"{key}_phone") or None,
            email=values.get(f"{key}_email") or None,
            medicare_beneficiary=bool(values.get(f"{key}_medicare")),
        )
    concern = ConcernDraft()
    if outcome == "concern-opened":
        concern = dataclasses.replace(
            _concern_facts(values, key),
            type=values.get(f"{key}_type", AUTO_TYPE),
            severity=values.get(f"{key}_severity", ConcernDraft.severity),
            owner_id=values.get(f"{key}_owner"),
            override_reason=values.get(f"{key}_override") or "",
        )
    duration = values.get(f"{key}_minutes")
    day = values.get(f"{key}_date") or now_local.date()
    at = values.get(f"{key}_time") or now_local.time().replace(second=0, microsecond=0)
    if f"{key}_submission" not in values:
        values[f"{key}_submission"] = uuid.uuid4()
    return InteractionDraft(
        client_submission_id=values[f"{key}_submission"],
        occurred_at=dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC),
        channel=values.get(f"{key}_channel", CHANNELS[0]),
        direction=values.get(f"{key}_direction", DIRECTIONS[0]),
        summary=values.get(f"{key}_summary", ""),
        outcome=outcome,
        new_patient=new_patient,
        department_id=values.get(f"{key}_department"),
        category_id=values.get(f"{key}_category"),
        duration_minutes=int(duration) if duration is not None else None,
        concern=concern,
        add_to_concern_id=values.get(f"{key}_add_to") if outcome == "added-to-concern" else None,
    )


def _concern_facts(values: MutableMapping[str, Any], key: str) -> ConcernDraft:
    """The facts ticked in the concern section, which decide the proposed type."""
    return ConcernDraft(
        resolved_by_staff_present=bool(values.get(f"{key}_present")),
        abuse_or_neglect=bool(values.get(f"{key}_abuse")),
        after_discharge=bool(values.get(f"{key}_discharged")),
        written_response_requested=bool(values.get(f"{key}_written")),
        billing_only=bool(values.get(f"{key}_billing")),
        premature_discharge=bool(values.get(f"{key}_premature")),
    )


def proposal_text(proposal: GrievanceProposal) -> str:
    """What the CMS rules propose for the concern as it stands, and the rule that decided."""
    proposed = proposed_type(proposal)
    text = f"The CMS rules propose a {proposed}: {proposal.rule}."
    if proposal.critical:
        text += " It will be saved with critical severity."
    return text


def proposed_type(proposal: GrievanceProposal) -> str:
    """ "grievance" or "complaint"."""
    return "grievance" if proposal.is_grievance else "complaint"


def override_label(chosen_type: str, proposal: GrievanceProposal) -> str | None:
    """The override field's label when `chosen_type` goes against the proposal, saying what it
    overrides; None when there is nothing to override."""
    proposed = proposed_type(proposal)
    if chosen_type not in COMPLAINT_TYPES or chosen_type == proposed:
        return None
    return f"Reason to record a {chosen_type}, not the {proposed} the rules propose"


# A fragment: a checkbox, the channel or the type reruns only this section, never the page.
@st.fragment
def concern_section(
    *, key: str, choices: Choices, default_owner_id: int | None, errors: dict[str, str]
) -> str:
    """The concern being opened, with the type the CMS rules propose and the rule that fired,
    redrawn as the facts change; returns the channel (asked here: it decides the proposal)."""
    st.markdown("**Concern**")
    c1, c2, c3 = st.columns(3)
    channel = c1.selectbox("Channel", CHANNELS, index=0, key=f"{key}_channel")
    c2.selectbox("Severity", SEVERITIES, index=1, key=f"{key}_severity")
    with c3:
        optional_select("Owner", choices.owners, f"{key}_owner", default_owner_id)
        field_error(errors, "concern.owner_id")
    c1, c2, c3 = st.columns(3)
    c1.checkbox("Resolved promptly by staff present", key=f"{key}_present")
    c1.checkbox("Alleges abuse, neglect or harm", key=f"{key}_abuse")
    c2.checkbox("After discharge", key=f"{key}_discharged")
    c2.checkbox("Asks for a written response", key=f"{key}_written")
    c3.checkbox("Billing question only", key=f"{key}_billing")
    c3.checkbox("Premature discharge", key=f"{key}_premature")
    facts = _concern_facts(st.session_state, key)
    proposal = propose_grievance(complaint_facts(facts, channel=channel))
    show_notice("info", Label("Proposed type: "), proposal_text(proposal))
    c1, c2 = st.columns([1, 2])
    type_labels = TYPE_LABELS | {
        AUTO_TYPE: f"{proposed_type(proposal).capitalize()}, as the CMS rules propose"
    }
    ctype = c1.selectbox("Type", list(type_labels), format_func=type_labels.get, key=f"{key}_type")
    label = override_label(ctype, proposal)
    c2.text_input(
        label or OVERRIDE_LABEL,
        key=f"{key}_override",
        disabled=label is None,
        help="Kept on the concern with the rule it overrides.",
    )
    with c2:
        field_error(errors, "concern.override_reason")
    with c1:
        field_error(errors, "concern.type")
    return channel


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


def concern_address(concern_id: int) -> str:
    """A concern's detail on the Open concerns page (its address there)."""
    return f"concerns?concern={int(concern_id)}"


def my_interactions_today(rows: list[RecentInteraction], tz: ZoneInfo) -> None:
    """What this person logged today, newest first: whole summaries (wrapped, never cut in a
    word), each concern a link to its detail. One table (one element, however long the day
    gets: the page redraws it after every save); user text is escaped by components.safe."""
    if not rows:
        st.caption("Nothing logged yet today.")
        return
    st.caption(f"{counted(len(rows), 'contact')} logged today, newest first.")
    show_table(
        {
            "Time": [f"{row.occurred_at.astimezone(tz):%H:%M}" for row in rows],
            "Patient": [row.patient for row in rows],
            "Outcome": [f"{OUTCOME_LABELS[row.outcome]} ({row.channel})" for row in rows],
            # A real link (built from the number alone): it can be opened in another tab while
            # the next call is logged here.
            "Concern": [
                Link(f"#{row.concern_id}", concern_address(row.concern_id))
                if row.concern_id
                else ""
                for row in rows
            ],
            "Summary": [row.summary for row in rows],
        }
    )
