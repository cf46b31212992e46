"""Weekly summary: one ISO week as leadership reads it, previewed exactly as the files are made
(one-page PDF brief, XLSX workbook, CSV rows). The week is in the URL (?week=2026-W46); without
one, the last complete week on the facility's calendar. Counts and rates only, except the CSV
rows a manager may choose to identify (audited as an unmask)."""

import datetime as dt

import streamlit as st

from components import url_state
from components.facility import app_settings
from components.shell import presentation_frame, require_permission
from components.weekly_view import (
    load_brief,
    render_downloads,
    render_preview,
    week_choices,
    week_option_label,
)
from db.permissions import Permission, allows
from db.weekly_summary import last_complete_week, parse_week, week_label

staff = require_permission(Permission.READS_WEEKLY_SUMMARY)
presenting = presentation_frame()
settings = app_settings()
now = dt.datetime.now(dt.UTC)
tz_name = settings.facility_tz_name
PICKER = url_state.widget_key("weekly", "week")

asked = url_state.text(st.query_params.to_dict(), "week")
default = last_complete_week(now=now, tz_name=tz_name)
problem = None
try:
    week = parse_week(asked, tz_name=tz_name) if asked else default
except ValueError as error:
    week, problem = default, f"{error}; showing {week_label(default)} instead."
url_state.update_url({"week": week_label(week)})

st.title("Weekly summary")
choices = week_choices(now=now, tz_name=tz_name)
if week not in choices:
    choices.append(week)  # an older week named in the link


def _week_changed() -> None:
    url_state.update_url({"week": week_label(st.session_state[PICKER])})


st.selectbox(
    "ISO week (Monday to Sunday, " + tz_name + ")",
    choices,
    index=choices.index(week),
    format_func=lambda w: week_option_label(w, now=now),
    key=PICKER,
    on_change=_week_changed,
)
if problem:
    st.error(problem)

with st.spinner("Reading the week's figures..."):
    brief = load_brief(week)
render_downloads(brief, staff, may_identify=allows(staff, Permission.EXPORTS) and not presenting)
render_preview(brief)
