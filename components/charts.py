"""Altair chart builders for the dashboard: pure functions from small aggregated frames to
`alt.Chart`, so tests can check them through `chart.to_dict()` without a browser.

`large=True` is presentation mode: bigger labels for a shared screen. Every chart shows counts
or rates only, never a patient.

Each chart is two steps: `_x_rows(frame)` turns the query's frame into JSON-ready rows, and
`_x(data, ...)` gives the chart its shape. The public builders do both. The page takes a faster
road to the same spec (`dashboard_specs`): the shape of each chart is built once per process
(Altair objects and their to_dict() cost tens of milliseconds a chart) with a named data set,
and each run only fills in the rows; the tests check that both roads give the same spec.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
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
TABLE = "table"  # the data set name in the page's specs
COUNT_AXIS = alt.Axis(tickMinStep=1)  # no half concerns on the axis


def _bars_height(rows: int) -> int:
    # Vega fits title, axes and legend into the height too: about 100 px of it.
    return max(200, 100 + 26 * rows)


# Presentation mode: text read across a meeting room (at least 16 px).
LARGE_LABEL_PX, LARGE_TITLE_PX = 18, 20


def _finish(chart: Any, large: bool, height: int = 280) -> Any:
    label, title = (LARGE_LABEL_PX, LARGE_TITLE_PX) if large else (12, 13)
    # Set on the fresh chart directly: .properties() would copy and validate it again.
    # Presentation mode fits the first row of charts on a 1080-pixel screen under the tiles.
    chart.height = height + (40 if large else 0)
    # Fit the whole chart (title, axes, legend) in the space Streamlit gives it.
    chart.autosize = alt.AutoSizeParams(type="fit", contains="padding")
    chart.config = alt.Config(
        axis=alt.AxisConfig(labelFontSize=label, titleFontSize=title, labelLimit=260),
        # Large type: the legend at the side, where it takes width the plot can spare rather
        # than height it cannot.
        legend=alt.LegendConfig(
            labelFontSize=label, titleFontSize=title, orient="right" if large else "bottom"
        ),
        title=alt.TitleConfig(fontSize=title + 2, subtitleFontSize=label, anchor="start"),
    )
    return chart


Rows = list[dict[str, Any]]


def _week_text(week: Any) -> str:
    # Local midnight without a zone: Vega-Lite reads it in the viewer's zone, so the labels
    # show the facility's Monday whatever the browser's zone.
    return f"{week:%Y-%m-%d}T00:00:00"


def _frame(rows: Rows) -> pd.DataFrame:
    # The builders' road: the same rows as a DataFrame for Altair (which turns it back into
    # the same JSON). An empty chart still needs its columns for the encodings' types.
    return pd.DataFrame(rows)


def _columns(frame: pd.DataFrame, *names: str) -> Any:
    return zip(*(frame[name].tolist() for name in names), strict=True)


def _top_rows(
    rows: Rows,
    label: str,
    value: str,
    *,
    n: int = TOP_N,
    keep: Mapping[str, Any] | None = None,
    id_column: str | None = None,
) -> Rows:
    ordered = sorted(rows, key=lambda r: (-r[value], r[label]))
    top, rest = ordered[:n], ordered[n:]
    if keep:
        column, wanted = next(iter(keep.items()))
        top += [r for r in rest if r[column] == wanted]
        rest = [r for r in rest if r[column] != wanted]
    if rest:
        other = {label: f"Other ({len(rest)})", value: sum(r[value] for r in rest)}
        if id_column:
            other[id_column] = OTHER_ID
        top.append(other)
    return [{**row, "rank": rank} for rank, row in enumerate(top)]


def top_with_other(
    frame: pd.DataFrame,
    label: str,
    value: str,
    *,
    n: int = TOP_N,
    keep: Mapping[str, Any] | None = None,
    id_column: str | None = None,
) -> pd.DataFrame:
    """The `n` largest rows by `value`, and the rest summed into one "Other (k)" row, with
    their order in a `rank` column.

    `keep` ({column: value}) names a row that stays on its own even outside the top `n` (the
    department the page is narrowed to). With `id_column`, the Other row gets OTHER_ID there.
    """
    rows = _top_rows(frame.to_dict("records"), label, value, n=n, keep=keep, id_column=id_column)
    return pd.DataFrame(rows, columns=[*frame.columns, "rank"])


# --- concerns opened per week ------------------------------------------------------------------


def _volume_rows(frame: pd.DataFrame) -> Rows:
    return [
        {"week": _week_text(week), "type": kind, "opened": int(opened)}
        for week, kind, opened in _columns(frame, "week", "type", "opened")
    ]


def _volume(data: Any, large: bool) -> alt.Chart:
    chart = (
        alt.Chart(data, title="Concerns opened per week")
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week starting (Monday)", axis=alt.Axis(format="%d %b %y")),
            y=alt.Y("sum(opened):Q", title="Concerns opened", axis=COUNT_AXIS),
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


def weekly_volume_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Concerns opened per ISO week, stacked by type (frame: week, type, opened)."""
    return _volume(_frame(_volume_rows(frame)), large)


# --- concerns by department (click to narrow) ----------------------------------------------------


def _department_rows(frame: pd.DataFrame, selected: int | None) -> Rows:
    rows = [
        {"department_id": int(i), "department": name, "opened": int(opened)}
        for i, name, opened in _columns(frame, "department_id", "department", "opened")
    ]
    keep = {"department_id": selected} if selected is not None else None
    return _top_rows(rows, "department", "opened", keep=keep, id_column="department_id")


def _department(data: Any, large: bool, rows: int, selected: int | None) -> alt.Chart:
    click = alt.selection_point(name=DEPARTMENT_SELECTION, fields=["department_id"])
    if selected is None:
        colour: Any = alt.value(BAR)
    else:
        colour = (
            alt.when(alt.datum.department_id == selected)
            .then(alt.value(HIGHLIGHT))
            .otherwise(alt.value(MUTED))
        )
    title = alt.Title(
        "Concerns opened by department", subtitle="Click a bar to narrow the page to it"
    )
    chart = (
        alt.Chart(data, title=title)
        .mark_bar(cursor="pointer")
        .encode(
            # Largest first, the selected department next, Other last: the rows' order.
            y=alt.Y("department:N", title=None, sort=alt.SortField("rank"), axis=BAND_AXIS),
            x=alt.X("opened:Q", title="Concerns opened", axis=COUNT_AXIS),
            color=colour,
            tooltip=[
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("opened:Q", title="Opened"),
            ],
        )
        .add_params(click)
    )
    return _finish(chart, large, _bars_height(rows))


def department_chart(
    frame: pd.DataFrame, *, selected: int | None = None, large: bool = False
) -> alt.Chart:
    """Concerns opened per department, top 10 and Other; the selected department is
    highlighted. Clicking a bar fills the DEPARTMENT_SELECTION selection with its id."""
    rows = _department_rows(frame, selected)
    return _department(_frame(rows), large, len(rows), selected)


# --- issues by category ---------------------------------------------------------------------------


def _category_rows(frame: pd.DataFrame) -> Rows:
    rows = [
        {"category": category, "issues": int(issues)}
        for category, issues in _columns(frame, "category", "issues")
    ]
    return _top_rows(rows, "category", "issues")


def _category(data: Any, large: bool, rows: int) -> alt.Chart:
    chart = (
        alt.Chart(data, title="Issues raised, by category")
        .mark_bar(color=BAR)
        .encode(
            y=alt.Y("category:N", title=None, sort=alt.SortField("rank"), axis=BAND_AXIS),
            x=alt.X("issues:Q", title="Issues", axis=COUNT_AXIS),
            tooltip=[
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("issues:Q", title="Issues"),
            ],
        )
    )
    return _finish(chart, large, _bars_height(rows))


def category_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Issues per category, top 10 and Other (frame: category, issues)."""
    rows = _category_rows(frame)
    return _category(_frame(rows), large, len(rows))


# --- complaints per 1,000 encounters --------------------------------------------------------------


def _rate_rows(frame: pd.DataFrame) -> Rows:
    rows = [
        {
            "department": name,
            "complaints": int(complaints),
            "encounters": round(encounters),  # exact in the rate; whole for display
            "per_thousand": float(rate),
        }
        for name, complaints, encounters, rate in _columns(
            frame, "department", "complaints", "encounters", "per_thousand"
        )
    ]
    return sorted(rows, key=lambda r: -r["per_thousand"])[:TOP_N]


def _rate(data: Any, large: bool, rows: int) -> alt.Chart:
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
    return _finish(chart, large, _bars_height(rows))


def complaint_rate_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Complaints and grievances per 1,000 encounters, highest 10 departments (frame:
    department, complaints, encounters, per_thousand)."""
    rows = _rate_rows(frame)
    return _rate(_frame(rows), large, len(rows))


# --- open concerns by age ------------------------------------------------------------------------


def _age_rows(frame: pd.DataFrame) -> Rows:
    return [
        {"band": band, "severity": severity, "concerns": int(concerns)}
        for band, severity, concerns in _columns(frame, "band", "severity", "concerns")
    ]


def _age(data: Any, large: bool) -> alt.Chart:
    chart = (
        alt.Chart(data, title="Open concerns by age")
        .mark_bar()
        .encode(
            x=alt.X("band:N", title="Open for", sort=list(AGE_BANDS), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(concerns):Q", title="Open concerns", axis=COUNT_AXIS),
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


def open_age_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.Chart:
    """Open concerns by age band, stacked by severity (frame: band, severity, concerns)."""
    return _age(_frame(_age_rows(frame)), large)


# --- satisfaction trend ---------------------------------------------------------------------------


def _satisfaction_rows(frame: pd.DataFrame) -> Rows:
    return [
        {
            "week": _week_text(week),
            "answers": int(answers),
            "nps": float(nps),
            "sample": SMALL_LABEL if small else ENOUGH_LABEL,
        }
        for week, answers, nps, small in _columns(frame, "week", "answers", "nps", "small_sample")
    ]


def _satisfaction(data: Any, large: bool) -> alt.LayerChart:
    base = alt.Chart(data).encode(
        x=alt.X("week:T", title="Week starting (Monday)", axis=alt.Axis(format="%d %b %y")),
        y=alt.Y("nps:Q", title="NPS (points)", scale=alt.Scale(domain=[-100, 100])),
        tooltip=[
            alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
            alt.Tooltip("nps:Q", title="NPS", format=".1f"),
            alt.Tooltip("answers:Q", title="Answers (n)"),
        ],
    )
    samples = [ENOUGH_LABEL, SMALL_LABEL]
    points = base.mark_point(size=110 if large else 60, filled=True).encode(
        shape=alt.Shape(
            "sample:N",
            title="Sample",
            scale=alt.Scale(domain=samples, range=["circle", "triangle-up"]),
        ),
        color=alt.Color(
            "sample:N", title="Sample", scale=alt.Scale(domain=samples, range=[BAR, "#bab0ac"])
        ),
    )
    chart = alt.layer(
        base.mark_line(color=BAR),
        points,
        title=alt.Title("NPS per week", subtitle="Likelihood to recommend, unadjusted"),
    )
    return _finish(chart, large)


def satisfaction_chart(frame: pd.DataFrame, *, large: bool = False) -> alt.LayerChart:
    """Weekly NPS (likelihood to recommend) with n; grey triangles mark weeks with fewer than
    30 answers, too few to trust (frame: week, answers, nps, small_sample)."""
    return _satisfaction(_frame(_satisfaction_rows(frame)), large)


# --- the page's road: shapes built once, rows filled in per run ----------------------------------

_SHAPES: dict[str, Callable[..., Any]] = {
    "weekly_volume": lambda data, large, rows, selected: _volume(data, large),
    "satisfaction": lambda data, large, rows, selected: _satisfaction(data, large),
    "by_department": _department,
    "by_category": lambda data, large, rows, selected: _category(data, large, rows),
    "open_by_age": lambda data, large, rows, selected: _age(data, large),
    "complaint_rates": lambda data, large, rows, selected: _rate(data, large, rows),
}


@lru_cache(maxsize=256)
def _shape(kind: str, large: bool, rows: int, selected: int | None) -> str:
    chart = _SHAPES[kind](alt.NamedData(name=TABLE), large, rows, selected)
    return json.dumps(chart.to_dict(validate=False))


def _spec(kind: str, rows: Rows, large: bool, selected: int | None = None) -> dict:
    spec = json.loads(_shape(kind, large, len(rows), selected))
    spec["datasets"] = {TABLE: rows}
    return spec


def dashboard_specs(numbers: DashboardNumbers, *, large: bool) -> dict[str, dict | None]:
    """Every dashboard chart as a Vega-Lite spec (None where there is nothing to draw), from
    counts only, so the specs can be cached for all users with the numbers they show."""
    selected = numbers.department_id
    prepared = {
        "weekly_volume": (numbers.weekly_volume, _volume_rows),
        "satisfaction": (numbers.satisfaction, _satisfaction_rows),
        "by_department": (numbers.by_department, lambda f: _department_rows(f, selected)),
        "by_category": (numbers.by_category, _category_rows),
        "open_by_age": (numbers.open_by_age, _age_rows),
        "complaint_rates": (numbers.complaint_rates, _rate_rows),
    }
    return {
        kind: None
        if frame.empty
        else _spec(kind, prepare(frame), large, selected if kind == "by_department" else None)
        for kind, (frame, prepare) in prepared.items()
    }


def draw(chart_spec: dict[str, Any], **kwargs: Any) -> Any:
    """Draw a spec from `dashboard_specs()` (kwargs: key, on_select, selection_mode) with
    st.vega_lite_chart: st.altair_chart would validate it against the Vega-Lite schema again
    on every run (about 30 ms a chart here); the tests validate every builder instead."""
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
