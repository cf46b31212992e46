"""Admin › Facility: the facility's name and time zone (a new zone rebuilds the dashboard
figures on its calendar, with a progress bar)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from components.admin_forms import FieldSlots, flash
from components.facility import app_settings, forget_stored_facility
from components.session import get_engine
from db.admin_facility import change_facility, time_zone_names
from db.settings import get_settings
from db.summaries import RebuildRunning
from db.users import StaffMember
from db.validation import InvalidInput

TZ_NOTE = (
    "Days, weeks and due times are counted on the facility's calendar. Changing the time zone "
    "recounts every dashboard figure on the new calendar (a minute or more on a large "
    "database); the figures stay as they were until the recount is done."
)


def facility_section(actor: StaffMember) -> None:
    """The Facility section: name and time zone, with the environment's values as defaults."""
    current = app_settings()
    defaults = get_settings()
    st.caption(
        f"Without a stored value the server's settings apply: {defaults.facility_name}, "
        f"{defaults.facility_tz_name}."
    )
    st.info(TZ_NOTE, icon=":material/schedule:")
    slots = FieldSlots()
    zones = list(time_zone_names())
    # Two short fields: half the page is plenty, even on a wide screen.
    column, _ = st.columns([3, 2])
    with column, st.form("admin_facility"):
        name = st.text_input("Facility name", value=current.facility_name, max_chars=120)
        slots.under("facility_name")
        zone = st.selectbox(
            "Time zone",
            zones,
            index=zones.index(current.facility_tz_name)
            if current.facility_tz_name in zones
            else None,
        )
        slots.under("facility_tz_name")
        saved = st.form_submit_button("Save facility settings", type="primary")
    if not saved:
        return
    bar = st.progress(0.0, text="Saving")
    try:
        with Session(get_engine()) as session, session.begin():
            changed = change_facility(
                session=session,
                actor=actor,
                defaults=defaults,
                name=name,
                tz_name=zone or "",
                progress=lambda done, what: bar.progress(done, text=what),
            )
    except InvalidInput as refused:
        bar.empty()
        slots.show(refused)
        return
    except RebuildRunning as busy:
        bar.empty()
        st.error(str(busy), icon=":material/hourglass_top:")
        return
    forget_stored_facility()
    flash("Saved the facility settings." if changed else "Nothing to change.")
    st.rerun()
