"""Satisfaction: survey scores by week and department, with control limits that tell a real
change from noise, the departments compared fairly, and (managers) entry and CSV import.

The view lives in the URL (survey, question, measure, department, period, trend, baseline,
rebase, run length), so a link reproduces it. Presentation mode shows counts and charts only:
no comments, no entry or import.
"""

import datetime as dt

import streamlit as st
from sqlalchemy.orm import Session

from components import satisfaction_view as view_rules
from components import satisfaction_widgets as widgets
from components import url_state
from components.dashboard_data import department_choices
from components.facility import app_settings
from components.safe import show_line
from components.shell import get_engine, presentation_frame, require_permission
from components.survey_forms import import_section, response_entry_form
from db import periods
from db import satisfaction as sat
from db.permissions import Permission, allows
from db.validation import MAX_SEARCH_TEXT, text_problem

staff = require_permission(Permission.VIEWS_SATISFACTION)
presenting = presentation_frame()
settings = app_settings()
now = dt.datetime.now(dt.UTC)
today = periods.facility_today(settings.facility_tz, now)
engine = get_engine()
names = dict(department_choices())
with Session(engine) as session:
    instruments = sat.instruments(session=session)
st.title("Satisfaction")
st.caption(f"Internal survey scores, {sat.UNADJUSTED}.")
if not instruments:
    st.info("No survey instruments yet: an administrator adds them.")
    st.stop()

view = view_rules.view_from_params(
    st.query_params.to_dict(), instruments, today=today, tz_name=settings.facility_tz_name
)
url_state.show_exactly(view_rules.params_from_view(view), keep=("present", "section"))
widgets.filters(view, instruments, names)
instrument, question, filters = view.instrument, view.question, view.filters

# Managers also enter and import responses; never in presentation mode.
sections = ["View"]
if allows(staff, Permission.ENTERS_SURVEYS) and not presenting:
    sections += ["Enter a response", "Import a file"]
    section = url_state.one_of(st.query_params.to_dict(), "section", sections, "View")
    section = st.segmented_control(
        "Section", sections, default=section, key="sat_section", label_visibility="collapsed"
    )
    url_state.update_url({"section": None if section in (None, "View") else section})
    if section == "Enter a response":
        if message := st.session_state.pop("survey_entry_saved", None):
            st.success(message)
        response_entry_form(
            engine=engine,
            staff=staff,
            instrument=instrument,
            departments=names,
            tz=settings.facility_tz,
            now=now,
        )
        st.stop()
    if section == "Import a file":
        import_section(
            engine=engine, staff=staff, instrument=instrument, tz=settings.facility_tz, now=now
        )
        st.stop()

if view.date_problems:
    st.stop()  # the From/To fields say what to fix; no scores for dates that make no period
period, department_id = filters.period, filters.department_id
trend = periods.trend_period(period, filters.trend_weeks)
comparison = periods.comparison_period(period, today=today)
which = {"question_id": question.id} if question else {"instrument_id": instrument.id}
with Session(engine) as session:
    scores = sat.period_scores(
        session=session,
        period=period,
        previous=comparison,
        department_id=department_id,
        question=question,
        instrument_id=instrument.id,
    )
    if view.measure == sat.NPS:
        weeks = sat.weekly_net_promoter_score(
            session=session, trend=trend, department_id=department_id, question_id=question.id
        )
    else:
        series = sat.weekly_mean_score if view.measure == sat.MEAN else sat.weekly_top_box_rate
        weeks = series(session=session, trend=trend, department_id=department_id, **which)
    by_department = sat.scores_by_department(session=session, period=period, **which)
    comments = []
    search = st.session_state.get("sat_comment_search", "")
    search_problem = text_problem(search, MAX_SEARCH_TEXT)
    if not presenting:
        comments = sat.recent_comments(
            session=session,
            period=period,
            instrument_id=instrument.id,
            department_id=department_id,
            search="" if search_problem else search,
        )

where = names.get(department_id, "All departments")
asked = question.wording if question else f"all questions of {instrument.name}"
show_line(f"{where} · {period.label()} · {asked}", small=True)  # names typed by admins
widgets.tiles(
    scores,
    compared_with=comparison.label(),
    with_mean=sat.MEAN in view_rules.measures_for(instrument, question),
)
widgets.control_chart(
    view_rules.control_chart_for(view, weeks), weeks, view.measure, large=presenting
)
widgets.baseline_settings(view, weeks)
widgets.departments(by_department, large=presenting)
if not presenting:
    widgets.comments(comments, search_problem)
