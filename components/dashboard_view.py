"""The Dashboard's tiles, chart grid and overdue list, drawn from the numbers of one view.

The tiles are a pure function of the numbers (`dashboard_tiles`), so what each tile says is
tested without Streamlit; the page only chooses the view and calls these in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from components import charts
from components.kpi_tiles import Tile, render_tiles, tile_for
from components.safe import Link, show_table
from components.wording import counted
from db.dashboard_queries import DashboardNumbers
from db.periods import Period


def opened_by_type(numbers: DashboardNumbers) -> str:
    """ "3 complaints, 1 grievance": the concerns opened in the period by type, none left out."""
    return ", ".join(counted(r.value, t) for t, r in numbers.opened_by_type.items() if r.value)


def dashboard_tiles(numbers: DashboardNumbers, period: Period, *, in_progress: bool) -> list[Tile]:
    """The ten KPI tiles of the Dashboard, each against the comparison period (the same days
    before when the period is still running)."""
    before = "same days before" if in_progress else "previous"
    by_type = opened_by_type(numbers)
    return [
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
            of=("encounter", "encounters"),
            compared_with=before,
            delta_colour="inverse",
            help="Complaints and grievances opened, per 1,000 patient encounters (prorated "
            "from monthly volumes, counted only up to now); only departments whose volumes "
            "cover the period.",
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
            "Grievance response on time",
            numbers.grievance_compliance,
            "share",
            of=("window ended", "windows ended"),
            compared_with=before,
            help="Grievances whose written-response window (7 days unless the administrator "
            "set other days) ended in the period: share with the written response sent in time "
            "(CMS 42 CFR 482.13).",
        ),
        tile_for(
            "Net Promoter Score",
            numbers.nps,
            "points",
            of=("answer", "answers"),
            compared_with=before,
            help="Likelihood-to-recommend answers (0–10): % 9–10 minus % 0–6. Unadjusted.",
        ),
    ]


def draw_tiles(
    numbers: DashboardNumbers, period: Period, *, in_progress: bool, large: bool
) -> None:
    """The tiles in two rows of five (fewer where the screen is too narrow for them), and the
    concerns opened by type under them."""
    render_tiles(dashboard_tiles(numbers, period, in_progress=in_progress), per_row=5)
    if large:
        st.html(LARGE_TILES_CSS)
    by_type = opened_by_type(numbers)
    if by_type:
        st.caption(f"Concerns opened by type: {by_type}.")


# Presentation mode's larger type on a laptop (leadership always presents): five tiles still
# fit a row when the values are a size smaller. Fixed CSS, never user data.
LARGE_TILES_CSS = """<style>
@media (max-width: 1500px) {
  .stApp [class*="st-key-kpi_tiles"] [data-testid="stMetricValue"],
  .stApp [class*="st-key-kpi_tiles"] [data-testid="stMetricValue"] p { font-size: 1.9rem; }
  .stApp [class*="st-key-kpi_tiles"] [data-testid="stMetricLabel"] p { font-size: 1.1rem; }
}
</style>"""

EMPTY_CHART = {
    "weekly_volume": "No concerns opened in the trend span.",
    "satisfaction": "No likelihood-to-recommend answers in the trend span.",
    "by_department": "No concerns opened in this period.",
    "by_category": "No issues recorded for concerns opened in this period.",
    "open_by_age": "No open concerns.",
    "complaint_rates": "Complaints per 1,000 encounters need monthly encounter volumes covering "
    "the period.",
}
CHART_ROWS = (
    ("weekly_volume", "satisfaction"),
    ("by_department", "by_category"),
    ("open_by_age", "complaint_rates"),
)


def draw_charts(
    specs: dict[str, dict | None], *, department_key: str, on_department_click: Callable[[], None]
) -> None:
    """The six charts, two to a row; an empty one says why. Clicking a department bar calls
    `on_department_click`."""
    for row in CHART_ROWS:
        for column, name in zip(st.columns(2), row, strict=True):
            with column:
                if specs[name] is None:
                    st.info(EMPTY_CHART[name])
                elif name == "by_department":
                    charts.draw(
                        specs[name],
                        key=department_key,
                        on_select=on_department_click,
                        selection_mode=charts.DEPARTMENT_SELECTION,
                    )
                else:
                    charts.draw(specs[name])
                if name == "satisfaction" and specs[name] is not None:
                    st.caption(
                        "Internal survey scores, unadjusted for patient mix. n in the tooltip."
                    )


def draw_overdue(overdue: pd.DataFrame, tz: ZoneInfo) -> None:
    """The overdue section: the most overdue concerns (no patients) when the list has a concern
    column, else counts by department and severity. A plain table, not st.dataframe: the grid
    costs the browser about as much as a chart to draw, for a few rows below the charts."""
    st.subheader("Overdue now")
    if overdue.empty:
        st.success("Nothing is overdue.")
    elif "concern" in overdue:
        with _scrolling(len(overdue)):
            show_table(
                {
                    # The Open concerns page opens a concern's detail from ?concern=<id>.
                    "Concern": [Link(str(i), concern_address(i)) for i in overdue.concern],
                    "Type": list(overdue.type),
                    "Severity": list(overdue.severity),
                    "Department": list(overdue.department),
                    "Owner": ["" if pd.isna(o) else o for o in overdue.owner],
                    "Was due": [_local(d, tz) for d in overdue.due_at],
                    "Days overdue": [f"{d:.1f}" for d in overdue.days_overdue],
                }
            )
        st.caption(
            f"The {counted(len(overdue), 'most overdue concern')}, oldest first. "
            "A concern number opens its detail."
        )
    else:
        with _scrolling(len(overdue)):
            show_table(
                {
                    "Department": list(overdue.department),
                    "Severity": list(overdue.severity),
                    "Overdue concerns": [f"{int(n):,}" for n in overdue.concerns],
                }
            )
        st.caption(f"{counted(int(overdue.concerns.sum()), 'overdue concern')}, counts only.")


OVERDUE_ROWS_SHOWN, OVERDUE_HEIGHT_PX = 10, 400


def _scrolling(rows: int):
    # About ten rows on screen, the rest a scroll away inside the list, as the grid did.
    return st.container(height=OVERDUE_HEIGHT_PX if rows > OVERDUE_ROWS_SHOWN else "content")


def concern_address(concern_id: int) -> str:
    """The address that opens a concern's detail on the Open concerns page."""
    return f"concerns?concern={int(concern_id)}"


def _local(instant: dt.datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%d %b %Y %H:%M")
