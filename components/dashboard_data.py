"""The dashboard's numbers, cached for everyone who looks at the same view.

What is cached: db.dashboard_queries.DashboardNumbers and the chart specs drawn from it —
counts and rates only, identical for every role, never a patient (st.cache_data is shared by
all users). The overdue list is not cached: it is drawn per role.

How it stays fresh: the cache key includes the database's dashboard data version, a sequence
that the summary triggers move on every write to interactions, concerns, issues and survey
answers (migration 0002). So a write made by anyone, on any app server, by any path (the app, a
CSV import, psql), makes the next page run recompute; nothing has to remember to clear the
cache. The short time-to-live bounds what a version cannot see: "open now" and "overdue now"
move with the clock, and a version read in the instant before a writer commits. Writers that
want their change on screen at once in this process may still call `clear_dashboard_cache()`.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy.orm import Session
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from components import charts
from components.shell import get_engine
from db.dashboard_queries import DashboardNumbers, dashboard_numbers, departments
from db.kpi import data_version
from db.periods import Period

CACHE_TTL_SECONDS = 60


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=200, show_spinner=False)
def _dashboard(
    period: Period,
    comparison: Period,
    trend: Period,
    department_id: int | None,
    version: int,
    large: bool,
) -> tuple[DashboardNumbers, dict[str, dict | None]]:
    # One entry for the numbers and their charts: one lookup and one copy a run. A shared
    # screen (large type) and a desk view of the same figures each compute them once.
    with Session(get_engine()) as session, session.begin():
        numbers = dashboard_numbers(
            session=session,
            period=period,
            comparison=comparison,
            trend=trend,
            department_id=department_id,
            now=dt.datetime.now(dt.UTC),
        )
    specs = charts.dashboard_specs(numbers, large=large)
    return numbers, {name: _with_arrow_data(spec) for name, spec in specs.items()}


def _with_arrow_data(spec: dict | None) -> dict | None:
    # st.vega_lite_chart turns each data set into Arrow bytes on every run (a few ms a chart,
    # a sixth of the page's own run); made once here, in the cache, each run sends them as they
    # are. The same conversion Streamlit would make, so the chart receives the same table.
    if spec is None:
        return None
    datasets = {
        name: convert_anything_to_arrow_bytes(rows) for name, rows in spec["datasets"].items()
    }
    return {**spec, "datasets": datasets}


def load_dashboard(
    *,
    period: Period,
    comparison: Period,
    trend: Period,
    department_id: int | None,
    large: bool,
) -> tuple[DashboardNumbers, dict[str, dict | None]]:
    """The dashboard's numbers and its charts as Vega-Lite specs for this view, from the cache
    when nothing has changed since they were computed (and they are under a minute old)."""
    with Session(get_engine()) as session:
        version = data_version(session=session)
    return _dashboard(period, comparison, trend, department_id, version, large)


@st.cache_data(ttl=300, show_spinner=False)
def department_choices() -> list[tuple[int, str]]:
    """(id, name) of every department for the filter (names are not patient data)."""
    with Session(get_engine()) as session:
        return departments(session=session)


def clear_dashboard_cache() -> None:
    """Forget every cached dashboard figure in this process (write paths may call it so their
    change shows at once; the data version already covers other processes)."""
    _dashboard.clear()
    department_choices.clear()
