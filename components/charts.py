"""Altair chart builders for the dashboard: pure functions from small aggregated frames to
`alt.Chart`, so tests can check them through `chart.to_dict()` without a browser.

`large=True` is presentation mode: bigger labels for a shared screen. Every chart shows counts
or rates only, never a patient.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from db.dashboard_queries import AGE_BANDS, DashboardNumbers
from db.models import CONCERN_TYPES, SEVERITIES

DEPARTMENT_SELECTION = "department_click"
OTHER_ID = -1  # the "Other departments" bar: clicking it narrows nothing
TOP_N = 10
TYPE_COLOURS = ("#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1")
SEVERITY_COLOURS = ("#bab0ac", "#f1ce63", "#f28e2b", "#d62728")
BAR = "#4e79a7"
SMALL_LABEL, ENOUGH_LABEL = "n < 30 (too few)", "n ≥ 30"
HIGHLIGHT = "#f28e2b"
MUTED = "#9fb8d3"
# Horizontal bar charts: every bar keeps its label (Vega would drop "overlapping" ones).
BAND_AXIS = alt.Axis(labelOverlap=False)


def _bars_height(rows: int) -> int:
    # Vega fits title, axes and legend into the height too: about 100 px of it.
    return max(200, 100 + 26 * rows)


def _finish(chart: alt.TopLevelMixin, large: bool, height: int = 280) -> alt.TopLevelMixin:
    label, title = (16, 18) if large else (12, 13)
    # One .properties() call: every Altair method copies the whole chart.
    return chart.properties(
        height=int(height * (1.25 if large else 1)),
        # Fit the whole chart (title, axes, legend) in the space Streamlit gives it.
        autosize=alt.AutoSizeParams(type="fit", contains="padding"),
        config=alt.Config(
            axis=alt.AxisConfig(labelFontSize=label, titleFontSize=title, labelLimit=260),
            legend=alt.LegendConfig(
                labelFontSize=label,
                titleFontSize=title,
                orient="bottom",
                columns=3 if large else 0,
            ),
            title=alt.TitleConfig(fontSize=title + 2, subtitleFontSize=label, anchor="start"),
        ),
    )


def top_with_other(
    frame: pd.DataFrame,
    label: str,
    value: str,
    *,
    n: int = TOP_N,
    keep: Mapping[str, Any] | None = None,
    id_column: str | None = None,
) -> pd.DataFrame:
    """The `n` largest rows by `value`, and the rest summed into one "Other (k)" row.

    `keep` ({column: value}) names a row that stays on its own even outside the top `n` (the
    department the page is narrowed to). With `id_column`, the Other row gets OTHER_ID there.
    """
    if frame.empty:
        return frame.copy()
    ordered = frame.sort_values([value, label], ascending=[False, True], ignore_index=True)
    top = ordered.head(n)
    rest = ordered.iloc[n:]
    if keep:
        column, wanted = next(iter(keep.items()))
        kept = rest[rest[column] == wanted]
        top = pd.concat([top, kept], ignore_index=True)
        rest = rest[rest[column] != wanted]
    if rest.empty:
        return top.reset_index(drop=True)
    other = {label: f"Other ({len(rest)})", value: rest[value].sum()}
    if id_column:
        other[id_column] = OTHER_ID
    return pd.concat([top, pd.DataFrame([other])], ignore_index=True)


def weekly_volume_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Concerns opened per ISO week, stacked by type (frame: week, type, opened)."""
    data = frame.assign(week=pd.to_datetime(frame["week"]))
    chart = (
        alt.Chart(data, title="Concerns opened per week")
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week starting (Monday)", axis=alt.Axis(format="%d %b %y")),
            y=alt.Y("sum(opened):Q", title="Concerns opened"),
            color=alt.Color(
                "type:N",
                title="Type",
                scale=alt.Scale(domain=list(CONCERN_TYPES), range=list(TYPE_COLOURS)),
            ),
            order=alt.Order("type:N"),
            tooltip=[
                alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("sum(opened):Q", title="Opened"),
            ],
        )
    )
    return _finish(chart, large)


def department_chart(
    frame: pd.DataFrame, *, selected: int | None = None, large: bool = False
) -> alt.Chart:
    """Concerns opened per department, top 10 and Other; the selected department is
    highlighted. Clicking a bar fills the DEPARTMENT_SELECTION selection with its id."""
    data = top_with_other(
        frame,
        "department",
        "opened",
        keep={"department_id": selected} if selected is not None else None,
        id_column="department_id",
    )
    click = alt.selection_point(name=DEPARTMENT_SELECTION, fields=["department_id"])
    if selected is None:
        colour: Any = alt.value(BAR)
    else:
        colour = (
            alt.when(alt.datum.department_id == selected)
            .then(alt.value(HIGHLIGHT))
            .otherwise(alt.value(MUTED))
        )
    chart = (
        alt.Chart(
            data,
            title=alt.Title(
                "Concerns opened by department", subtitle="Click a bar to narrow the page to it"
            ),
        )
        .mark_bar(cursor="pointer")
        .encode(
            y=alt.Y(
                "department:N",
                title=None,
                sort=list(data["department"]) if not data.empty else "-x",  # Other last
                axis=BAND_AXIS,
            ),
            x=alt.X("opened:Q", title="Concerns opened"),
            color=colour,
            tooltip=[
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("opened:Q", title="Opened"),
            ],
        )
        .add_params(click)
    )
    return _finish(chart, large, _bars_height(len(data)))


def category_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Issues per category, top 10 and Other (frame: category, issues)."""
    data = top_with_other(frame, "category", "issues")
    chart = (
        alt.Chart(data, title="Issues raised, by category")
        .mark_bar(color=BAR)
        .encode(
            y=alt.Y(
                "category:N",
                title=None,
                sort=list(data["category"]) if not data.empty else "-x",  # Other last
                axis=BAND_AXIS,
            ),
            x=alt.X("issues:Q", title="Issues"),
            tooltip=[
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("issues:Q", title="Issues"),
            ],
        )
    )
    return _finish(chart, large, _bars_height(len(data)))


def complaint_rate_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Complaints and grievances per 1,000 encounters, highest 10 departments (frame:
    department, complaints, encounters, per_thousand)."""
    data = frame.sort_values("per_thousand", ascending=False).head(TOP_N)
    chart = (
        alt.Chart(data, title="Complaints per 1,000 encounters (highest 10)")
        .mark_bar(color="#e15759")
        .encode(
            y=alt.Y(
                "department:N",
                title=None,
                sort=alt.SortField("per_thousand", order="descending"),
                axis=BAND_AXIS,
            ),
            x=alt.X("per_thousand:Q", title="Complaints and grievances per 1,000"),
            tooltip=[
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("per_thousand:Q", title="Per 1,000", format=".2f"),
                alt.Tooltip("complaints:Q", title="Complaints + grievances"),
                alt.Tooltip("encounters:Q", title="Encounters", format=","),
            ],
        )
    )
    return _finish(chart, large, _bars_height(len(data)))


def open_age_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Open concerns by age band, stacked by severity (frame: band, severity, concerns)."""
    chart = (
        alt.Chart(frame, title="Open concerns by age")
        .mark_bar()
        .encode(
            x=alt.X("band:N", title="Open for", sort=list(AGE_BANDS), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(concerns):Q", title="Open concerns"),
            color=alt.Color(
                "severity:N",
                title="Severity",
                scale=alt.Scale(domain=list(SEVERITIES), range=list(SEVERITY_COLOURS)),
            ),
            tooltip=[
                alt.Tooltip("band:N", title="Open for"),
                alt.Tooltip("severity:N", title="Severity"),
                alt.Tooltip("sum(concerns):Q", title="Concerns"),
            ],
        )
    )
    return _finish(chart, large)


def satisfaction_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Weekly NPS (likelihood to recommend) with n; hollow points mark weeks with fewer than
    30 answers, too few to trust (frame: week, answers, nps, small_sample)."""
    data = frame.assign(
        week=pd.to_datetime(frame["week"]),
        sample=frame["small_sample"].map({True: SMALL_LABEL, False: ENOUGH_LABEL}),
    )
    base = alt.Chart(data).encode(
        x=alt.X("week:T", title="Week starting (Monday)", axis=alt.Axis(format="%d %b %y")),
        y=alt.Y("nps:Q", title="NPS (points)", scale=alt.Scale(domain=[-100, 100])),
        tooltip=[
            alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
            alt.Tooltip("nps:Q", title="NPS", format=".1f"),
            alt.Tooltip("answers:Q", title="Answers (n)"),
        ],
    )
    line = base.mark_line(color=BAR)
    points = base.mark_point(size=60 if not large else 110, filled=True).encode(
        shape=alt.Shape(
            "sample:N",
            title="Sample",
            scale=alt.Scale(domain=[ENOUGH_LABEL, SMALL_LABEL], range=["circle", "triangle-up"]),
        ),
        color=alt.Color(
            "sample:N",
            title="Sample",
            scale=alt.Scale(domain=[ENOUGH_LABEL, SMALL_LABEL], range=[BAR, "#bab0ac"]),
        ),
    )
    chart = alt.layer(
        line,
        points,
        title=alt.Title("NPS per week", subtitle="Likelihood to recommend, unadjusted"),
    )
    return _finish(chart, large)


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart as a Vega-Lite spec, without re-validating it against the JSON schema (about
    30 ms a chart here: most of the page's own time). The tests validate every builder
    through to_dict()."""
    return chart.to_dict(validate=False)


def dashboard_specs(numbers: DashboardNumbers, *, large: bool) -> dict[str, dict | None]:
    """Every dashboard chart as a Vega-Lite spec (None where there is nothing to draw), from
    counts only, so the specs can be cached for all users with the numbers they show."""
    frames = {
        "weekly_volume": (numbers.weekly_volume, weekly_volume_chart),
        "satisfaction": (numbers.satisfaction, satisfaction_chart),
        "by_category": (numbers.by_category, category_chart),
        "open_by_age": (numbers.open_by_age, open_age_chart),
        "complaint_rates": (numbers.complaint_rates, complaint_rate_chart),
    }
    specs = {
        name: None if frame.empty else spec(builder(frame, large=large))
        for name, (frame, builder) in frames.items()
    }
    specs["by_department"] = (
        None
        if numbers.by_department.empty
        else spec(
            department_chart(numbers.by_department, selected=numbers.department_id, large=large)
        )
    )
    return specs


def draw(chart_spec: dict[str, Any], **kwargs: Any) -> Any:
    """Draw a spec from `spec()` / `dashboard_specs()` (kwargs: key, on_select,
    selection_mode); st.vega_lite_chart, because st.altair_chart would validate it again."""
    import streamlit as st

    return st.vega_lite_chart(spec=chart_spec, width="stretch", **kwargs)


def department_from_selection(state: Any) -> int | None:
    """The department id a click on the department chart chose: OTHER_ID for the Other bar,
    None when the click cleared the selection. `state` is the chart's selection state as
    Streamlit returns it ({"selection": {DEPARTMENT_SELECTION: [{"department_id": 7}]}})."""
    try:
        chosen = state["selection"][DEPARTMENT_SELECTION]
    except (KeyError, TypeError):
        return None
    if isinstance(chosen, Mapping):
        chosen = [chosen]
    for point in chosen or ():
        value = point.get("department_id") if isinstance(point, Mapping) else None
        if isinstance(value, list):
            value = value[0] if value else None
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return None
