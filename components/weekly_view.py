"""The Weekly summary page's parts: the week picker's choices, the cached summary, the preview
and the download buttons.

The preview draws the same `Brief` the files are made from (components.weekly_exports), so what
is on screen is what is downloaded. The summary holds counts and rates only, identical for every
role, so it is cached for everyone (keyed by the database's data version, like the dashboard);
identified CSV rows are never cached.

Each download button is given a function, not bytes: Streamlit calls it when the button is
clicked, so a file is only made when someone wants it, and the same function writes the audit
row with the file's SHA-256 and row count.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from components.facility import app_settings
from components.shell import get_engine
from components.weekly_brief import COLUMNS, Brief, instrument_rows
from components.weekly_exports import ExportFile, csv_files, pdf_file, weekly_brief, xlsx_file
from db.kpi import data_version
from db.periods import Period
from db.users import StaffMember
from db.weekly_summary import (
    last_complete_week,
    record_weekly_export,
    week_concerns,
    week_interactions,
    week_label,
)

CACHE_TTL_SECONDS = 60
WEEKS_OFFERED = 104


def week_choices(*, now: dt.datetime, tz_name: str) -> list[Period]:
    """The weeks the picker offers: the week in progress, then the last two years, newest
    first."""
    last = last_complete_week(now=now, tz_name=tz_name)
    current = Period(last.end_day, last.end_day + dt.timedelta(days=7), tz_name)
    return [current] + [
        Period(
            last.first_day - dt.timedelta(days=7 * i),
            last.end_day - dt.timedelta(days=7 * i),
            tz_name,
        )
        for i in range(WEEKS_OFFERED)
    ]


def week_option_label(week: Period, *, now: dt.datetime) -> str:
    """'2026-W46 · 9 Nov 2026 – 15 Nov 2026' (and 'in progress' for the current week)."""
    suffix = " (in progress)" if week.end > now else ""
    return f"{week_label(week)} · {week.label()}{suffix}"


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=20, show_spinner=False)
def _brief(week: Period, version: int) -> Brief:
    # `version` only keys the cache: any write anywhere gives a new summary on the next run.
    with Session(get_engine()) as session, session.begin():
        return weekly_brief(
            session=session, week=week, now=dt.datetime.now(dt.UTC), settings=app_settings()
        )


def load_brief(week: Period) -> Brief:
    """The week's brief, from the cache while nothing has changed. The week's rows are read
    only when a file that holds them is asked for."""
    with Session(get_engine()) as session:
        version = data_version(session=session)
    return _brief(week, version)


def _table(rows: list[tuple], columns: list[str] | tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame([tuple(str(c) for c in row) for row in rows], columns=list(columns))


def render_preview(b: Brief) -> None:
    """Everything the PDF brief holds, on screen; user text only inside tables and st.text."""
    s = b.summary
    st.subheader(b.header[0])
    st.text(b.header[1])
    if not s.complete:
        st.warning("This week is still in progress: its figures will change until it ends.")
    st.dataframe(
        _table([r.cells for r in b.table], COLUMNS),
        hide_index=True,
        width="stretch",
        height=35 * (len(b.table) + 1) + 3,  # every row, no scrolling
    )
    st.markdown("**What changed**")
    st.text(" ".join(b.sentences))
    volume_col, nps_col = st.columns(2)
    # The brief's own styling (theme=None), so the screen shows the charts the PDF prints.
    volume_col.altair_chart(b.volume_chart(width=460, height=200), theme=None)
    nps_col.altair_chart(b.nps_chart(width=460, height=200), theme=None)
    movers = ["This week", "4-week median"]
    left, right = st.columns(2)
    with left:
        st.markdown("**Top categories (issues)**")
        st.dataframe(
            _movers(s.top_categories, "Category", movers), hide_index=True, width="stretch"
        )
        st.markdown("**Overdue at week end, by department**")
        st.dataframe(
            s.overdue_by_department.rename(columns=str.capitalize), hide_index=True, width="stretch"
        )
    with right:
        st.markdown("**Top departments (concerns opened)**")
        st.dataframe(
            _movers(s.top_departments, "Department", movers), hide_index=True, width="stretch"
        )
        st.markdown("**Complaints per 1,000 encounters**")
        if s.complaint_rates.empty:
            st.text("Needs monthly encounter volumes covering the week.")
        else:
            st.dataframe(
                s.complaint_rates.round({"per_thousand": 2, "encounters": 0}).rename(
                    columns={
                        "department": "Department",
                        "complaints": "Complaints",
                        "encounters": "Encounters",
                        "per_thousand": "Per 1,000",
                    }
                ),
                hide_index=True,
                width="stretch",
            )
    st.markdown("**Satisfaction (unadjusted)**")
    st.dataframe(
        _table(instrument_rows(s), ["Measure", "This week", "Previous week"]),
        hide_index=True,
        width="stretch",
    )


def _movers(movers, name: str, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(m.name, m.this_week, m.median_before) for m in movers], columns=[name, *columns]
    )


def audited(file: ExportFile, week: Period, staff: StaffMember, identified: bool) -> bytes:
    """Record the export of `file` by `staff` and hand its bytes over."""
    with Session(get_engine()) as session, session.begin():
        record_weekly_export(
            session=session,
            username=staff.username,
            user_id=staff.id,
            week=week,
            file_format=file.file_format,
            rows=file.rows,
            sha256=file.sha256,
            identified=identified,
            extra={"file": file.name, "via": "page"},
        )
    return file.data


def _rows(week: Period, identified: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Session(get_engine()) as session:
        return (
            week_interactions(session=session, week=week, identified=identified),
            week_concerns(session=session, week=week, identified=identified),
        )


def file_maker(b: Brief, what: str, staff: StaffMember, *, identified: bool = False):
    """A function that makes one file of the brief ("pdf", "xlsx", "interactions" or
    "concerns" CSV), audits it and returns its bytes: for a download button."""
    week = b.summary.week

    def make() -> bytes:
        if what == "pdf":
            file = pdf_file(b)
        elif what == "xlsx":
            file = xlsx_file(b, *_rows(week, identified=False))
        else:
            files = csv_files(b, *_rows(week, identified), identified=identified)
            file = files[0 if what == "interactions" else 1]
        return audited(file, week, staff, identified=identified)

    return make


def render_downloads(b: Brief, staff: StaffMember, *, may_identify: bool) -> None:
    """The download buttons; a manager (not presenting) may tick identified CSV rows."""
    stem = f"weekly-summary-{b.summary.label}"
    identified = may_identify and st.checkbox(
        "Identify patients in the CSV files (MRN, name, summary; recorded as an unmask)",
        key="weekly_identified",
    )
    pdf_col, xlsx_col, csv_col, concerns_col = st.columns(4)
    pdf_col.download_button(
        "PDF brief",
        data=file_maker(b, "pdf", staff),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        type="primary",
        on_click="ignore",
        key="weekly_pdf",
    )
    xlsx_col.download_button(
        "Workbook (XLSX)",
        data=file_maker(b, "xlsx", staff),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        on_click="ignore",
        key="weekly_xlsx",
    )
    suffix = "-identified" if identified else ""
    for column, what in ((csv_col, "interactions"), (concerns_col, "concerns")):
        column.download_button(
            f"{what.capitalize()} (CSV{', identified' if identified else ''})",
            data=file_maker(b, what, staff, identified=identified),
            file_name=f"{stem}-{what}{suffix}.csv",
            mime="text/csv",
            icon=":material/csv:",
            on_click="ignore",
            key=f"weekly_csv_{what}{suffix}",
        )
