"""Widgets of the Open concerns page: worklist filters and table, and the concern's detail.

The action forms on the detail are in components.concern_actions.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import streamlit as st

from components.safe import Label, show_line, show_table
from db import concerns as c
from db.sla import time_left


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
        # A shared screen shows no patient identifier at all, not even initials.
        patient = "hidden in presentation mode"
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
    """The concern's issues: a few rows, so a plain table (a data grid costs the browser far
    more to draw, and this one needs neither sorting nor a download)."""
    show_table(
        {
            "#": [i.position for i in detail.issues],
            "Category": [i.category for i in detail.issues],
            "HCAT severity": [i.hcat_severity for i in detail.issues],
            "Harm": [i.harm_level or "—" for i in detail.issues],
        }
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


_HISTORY_SCRIPT = """<script>
(() => {
  // Streamlit replaces the address when a page changes its own query string, so the worklist
  // would leave the browser's history. Put it back under the detail, once per opening.
  const worklist = %(worklist)s;
  if (history.state && history.state.prdConcernDetail === %(concern)s) return;
  const detail = location.pathname + location.search + location.hash;
  const base = location.pathname;
  history.replaceState(history.state, "", base + worklist);
  history.pushState({ ...(history.state || {}), prdConcernDetail: %(concern)s }, "", detail);
})();
</script>"""


def back_returns_to_worklist(concern_id: int, worklist_params: dict[str, str]) -> None:
    """Make the browser's Back button on a concern's detail return to the worklist it was
    opened from (with its filters). A fixed script; the query string is URL-encoded."""
    query = urlencode(worklist_params)
    st.html(
        _HISTORY_SCRIPT
        % {"worklist": json.dumps(f"?{query}" if query else ""), "concern": int(concern_id)},
        unsafe_allow_javascript=True,
    )
