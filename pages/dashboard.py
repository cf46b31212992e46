"""Dashboard: the KPIs of SPEC section 4 for a period, against the previous one, with the trends
behind them. Counts and rates only, so it is safe on a shared screen; the overdue list names
concerns (never patients) for managers and shows counts for everyone else.

The filters live in the URL (period, from, to, dept, trend, present), so a link reproduces the
view; clicking a department bar narrows the page to that department.
"""

import datetime as dt
from dataclasses import replace

import streamlit as st
from sqlalchemy.orm import Session

from components import charts
from components.dashboard_data import department_choices, load_dashboard
from components.kpi_tiles import render_tiles, tile_for
from components.safe import escape_markdown
from components.shell import get_engine, presentation_frame, require_roles
from db import periods
from db.dashboard_queries import overdue_concerns, overdue_counts
from db.settings import get_settings

staff = require_roles("manager", "leadership", "admin")
presenting = presentation_frame()
settings = get_settings()
now = dt.datetime.now(dt.UTC)
today = periods.facility_today(settings.facility_tz, now)
names = dict(department_choices())

# --- filters: the URL is the view; widgets and chart clicks rewrite the URL -----------------------
# Each widget starts from the URL and its callback writes the URL back, so the view, the widgets
# and a copied link always agree. A department clicked on the chart changes the URL and a key
# version, so the department box is drawn afresh from the URL.
ALL = 0  # the "All departments" choice (a None option would read as "nothing chosen")
VERSION_KEY = "dash_filters_version"
CHART_KEY = "dash_department_chart"
TREND_LABELS = {13: "13 weeks", 26: "26 weeks", 52: "1 year", 104: "2 years"}
version = st.session_state.setdefault(VERSION_KEY, 0)
PERIOD_KEY, DATES_KEY, DEPARTMENT_KEY, TREND_KEY = (
    f"dash_{name}_{version}" for name in ("period", "dates", "department", "trend")
)


def _url_filters() -> periods.DashboardFilters:
    filters = periods.filters_from_params(
        st.query_params.to_dict(), today=today, tz_name=settings.facility_tz_name
    )
    if filters.department_id not in names:
        filters = replace(filters, department_id=None)
    return filters


def _show(filters: periods.DashboardFilters) -> None:
    wanted = periods.params_from_filters(filters)
    if st.query_params.get("present") == "1":
        wanted["present"] = "1"
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _period_changed() -> None:
    current, choice = _url_filters(), st.session_state[PERIOD_KEY]
    # Switching to custom dates starts from the days on screen.
    period = (
        current.period
        if choice == periods.CUSTOM
        else periods.period_for(choice, today=today, tz_name=settings.facility_tz_name)
    )
    _show(replace(current, choice=choice, period=period))


def _dates_changed() -> None:
    picked = st.session_state[DATES_KEY]
    if isinstance(picked, tuple | list) and len(picked) == 2:
        period = periods.period_for(
            periods.CUSTOM,
            today=today,
            tz_name=settings.facility_tz_name,
            first_day=picked[0],
            last_day=picked[1],
        )
        _show(replace(_url_filters(), choice=periods.CUSTOM, period=period))


def _department_changed() -> None:
    chosen = st.session_state[DEPARTMENT_KEY]
    _show(replace(_url_filters(), department_id=None if chosen == ALL else chosen))


def _trend_changed() -> None:
    _show(replace(_url_filters(), trend_weeks=st.session_state[TREND_KEY]))


def _department_clicked() -> None:
    chosen = charts.department_from_selection(st.session_state.get(CHART_KEY))
    if chosen is not None and chosen not in names:
        return  # the Other bar
    _show(replace(_url_filters(), department_id=chosen))  # a cleared selection: all
    st.session_state[VERSION_KEY] = version + 1


filters = _url_filters()
_show(filters)  # tidy a malformed or partial link into the view it opened
st.title("Dashboard")
period_col, dates_col, department_col, trend_col = st.columns([2, 3, 3, 2])
period_col.selectbox(
    "Period",
    list(periods.PERIOD_CHOICES),
    index=list(periods.PERIOD_CHOICES).index(filters.choice),
    format_func=periods.PERIOD_CHOICES.get,
    key=PERIOD_KEY,
    on_change=_period_changed,
)
if filters.choice == periods.CUSTOM:
    dates_col.date_input(
        "From – to (inclusive)",
        value=(filters.period.first_day, filters.period.last_day),
        min_value=periods.EARLIEST_DAY,
        max_value=today + dt.timedelta(days=366),
        format="YYYY-MM-DD",
        key=DATES_KEY,
        on_change=_dates_changed,
    )
department_options = [ALL, *names]
department_col.selectbox(
    "Department",
    department_options,
    index=department_options.index(filters.department_id or ALL),
    format_func=lambda d: "All departments" if d == ALL else names[d],
    key=DEPARTMENT_KEY,
    on_change=_department_changed,
)
trend_col.selectbox(
    "Trend charts",
    list(TREND_LABELS),
    index=list(TREND_LABELS).index(filters.trend_weeks),
    format_func=TREND_LABELS.get,
    key=TREND_KEY,
    on_change=_trend_changed,
)
period, department_id, trend_weeks = filters.period, filters.department_id, filters.trend_weeks
comparison = periods.comparison_period(period, today=today)
trend = periods.trend_period(period, trend_weeks)
where = "All departments" if department_id is None else names[department_id]
in_progress = period.first_day <= today < period.end_day
st.caption(
    f"**{escape_markdown(where)}** · {period.label()}"
    + (" (to date)" if in_progress else "")
    + f" · compared with {comparison.label()} · times in {settings.facility_tz_name}"
)

# --- tiles ---------------------------------------------------------------------------------------
numbers, specs = load_dashboard(
    period=period,
    comparison=comparison,
    trend=trend,
    department_id=department_id,
    large=presenting,
)
before = "same days before" if in_progress else "previous"
by_type = ", ".join(
    f"{r.value:,} {t}{'s' if r.value != 1 else ''}"
    for t, r in numbers.opened_by_type.items()
    if r.value
)
render_tiles(
    [
        tile_for(
            "Interactions",
            numbers.interactions,
            "count",
            compared_with=before,
            delta_colour="off",
            help="Contacts logged with a time in the period.",
        ),
        tile_for(
            "Concerns opened",
            numbers.concerns_opened,
            "count",
            compared_with=before,
            delta_colour="inverse",
            help="By type: " + (by_type or "none"),
        ),
        tile_for(
            "Open now",
            numbers.open_now,
            "count",
            compared_with=f"{period.days} days earlier",
            delta_colour="inverse",
            help="Not resolved or closed at this moment.",
        ),
        tile_for(
            "Overdue now",
            numbers.overdue_now,
            "count",
            compared_with=f"{period.days} days earlier",
            delta_colour="inverse",
            help="Open and past their due time.",
        ),
        tile_for(
            "Complaints per 1,000",
            numbers.complaints_per_thousand,
            "per_thousand",
            of="encounters",
            compared_with=before,
            delta_colour="inverse",
            help="Complaints and grievances opened, per 1,000 patient encounters; only "
            "departments whose monthly encounter volumes cover the whole period.",
        ),
        tile_for(
            "On-time resolution",
            numbers.on_time_rate,
            "share",
            of="resolved with a due time",
            compared_with=before,
            help="Resolved at or before the due time, of concerns resolved in the period "
            "(compliments carry no due time).",
        ),
        tile_for(
            "Median days to resolve",
            numbers.median_days,
            "days",
            of="resolved",
            compared_with=before,
            delta_colour="inverse",
            help="Median time from opened to resolved, concerns resolved in the period.",
        ),
        tile_for(
            "First-contact resolution",
            numbers.first_contact_rate,
            "share",
            of="calls resolved or opening a concern",
            compared_with=before,
            help="Resolved at first contact, of interactions resolved at first contact or "
            "opening a concern.",
        ),
        tile_for(
            "7-day grievance response",
            numbers.grievance_compliance,
            "share",
            of="windows ended",
            compared_with=before,
            help="Grievances whose 7-day written-response window ended in the period: share "
            "with the written response sent in time (CMS 42 CFR 482.13).",
        ),
        tile_for(
            "Net Promoter Score",
            numbers.nps,
            "points",
            of="answers",
            compared_with=before,
            help="Likelihood-to-recommend answers (0–10): % 9–10 minus % 0–6. Unadjusted.",
        ),
    ],
    per_row=4 if presenting else 5,  # the larger type of presentation mode needs wider tiles
)
if by_type:
    st.caption(f"Concerns opened by type: {by_type}.")

# --- charts --------------------------------------------------------------------------------------
EMPTY_CHART = {
    "weekly_volume": "No concerns opened in the trend span.",
    "satisfaction": "No likelihood-to-recommend answers in the trend span.",
    "by_department": "No concerns opened in this period.",
    "by_category": "No issues recorded for concerns opened in this period.",
    "open_by_age": "No open concerns.",
    "complaint_rates": "Complaints per 1,000 encounters need monthly encounter volumes covering "
    "the period.",
}
for row in (
    ("weekly_volume", "satisfaction"),
    ("by_department", "by_category"),
    ("open_by_age", "complaint_rates"),
):
    for column, name in zip(st.columns(2), row, strict=True):
        with column:
            if specs[name] is None:
                st.info(EMPTY_CHART[name])
            elif name == "by_department":
                charts.draw(
                    specs[name],
                    key=CHART_KEY,
                    on_select=_department_clicked,
                    selection_mode=charts.DEPARTMENT_SELECTION,
                )
            else:
                charts.draw(specs[name])
            if name == "satisfaction" and specs[name] is not None:
                st.caption("Internal survey scores, unadjusted for patient mix. n in the tooltip.")

# --- overdue -------------------------------------------------------------------------------------
st.subheader("Overdue now")
with Session(get_engine()) as session:
    if staff.has_any("manager") and not presenting:
        overdue = overdue_concerns(session=session, now=now, department_id=department_id)
    else:
        overdue = overdue_counts(session=session, now=now, department_id=department_id)
if overdue.empty:
    st.success("Nothing is overdue.")
elif "concern" in overdue:
    shown = overdue.assign(
        # The Open concerns page opens a concern's detail from ?concern=<id>.
        concern=[f"concerns?concern={i}" for i in overdue.concern],
        due_at=[
            d.astimezone(settings.facility_tz).strftime("%d %b %Y %H:%M") for d in overdue.due_at
        ],
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "concern": st.column_config.LinkColumn("Concern", display_text=r"concern=(\d+)$"),
            "type": "Type",
            "severity": "Severity",
            "department": "Department",
            "owner": "Owner",
            "due_at": "Was due",
            "days_overdue": st.column_config.NumberColumn("Days overdue", format="%.1f"),
        },
    )
    st.caption(f"The {len(overdue)} most overdue, oldest first. A concern number opens its detail.")
else:
    st.dataframe(
        overdue,
        hide_index=True,
        column_config={
            "department": "Department",
            "severity": "Severity",
            "concerns": "Overdue concerns",
        },
    )
    st.caption(f"{int(overdue.concerns.sum()):,} overdue concerns, counts only.")
