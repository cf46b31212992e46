"""Admin › SLA targets: due hours per type and severity, grievance clocks, public holidays."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from components.admin_forms import FieldSlots, flash
from components.session import get_engine
from db.admin_sla import (
    MAX_DUE_HOURS,
    WEEKDAY_NAMES,
    add_holiday,
    public_holidays,
    remove_holiday,
    update_grievance_rule,
    update_sla_targets,
)
from db.models import CONCERN_TYPES, SEVERITIES
from db.sla import grievance_clock, sla_targets
from db.users import StaffMember
from db.validation import InvalidInput

APPLIES_NOTE = (
    "Changes apply to concerns opened after you save; concerns already open keep the due times "
    "they were given. A re-graded concern takes the due hours in force then, but keeps the "
    "written-response days of its opening, in the worklist and in the grievance figures alike."
)


def sla_section(actor: StaffMember, today: dt.date) -> None:
    """The SLA targets tab."""
    with Session(get_engine()) as session:
        targets = sla_targets(session=session)
        clock = grievance_clock(session=session)
        holidays = public_holidays(session=session)
    st.info(APPLIES_NOTE, icon=":material/schedule:")
    _targets_grid(actor, targets)
    _grievance_rule(actor, clock)
    _holidays(actor, holidays, today)


def _targets_grid(actor: StaffMember, targets: dict) -> None:
    st.subheader("Due time by type and severity (hours)")
    grid = pd.DataFrame(
        {s.title(): [targets.get((t, s)) for t in CONCERN_TYPES] for s in SEVERITIES},
        index=[t.title() for t in CONCERN_TYPES],
        dtype="Int64",
    )
    edited = st.data_editor(
        grid,
        key="admin_sla_grid",
        column_config={
            s.title(): st.column_config.NumberColumn(
                s.title(), min_value=1, max_value=MAX_DUE_HOURS, step=1, format="%d h"
            )
            for s in SEVERITIES
        },
        width="stretch",
    )
    st.caption("24 hours = 1 day; whole days count on the facility's calendar. Empty: no clock.")
    slot = st.empty()
    if st.button("Save due times", key="admin_save_sla", type="primary"):
        hours = {
            (t, s): None if pd.isna(v) else int(v)
            for t in CONCERN_TYPES
            for s in SEVERITIES
            for v in [edited.loc[t.title(), s.title()]]
        }
        try:
            with Session(get_engine()) as session, session.begin():
                changed = update_sla_targets(session=session, actor=actor, due_hours=hours)
        except InvalidInput as refused:
            slot.error(
                " ".join(f"{k}: {v}" for k, v in refused.errors.items()), icon=":material/error:"
            )
            return
        flash(f"Saved {changed} due time{'s' if changed != 1 else ''}.")
        st.rerun()


def _grievance_rule(actor: StaffMember, clock) -> None:
    st.subheader("Grievances and business days")
    slots = FieldSlots()
    with st.form("admin_grievance_rule"):
        ack = st.number_input(
            "Acknowledge a grievance within (business days)",
            min_value=0,
            max_value=99,
            value=clock.acknowledgement_business_days,
            step=1,
        )
        slots.under("acknowledgement_business_days")
        written = st.number_input(
            "Written response within (days)",
            min_value=0,
            max_value=999,
            value=clock.written_response_days,
            step=1,
        )
        slots.under("written_response_days")
        weekdays = st.multiselect(
            "Business days",
            list(WEEKDAY_NAMES),
            default=sorted(clock.business_weekdays),
            format_func=WEEKDAY_NAMES.get,
        )
        slots.under("business_weekdays")
        saved = st.form_submit_button("Save grievance clocks", type="primary")
    if saved:
        try:
            with Session(get_engine()) as session, session.begin():
                update_grievance_rule(
                    session=session,
                    actor=actor,
                    acknowledgement_business_days=int(ack),
                    written_response_days=int(written),
                    business_weekdays=weekdays,
                )
        except InvalidInput as refused:
            slots.show(refused)
            return
        flash("Saved the grievance clocks.")
        st.rerun()


def _holidays(actor: StaffMember, holidays, today: dt.date) -> None:
    st.subheader("Public holidays")
    st.caption("Business-day clocks (grievance acknowledgement) skip these days.")
    upcoming = [h for h in holidays if h.day >= today - dt.timedelta(days=365)]
    st.dataframe(
        {
            "Date": [h.day.isoformat() for h in upcoming],
            "Day": [h.day.strftime("%A") for h in upcoming],
            "Holiday": [h.name for h in upcoming],
        },
        hide_index=True,
        width="stretch",
    )
    add, remove = st.columns(2, gap="large")
    with add:
        slots = FieldSlots()
        with st.form(f"admin_add_holiday_{len(holidays)}"):
            day = st.date_input("Date", value=None, format="YYYY-MM-DD")
            slots.under("day")
            name = st.text_input("Name")
            slots.under("name")
            added = st.form_submit_button("Add holiday", type="primary")
        if added:
            try:
                with Session(get_engine()) as session, session.begin():
                    add_holiday(session=session, actor=actor, day=day, name=name)
            except InvalidInput as refused:
                slots.show(refused)
            else:
                flash("Added the holiday.")
                st.rerun()
    with remove:
        if holidays:
            by_day = {h.day: h.name for h in holidays}
            day = st.selectbox(
                "Remove a holiday",
                list(by_day),
                format_func=lambda d: f"{d.isoformat()} {by_day[d]}",
                key="admin_remove_holiday_day",
            )
            if st.button("Remove holiday", key="admin_remove_holiday"):
                with Session(get_engine()) as session, session.begin():
                    remove_holiday(session=session, actor=actor, day=day)
                flash("Removed the holiday.")
                st.rerun()
