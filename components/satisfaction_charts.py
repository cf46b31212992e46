"""Satisfaction charts: the control chart of a weekly measure and the departments' funnel plot.

Pure builders returning Altair charts (tested through `to_dict()`); the rows they draw are
prepared by plain functions (`control_rows`, `funnel_rows`, `department_table`) from db.spc
results, so the numbers on screen are exactly the ones the rules were judged on.

Colours follow the Making Data Count convention: blue for an improvement, orange for a concern,
grey for common cause.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

import altair as alt
import pandas as pd

from db import spc
from db.satisfaction import MIN_RELIABLE_N, DepartmentScore, WeekScore

IMPROVEMENT, CONCERN, COMMON = "#289de0", "#fab428", "#7f7f7f"
LINE = "#4e79a7"
TOO_FEW = "too few responses to judge"
VERDICTS = ["improvement", "concern", "common cause"]
WEEKS, DEPARTMENTS, CURVES, OVERALL = "weeks", "departments", "curves", "overall"


# Building an Altair chart costs 100+ ms a run on this machine; the shapes depend only on a few
# words, so each is built once per process and the rows are filled in per run (as the
# dashboard does).
@lru_cache(maxsize=64)
def _control_shape(title: str, y_title: str, large: bool) -> str:
    return json.dumps(control_chart(title=title, y_title=y_title, large=large).to_dict())


@lru_cache(maxsize=4)
def _funnel_shape(large: bool) -> str:
    return json.dumps(funnel_chart(large=large).to_dict())


def control_spec(rows: list, *, title: str, y_title: str, large: bool = False) -> dict:
    """The control chart's Vega-Lite spec with `rows` (from `control_rows`)."""
    spec = json.loads(_control_shape(title, y_title, large))
    spec["datasets"] = {WEEKS: rows}
    return spec


def funnel_spec(rows: list, curves: list, overall: float, *, large: bool = False) -> dict:
    """The funnel plot's Vega-Lite spec with the rows of `funnel_rows`."""
    spec = json.loads(_funnel_shape(large))
    spec["datasets"] = {
        DEPARTMENTS: rows,
        CURVES: curves,
        OVERALL: [{"rate": 100 * overall}],
    }
    return spec


def _scaled(value: float | None, percent: bool) -> float | None:
    if value is None:
        return None
    return 100 * value if percent else value


def control_rows(chart: spc.ControlChart, weeks: Sequence[WeekScore], *, percent: bool) -> list:
    """One row per week: value, n, centre, limits, the rule that fired, its verdict, the
    Wilson interval of a proportion. Gaps have value None."""
    rows = []
    for point, week in zip(chart.points, weeks, strict=True):
        interval = week.interval
        rows.append(
            {
                # Local midnight without a zone: Vega-Lite reads it in the viewer's zone, so the
                # axis shows the facility's Monday whatever the browser's zone.
                "week": f"{week.week_start:%Y-%m-%d}T00:00:00",
                "label": point.label,
                "value": _scaled(point.value, percent),
                "n": week.n,
                "centre": _scaled(point.centre, percent),
                "upper": _scaled(point.upper, percent),
                "lower": _scaled(point.lower, percent),
                "segment": point.segment,
                "rule": point.rule.value if point.rule else "none",
                "rules": ", ".join(r.value for r in point.rules) or "none (common cause)",
                "verdict": point.verdict or "common cause",
                "ci_low": _scaled(interval[0], percent) if interval else None,
                "ci_high": _scaled(interval[1], percent) if interval else None,
            }
        )
    return rows


def control_chart(*, title: str, y_title: str, large: bool = False) -> alt.LayerChart:
    """Weekly values with the centre line and process limits (a break at each rebase: the
    lines are drawn per segment), special-cause points coloured by verdict, the rule named in
    the tooltip. The rows (from `control_rows`) are the named data set WEEKS; `control_spec`
    fills them in."""
    data = alt.NamedData(name=WEEKS)
    x = alt.X("week:T", title="Week starting (Monday)", axis=alt.Axis(format="%d %b %y"))
    tooltip = [
        alt.Tooltip("label:N", title="ISO week"),
        alt.Tooltip("value:Q", title="Value", format=".2f"),
        alt.Tooltip("n:Q", title="n"),
        alt.Tooltip("ci_low:Q", title="95% CI from", format=".1f"),
        alt.Tooltip("ci_high:Q", title="95% CI to", format=".1f"),
        alt.Tooltip("rules:N", title="Rule"),
        alt.Tooltip("verdict:N", title="Signal"),
    ]
    base = alt.Chart(data)
    observed = base.transform_filter("isValid(datum.value)")
    line = observed.mark_line(color=LINE, strokeWidth=1.5).encode(x=x, y=alt.Y("value:Q"))
    points = observed.mark_point(filled=True, size=90 if large else 55).encode(
        x=x,
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color(
            "verdict:N",
            title="Signal",
            scale=alt.Scale(domain=VERDICTS, range=[IMPROVEMENT, CONCERN, COMMON]),
        ),
        tooltip=tooltip,
    )
    layers = [line]
    for field, dash in (("centre", []), ("upper", [6, 4]), ("lower", [6, 4])):
        layers.append(
            base.transform_filter(f"isValid(datum.{field})")
            .mark_line(color="#555" if field == "centre" else "#c0392b", strokeDash=dash)
            .encode(x=x, y=alt.Y(f"{field}:Q"), detail="segment:N")
        )
    layers.append(points)
    chart = alt.layer(*layers, title=alt.Title(title, subtitle="Centre line and process limits"))
    chart.height = 340 if large else 280
    chart.autosize = alt.AutoSizeParams(type="fit", contains="padding")
    return chart


def funnel_rows(departments: Sequence[DepartmentScore]) -> tuple[list, list, float | None]:
    """(department rows, limit-curve rows, overall rate) for the funnel plot."""
    overall = spc.overall_rate([d.top_box for d in departments], [d.n for d in departments])
    rows = []
    for d in departments:
        position = spc.funnel_position(d.top_box, d.n, overall)
        rows.append(
            {
                "department": d.name,
                "n": d.n,
                "rate": 100 * d.top_box_rate,
                "position": TOO_FEW if position == "too few" else position,
            }
        )
    curves = []
    if overall is not None and departments:
        top = max(d.n for d in departments)
        steps = sorted({max(1, int(top * i / 60)) for i in range(1, 61)} | {MIN_RELIABLE_N})
        for n in steps:
            for name, z in (("95%", spc.Z_95), ("99.8%", spc.Z_998)):
                low, high = spc.funnel_limits(overall, n, z)
                curves.append({"n": n, "limit": name, "low": 100 * low, "high": 100 * high})
    return rows, curves, overall


def funnel_chart(*, large: bool = False) -> alt.LayerChart:
    """Top-box % against n with 95 % and 99.8 % limits around the overall rate; departments with
    n < 30 greyed. Data sets (from `funnel_rows`, filled in by `funnel_spec`): DEPARTMENTS,
    CURVES and OVERALL."""
    x = alt.X("n:Q", title="Answers (n)")
    curve_base = alt.Chart(alt.NamedData(name=CURVES))
    colour = alt.Color(
        "position:N",
        title="Against the overall rate",
        scale=alt.Scale(
            domain=["above", "within", "below", TOO_FEW],
            range=[IMPROVEMENT, LINE, CONCERN, "#c8c8c8"],
        ),
    )
    layers = [
        curve_base.mark_line(strokeDash=[4, 3]).encode(
            x=x, y="low:Q", color=alt.value("#999"), detail="limit:N"
        ),
        curve_base.mark_line(strokeDash=[4, 3]).encode(
            x=x, y="high:Q", color=alt.value("#999"), detail="limit:N"
        ),
        alt.Chart(alt.NamedData(name=OVERALL)).mark_rule(color="#555").encode(y="rate:Q"),
        alt.Chart(alt.NamedData(name=DEPARTMENTS))
        .mark_circle(size=120 if large else 70, opacity=0.9)
        .encode(
            x=x,
            y=alt.Y("rate:Q", title="Top-box %", scale=alt.Scale(zero=False)),
            color=colour,
            tooltip=[
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("rate:Q", title="Top-box %", format=".1f"),
                alt.Tooltip("n:Q", title="n"),
                alt.Tooltip("position:N", title="Position"),
            ],
        ),
    ]
    chart = alt.layer(
        *layers,
        title=alt.Title(
            "Departments against the overall rate",
            subtitle="Solid: the overall rate; dashed: its 95% and 99.8% limits",
        ),
    )
    chart.height = 340 if large else 280
    chart.autosize = alt.AutoSizeParams(type="fit", contains="padding")
    return chart


def department_table(departments: Sequence[DepartmentScore]) -> pd.DataFrame:
    """Sortable table rows: departments with n >= 30 are ranked by top-box %; the others are
    listed after them, unranked, as "too few responses to judge"."""
    overall = spc.overall_rate([d.top_box for d in departments], [d.n for d in departments])
    reliable = sorted(
        (d for d in departments if d.reliable), key=lambda d: d.top_box_rate, reverse=True
    )
    rows = []
    for rank, d in enumerate(reliable, start=1):
        low, high = d.interval
        position = spc.funnel_position(d.top_box, d.n, overall)
        rows.append(
            {
                "Rank": str(rank),
                "Department": d.name,
                "n": d.n,
                "Top-box %": round(100 * d.top_box_rate, 1),
                "95% CI": f"{100 * low:.1f}–{100 * high:.1f}",
                "Mean": round(d.mean, 2) if d.mean is not None else None,
                "Funnel (99.8%)": position,
            }
        )
    for d in sorted((d for d in departments if not d.reliable), key=lambda d: d.name):
        low, high = d.interval
        rows.append(
            {
                "Rank": "—",
                "Department": d.name,
                "n": d.n,
                "Top-box %": round(100 * d.top_box_rate, 1),
                "95% CI": f"{100 * low:.1f}–{100 * high:.1f}",
                "Mean": round(d.mean, 2) if d.mean is not None else None,
                "Funnel (99.8%)": TOO_FEW,
            }
        )
    return pd.DataFrame(
        rows, columns=["Rank", "Department", "n", "Top-box %", "95% CI", "Mean", "Funnel (99.8%)"]
    )
