"""The Dashboard's filters (period, custom dates, department, trend span), held in the URL.

Each widget starts from the URL and its callback writes the whole view back in one canonical
form (`db.periods.params_from_filters`), so the view, the widgets and a copied link always agree.
A department clicked on the chart changes the URL and redraws the widgets from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from components import charts, url_state
from db import periods

PREFIX = "dash"
ALL = 0  # the "All departments" choice (a None option would read as "nothing chosen")
CHART_KEY = "dash_department_chart"
TREND_LABELS = {13: "13 weeks", 26: "26 weeks", 52: "1 year", 104: "2 years"}
# Presentation mode belongs to the frame: the page keeps it in the URL but does not own it.
KEPT_PARAMS = ("present",)


class DashboardView:
    """The filters of one run of the Dashboard: read from the URL, drawn, written back."""

    def __init__(self, *, today: dt.date, tz_name: str, departments: dict[int, str]) -> None:
        self.today, self.tz_name, self.departments = today, tz_name, departments
        self.keys = {
            name: url_state.widget_key(PREFIX, name)
            for name in ("period", "dates", "department", "trend")
        }

    def from_url(self) -> periods.DashboardFilters:
        """The filters the URL names; a department that does not exist means all of them."""
        filters = periods.filters_from_params(
            st.query_params.to_dict(), today=self.today, tz_name=self.tz_name
        )
        if filters.department_id not in self.departments:
            filters = replace(filters, department_id=None)
        return filters

    def show(self, filters: periods.DashboardFilters) -> None:
        """Write `filters` into the URL (tidying a malformed or partial link)."""
        url_state.show_exactly(periods.params_from_filters(filters), keep=KEPT_PARAMS)

    def _period_changed(self) -> None:
        current, choice = self.from_url(), st.session_state[self.keys["period"]]
        # Switching to custom dates starts from the days on screen.
        period = (
            current.period
            if choice == periods.CUSTOM
            else periods.period_for(choice, today=self.today, tz_name=self.tz_name)
        )
        self.show(replace(current, choice=choice, period=period))

    def _dates_changed(self) -> None:
        picked = st.session_state[self.keys["dates"]]
        if isinstance(picked, tuple | list) and len(picked) == 2:
            period = periods.period_for(
                periods.CUSTOM,
                today=self.today,
                tz_name=self.tz_name,
                first_day=picked[0],
                last_day=picked[1],
            )
            self.show(replace(self.from_url(), choice=periods.CUSTOM, period=period))

    def _department_changed(self) -> None:
        chosen = st.session_state[self.keys["department"]]
        self.show(replace(self.from_url(), department_id=None if chosen == ALL else chosen))

    def _trend_changed(self) -> None:
        self.show(replace(self.from_url(), trend_weeks=st.session_state[self.keys["trend"]]))

    def department_clicked(self) -> None:
        """Callback of the by-department chart: narrow the page to the clicked department (a
        cleared selection: all departments)."""
        chosen = charts.department_from_selection(st.session_state.get(CHART_KEY))
        if chosen is not None and chosen not in self.departments:
            return  # the Other bar
        self.show(replace(self.from_url(), department_id=chosen))
        url_state.redraw(PREFIX)

    def draw(self) -> periods.DashboardFilters:
        """Draw the filter row from the URL and return the filters it shows."""
        filters = self.from_url()
        self.show(filters)
        period_col, dates_col, department_col, trend_col = st.columns([2, 3, 3, 2])
        choices = list(periods.PERIOD_CHOICES)
        period_col.selectbox(
            "Period",
            choices,
            index=choices.index(filters.choice),
            format_func=periods.PERIOD_CHOICES.get,
            key=self.keys["period"],
            on_change=self._period_changed,
        )
        if filters.choice == periods.CUSTOM:
            dates_col.date_input(
                "From – to (inclusive)",
                value=(filters.period.first_day, filters.period.last_day),
                min_value=periods.EARLIEST_DAY,
                max_value=self.today + dt.timedelta(days=366),
                format="YYYY-MM-DD",
                key=self.keys["dates"],
                on_change=self._dates_changed,
            )
        department_options = [ALL, *self.departments]
        department_col.selectbox(
            "Department",
            department_options,
            index=department_options.index(filters.department_id or ALL),
            format_func=lambda d: "All departments" if d == ALL else self.departments[d],
            key=self.keys["department"],
            on_change=self._department_changed,
        )
        trend_col.selectbox(
            "Trend charts",
            list(TREND_LABELS),
            index=list(TREND_LABELS).index(filters.trend_weeks),
            format_func=TREND_LABELS.get,
            key=self.keys["trend"],
            on_change=self._trend_changed,
        )
        return filters
