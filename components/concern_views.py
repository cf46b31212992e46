"""Widgets of the Open concerns page: worklist filters and table, the detail, the action forms.

Actions run through `run_action`, which carries the version of the concern the user was shown.
A refused action (field errors, an impossible transition, someone else's change) keeps the form
exactly as typed and says what to fix; a successful one clears only that form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from components.phi import initials, mrn_tail
from components.safe import Label, show_line, show_table
from components.shell import get_engine
from db import concerns as c
from db.models import CHANNELS, DIRECTIONS, HARM_LEVELS, SEVERITIES
from db.sla import time_left
from db.users import StaffMember
from db.validation import InvalidInput


def concern_summary(detail: c.ConcernDetail, now: dt.datetime, tz: ZoneInfo, show_phi: bool):
    """Header, SLA clock, patient (masked unless `show_phi`), flags and grievance milestones."""
    st.subheader(
        f"{detail.type.capitalize()} #{detail.id} · {detail.severity} · "
        f"{detail.status.replace('_', ' ')}"
    )
    if detail.abuse_neglect_flag:
        st.error(
            "Abuse, neglect or harm alleged: critical, handle at once.", icon=":material/flag:"
        )
    if detail.qio_referral_flag:
        st.warning(
            "Medicare beneficiary, quality of care or premature discharge: remind the patient "
            "of their right to refer the concern to the Quality Improvement Organization (QIO).",
            icon=":material/gavel:",
        )
    due = detail.due_at.astimezone(tz).strftime("%a %d %b %H:%M") if detail.due_at else "no clock"
    clock = time_left(detail.due_at, now) if detail.is_open and detail.due_at else ""
    if clock:
        clock = f":red[**{clock}**]" if detail.due_at < now else f"**{clock}**"
    st.markdown(f"**Due** {due}" + (f" · {clock}" if clock else ""))
    show_line(
        Label("Owner"),
        f" {detail.owner or 'Unassigned'} · ",
        Label("Department"),
        f" {detail.department or '—'}",
    )
    if detail.patient_id is None:
        patient = "Anonymous"
    elif show_phi:
        patient = (
            f"{detail.patient_family_name}, {detail.patient_given_name} · "
            f"{detail.patient_mrn}" + (f" · {detail.patient_phone}" if detail.patient_phone else "")
        )
    else:
        patient = (
            f"{initials(detail.patient_given_name, detail.patient_family_name)} "
            f"{mrn_tail(detail.patient_mrn)}"
        )
    show_line(
        Label("Patient:"),
        f" {patient} · ",
        Label("Category:"),
        f" {detail.category or '—'} · ",
        Label("Opened:"),
        f" {detail.opened_at.astimezone(tz):%d %b %Y %H:%M}",
    )
    if show_phi:
        st.text(detail.summary)
    if detail.grievance_rule:
        # The override reason is free text: like the summary, never on a presentation screen.
        override = detail.grievance_override_reason if show_phi else None
        show_line(
            f"CMS rule: {detail.grievance_rule}",
            f" · overridden: {override}" if override else "",
            small=True,
        )
    if detail.type == "grievance":

        def when(value):
            return value.astimezone(tz).strftime("%d %b %H:%M") if value else "not yet"

        st.markdown(
            f"**Grievance milestones** · acknowledged: {when(detail.acknowledged_at)} "
            f"(due {when(detail.acknowledgement_due_at)}) · written response: "
            f"{when(detail.written_response_at)} · still-working notice: "
            + (
                f"new date {detail.still_working_new_date}"
                if detail.still_working_new_date
                else "none"
            )
        )
    if detail.resolution and show_phi:
        st.markdown("**Resolution**")
        st.text(detail.resolution)


def issues_table(detail: c.ConcernDetail) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "#": [i.position for i in detail.issues],
                "Category": [i.category for i in detail.issues],
                "HCAT severity": [i.hcat_severity for i in detail.issues],
                "Harm": [i.harm_level or "—" for i in detail.issues],
            }
        ),
        hide_index=True,
    )


def timeline_table(detail: c.ConcernDetail, tz: ZoneInfo, show_phi: bool) -> None:
    show_table(
        {
            "When": [
                e.occurred_at.astimezone(tz).strftime("%d %b %Y %H:%M") for e in detail.events
            ],
            "What": [e.kind.replace("_", " ") for e in detail.events],
            "Who": [e.actor for e in detail.events],
            "Detail": [e.detail[:300] if show_phi else "" for e in detail.events],
        }
    )


def _errors_key(form: str) -> str:
    return f"{form}_errors"


def form_key(concern_id: int, name: str) -> str:
    """Widget key prefix of one action form; moves on after a successful save (clears it)."""
    n = st.session_state.setdefault(f"cf_{concern_id}_{name}_n", 0)
    return f"cf_{concern_id}_{name}_{n}"


def show_errors(form: str) -> dict[str, str]:
    errors = st.session_state.get(_errors_key(form), {})
    if "_" in errors:
        st.error(errors["_"])
    return errors


def run_action(
    action: Callable,
    *,
    staff: StaffMember,
    concern_id: int,
    name: str,
    seen: c.ConcernDetail,
    done: str,
    **kwargs,
) -> None:
    """Run one action against the version the user saw; on success clear its form and rerun."""
    form = form_key(concern_id, name)
    try:
        with Session(get_engine()) as session, session.begin():
            action(
                session=session,
                staff=staff,
                concern_id=concern_id,
                seen_version=seen.version,
                **kwargs,
            )
    except c.ConcernChanged as changed:
        st.session_state[f"conflict_{concern_id}"] = c.changed_fields(seen, changed.current)
        st.rerun()
    except InvalidInput as invalid:
        st.session_state[_errors_key(form)] = invalid.errors
        st.rerun()
    except (c.TransitionRefused, PermissionError) as refused:
        st.session_state[_errors_key(form)] = {"_": str(refused)}
        st.rerun()
    st.session_state.pop(_errors_key(form), None)
    st.session_state[f"cf_{concern_id}_{name}_n"] += 1
    st.session_state["concern_flash"] = done
    st.rerun()


def field_error(errors: dict[str, str], field: str) -> None:
    if field in errors:
        st.error(errors[field], icon=":material/error:")


ACTION_NAMES = {
    "note": "Add note",
    "assign": "Assign",
    "status": "Change status",
    "escalate": "Escalate",
    "follow_up": "Follow-up contact",
    "ack": "Acknowledge",
    "response": "Written response",
    "still": "Still working",
    "issue": "Issues",
    "severity": "Severity",
    "resolve": "Resolve",
    "close": "Close / reopen",
}


def action_forms(
    detail: c.ConcernDetail,
    staff: StaffMember,
    seen: c.ConcernDetail,
    departments: dict[int, str],
    owners: dict[int, str],
    categories: dict[int, str],
    tz: ZoneInfo,
) -> None:
    """One tab per action; each a form whose input survives any refusal."""
    now = dt.datetime.now(dt.UTC)
    tabs = st.tabs(list(ACTION_NAMES.values()))
    common = {"staff": staff, "concern_id": detail.id, "seen": seen}
    names = list(ACTION_NAMES)

    def tab(name):
        return tabs[names.index(name)]

    with tab("note"):
        key = form_key(detail.id, "note")
        errors = show_errors(key)
        with st.form(key):
            note = st.text_area("Note", key=f"{key}_text")
            field_error(errors, "note")
            if st.form_submit_button("Add note"):
                run_action(c.add_note, name="note", note=note, done="Note added.", **common)
    with tab("assign"):
        key = form_key(detail.id, "assign")
        errors = show_errors(key)
        with st.form(key):
            choices = [None, *owners]
            owner = st.selectbox(
                "Owner",
                choices,
                index=choices.index(detail.owner_id) if detail.owner_id in choices else 0,
                format_func=lambda i: "Unassigned" if i is None else owners[i],
                key=f"{key}_owner",
            )
            field_error(errors, "owner_id")
            if st.form_submit_button("Assign"):
                run_action(c.assign, name="assign", owner_id=owner, done="Owner changed.", **common)
    with tab("status"):
        key = form_key(detail.id, "status")
        show_errors(key)
        with st.form(key):
            status = st.radio(
                "New status",
                ("in_progress", "awaiting_patient"),
                horizontal=True,
                format_func=lambda s: s.replace("_", " "),
                key=f"{key}_status",
            )
            if st.form_submit_button("Change status"):
                run_action(
                    c.change_status, name="status", status=status, done="Status changed.", **common
                )
    with tab("escalate"):
        key = form_key(detail.id, "escalate")
        errors = show_errors(key)
        with st.form(key):
            ids = list(departments)
            department = st.selectbox(
                "To department", ids, format_func=departments.get, key=f"{key}_dept"
            )
            reason = st.text_input("Reason", key=f"{key}_reason")
            field_error(errors, "reason")
            if st.form_submit_button("Escalate"):
                run_action(
                    c.escalate,
                    name="escalate",
                    department_id=department,
                    reason=reason,
                    done="Escalated.",
                    **common,
                )
    with tab("follow_up"):
        key = form_key(detail.id, "follow_up")
        errors = show_errors(key)
        with st.form(key):
            c1, c2, c3 = st.columns(3)
            channel = c1.selectbox("Channel", CHANNELS, key=f"{key}_channel")
            direction = c2.selectbox("Direction", DIRECTIONS, index=1, key=f"{key}_direction")
            minutes = c3.number_input("Minutes", 0, 600, value=None, key=f"{key}_minutes")
            summary = st.text_area("What was said", key=f"{key}_summary")
            field_error(errors, "summary")
            if st.form_submit_button("Record follow-up"):
                run_action(
                    c.record_follow_up,
                    name="follow_up",
                    channel=channel,
                    direction=direction,
                    summary=summary,
                    occurred_at=now,
                    duration_minutes=minutes,
                    done="Follow-up recorded.",
                    **common,
                )
    with tab("ack"):
        key = form_key(detail.id, "ack")
        errors = show_errors(key)
        with st.form(key):
            st.caption("Grievances: acknowledge within 1 business day.")
            if st.form_submit_button("Record acknowledgement sent now"):
                run_action(
                    c.record_acknowledgement,
                    name="ack",
                    acknowledged_at=now,
                    done="Acknowledgement recorded.",
                    **common,
                )
    with tab("response"):
        key = form_key(detail.id, "response")
        errors = show_errors(key)
        with st.form(key):
            st.caption(
                "CMS: the letter names a contact person, the steps taken, the result and "
                "the date the process was completed."
            )
            person = st.text_input("Contact person", key=f"{key}_person")
            field_error(errors, "contact_person")
            steps = st.text_area("Steps taken to investigate", key=f"{key}_steps")
            field_error(errors, "steps_taken")
            result = st.text_area("Result", key=f"{key}_result")
            field_error(errors, "result")
            completed = st.date_input("Completion date", value=None, key=f"{key}_completed")
            field_error(errors, "completed_on")
            if st.form_submit_button("Record written response sent"):
                run_action(
                    c.record_written_response,
                    name="response",
                    contact_person=person,
                    steps_taken=steps,
                    result=result,
                    completed_on=completed,
                    sent_at=now,
                    done="Written response recorded.",
                    **common,
                )
    with tab("still"):
        key = form_key(detail.id, "still")
        errors = show_errors(key)
        with st.form(key):
            new_date = st.date_input("New date given to the patient", value=None, key=f"{key}_date")
            field_error(errors, "new_date")
            note = st.text_input("Note", key=f"{key}_note")
            if st.form_submit_button("Record still-working notice"):
                run_action(
                    c.record_still_working,
                    name="still",
                    new_date=new_date,
                    note=note,
                    today=now.astimezone(tz).date(),
                    done="Notice recorded.",
                    **common,
                )
    with tab("issue"):
        key = form_key(detail.id, "issue")
        errors = show_errors(key)
        with st.form(key):
            targets = {None: "Add a new issue"} | {
                i.id: f"Edit issue {i.position}" for i in detail.issues
            }
            target = st.selectbox(
                "Issue", list(targets), format_func=targets.get, key=f"{key}_target"
            )
            c1, c2, c3 = st.columns(3)
            category = c1.selectbox(
                "Category",
                [None, *categories],
                format_func=lambda i: "—" if i is None else categories[i],
                key=f"{key}_category",
            )
            hcat = c2.selectbox(
                "HCAT severity",
                (1, 2, 3),
                format_func={1: "1 low", 2: "2 medium", 3: "3 high"}.get,
                key=f"{key}_hcat",
            )
            harm = c3.selectbox(
                "Harm",
                [None, *HARM_LEVELS],
                format_func=lambda h: "not about care" if h is None else h,
                key=f"{key}_harm",
            )
            field_error(errors, "category_id")
            description = st.text_input("Description", key=f"{key}_description")
            if st.form_submit_button("Save issue"):
                run_action(
                    c.save_issue,
                    name="issue",
                    issue_id=target,
                    category_id=category,
                    hcat_severity=hcat,
                    harm_level=harm,
                    description=description,
                    done="Issue saved.",
                    **common,
                )
    with tab("severity"):
        key = form_key(detail.id, "severity")
        errors = show_errors(key)
        with st.form(key):
            severity = st.selectbox(
                "Severity",
                SEVERITIES,
                index=SEVERITIES.index(detail.severity),
                key=f"{key}_severity",
            )
            st.caption("The due time is recomputed from the opening time.")
            if st.form_submit_button("Change severity"):
                run_action(
                    c.change_severity,
                    name="severity",
                    severity=severity,
                    tz=tz,
                    done="Severity changed.",
                    **common,
                )
    with tab("resolve"):
        key = form_key(detail.id, "resolve")
        errors = show_errors(key)
        with st.form(key):
            resolution = st.text_area("Resolution", key=f"{key}_text")
            field_error(errors, "resolution")
            if st.form_submit_button("Resolve"):
                run_action(
                    c.resolve,
                    name="resolve",
                    resolution=resolution,
                    resolved_at=now,
                    done="Resolved.",
                    **common,
                )
    with tab("close"):
        key = form_key(detail.id, "close")
        errors = show_errors(key)
        with st.form(key):
            reason = st.text_input("Reason (to reopen)", key=f"{key}_reason")
            field_error(errors, "reason")
            c1, c2 = st.columns(2)
            if c1.form_submit_button("Close"):
                run_action(c.close, name="close", closed_at=now, done="Closed.", **common)
            if c2.form_submit_button("Reopen"):
                run_action(c.reopen, name="close", reason=reason, done="Reopened.", **common)
