"""Admin › Encounter volumes: a year's grid per department and month, and a CSV import."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from components.admin_forms import flash
from components.session import get_engine
from db.admin_reference import departments_for_admin
from db.admin_volumes import (
    CSV_COLUMNS,
    MAX_ENCOUNTERS,
    VolumeCell,
    encounter_volumes,
    parse_encounter_csv,
    save_encounter_volumes,
    volume_years,
)
from db.users import StaffMember
from db.validation import InvalidInput

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def volumes_section(actor: StaffMember, today: dt.date) -> None:
    """The Encounter volumes tab."""
    with Session(get_engine()) as session:
        years = volume_years(session=session, this_year=today.year)
        year = st.columns([1, 4])[0].selectbox("Year", years, key="admin_volume_year")
        stored = encounter_volumes(session=session, year=year)
        departments = [
            d
            for d in departments_for_admin(session=session)
            if d.active or any(k[0] == d.id for k in stored)
        ]
    st.caption(
        "Patient encounters per department and month: the denominator of complaint rates per "
        "1,000 encounters. Empty: not known yet."
    )
    grid = pd.DataFrame(
        {
            label: [stored.get((d.id, dt.date(year, m, 1))) for d in departments]
            for m, label in enumerate(MONTHS, start=1)
        },
        index=[d.name for d in departments],
        dtype="Int64",
    )
    edited = st.data_editor(
        grid,
        key=f"admin_volume_grid_{year}",
        column_config={
            label: st.column_config.NumberColumn(label, min_value=0, max_value=MAX_ENCOUNTERS)
            for label in MONTHS
        },
        width="stretch",
    )
    slot = st.empty()
    if st.button("Save volumes", key="admin_save_volumes", type="primary"):
        cells = [
            VolumeCell(d.id, dt.date(year, m, 1), None if pd.isna(v) else int(v))
            for row, d in enumerate(departments)
            for m, label in enumerate(MONTHS, start=1)
            for v in [edited.iloc[row][label]]
            if (None if pd.isna(v) else int(v)) != stored.get((d.id, dt.date(year, m, 1)))
        ]
        _save(slot, actor, cells, "grid")
    st.subheader("Import from CSV")
    st.caption(
        f"Columns {', '.join(CSV_COLUMNS)}; month as 2026-01; departments by name. "
        "Either every row is imported or none, with a reason for each refused row."
    )
    upload = st.file_uploader("CSV file", type=["csv"], key="admin_volume_csv")
    import_slot = st.empty()
    if upload is not None and st.button("Import", key="admin_import_volumes"):
        try:
            with Session(get_engine()) as session:
                cells = parse_encounter_csv(session=session, data=upload.getvalue())
        except InvalidInput as refused:
            with import_slot.container():
                st.error("Nothing was imported. Fix these rows and import again.")
                st.dataframe(
                    {"Row": list(refused.errors), "Problem": list(refused.errors.values())},
                    hide_index=True,
                )
            return
        _save(import_slot, actor, cells, "import")


def _save(slot, actor: StaffMember, cells: list[VolumeCell], change: str) -> None:
    try:
        with Session(get_engine()) as session, session.begin():
            changed = save_encounter_volumes(
                session=session, actor=actor, cells=cells, change=change
            )
    except InvalidInput as refused:
        slot.error(" ".join(f"{k}: {v}" for k, v in refused.errors.items()))
        return
    flash(f"Saved {changed} figure{'s' if changed != 1 else ''}.")
    st.rerun()
