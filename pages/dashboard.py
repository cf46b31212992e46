"""Dashboard: the KPIs for a period, against the previous one, with the trends behind them
(definitions: docs/metrics.md). Counts and rates only, so it is safe on a shared screen; the
overdue list names concerns (never patients) for managers and shows counts for everyone else.

The filters live in the URL (period, from, to, dept, trend, present), so a link reproduces the
view; clicking a department bar narrows the page to that department. The filters and all they
change are one fragment: changing them reruns that part only (checking the session first).
"""

import datetime as dt

import streamlit as st
from sqlalchemy.orm import Session

from components import dashboard_view as view
from components.dashboard_data import department_choices, load_dashboard
from components.dashboard_filters import CHART_KEY, DashboardView
from components.facility import app_settings
from components.login import require_permission_in_fragment
from components.safe import Label, show_line
from components.shell import (
    get_engine,
    presentation_frame,
    presentation_mode,
    require_permission,
)
from db import periods
from db.dashboard_queries import overdue_concerns, overdue_counts
from db.permissions import Permission, allows

require_permission(Permission.VIEWS_DASHBOARD)
presentation_frame()
settings = app_settings()
names = dict(department_choices())
st.title("Dashboard")


@st.fragment
def dashboard() -> None:
    # A filter change or a department click reruns only this part, not the app around it.
    staff = require_permission_in_fragment(Permission.VIEWS_DASHBOARD)
    presenting = presentation_mode()  # read again: this part may rerun on its own
    now = dt.datetime.now(dt.UTC)
    today = periods.facility_today(settings.facility_tz, now)
    filters_view = DashboardView(today=today, tz_name=settings.facility_tz_name, departments=names)
    filters = filters_view.draw()
    period, department_id = filters.period, filters.department_id
    comparison = periods.comparison_period(period, today=today)
    where = "All departments" if department_id is None else names[department_id]
    in_progress = period.first_day <= today < period.end_day
    show_line(
        Label(where),
        f" · {period.label()}"
        + (" (to date)" if in_progress else "")
        + f" · compared with {comparison.label()} · times in {settings.facility_tz_name}",
        small=True,
    )

    numbers, specs = load_dashboard(
        period=period,
        comparison=comparison,
        trend=periods.trend_period(period, filters.trend_weeks),
        department_id=department_id,
        large=presenting,
    )
    if numbers.summaries_tz != settings.facility_tz_name:  # prepare re-keys them at start
        st.warning(
            f"These figures count days in {numbers.summaries_tz}, not "
            f"{settings.facility_tz_name}: run `python -m db.cli prepare` to re-key the summaries."
        )
    view.draw_tiles(numbers, period, in_progress=in_progress, large=presenting)
    view.draw_charts(
        specs, department_key=CHART_KEY, on_department_click=filters_view.department_clicked
    )

    with Session(get_engine()) as session:
        if allows(staff, Permission.EXPORTS) and not presenting:
            overdue = overdue_concerns(session=session, now=now, department_id=department_id)
        else:
            overdue = overdue_counts(session=session, now=now, department_id=department_id)
    view.draw_overdue(overdue, settings.facility_tz)


dashboard()
