"""The Satisfaction page's widgets: filters written to the URL, the tiles with their n and
interval, the control chart with its named signals and baseline settings, the departments'
funnel plot and table, and the comments (shown as plain text, never markdown or HTML)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import streamlit as st

from components import satisfaction_charts as charts
from components import url_state
from components.kpi_tiles import render_tiles, tile_for
from components.satisfaction_view import (
    ALL_QUESTIONS,
    SatisfactionView,
    measure_label,
    measures_for,
    variation_badge,
)
from db import periods, spc
from db import satisfaction as sat

PERIODS = list(periods.PERIOD_CHOICES)


def _index(options: Sequence, value, default: int = 0) -> int:
    return options.index(value) if value in options else default


def filters(
    view: SatisfactionView, instruments: Sequence[sat.Instrument], names: dict[int, str]
) -> None:
    """Survey, question, measure, department, period and trend; a change rewrites the URL and
    reruns, so the URL stays the single source of the view."""
    instrument, question, chosen_filters = view.instrument, view.question, view.filters
    c1, c2, c3, c4, c5, c6 = st.columns([3, 3, 2, 3, 2, 2])
    by_id = {i.id: i for i in instruments}
    survey = c1.selectbox(
        "Survey",
        list(by_id),
        index=_index(list(by_id), instrument.id),
        format_func=lambda i: by_id[i].name,
        key="sat_survey",
    )
    options = [ALL_QUESTIONS, *(q.id for q in instrument.questions)]
    picked = c2.selectbox(
        "Question",
        options,
        index=_index(options, question.id if question else ALL_QUESTIONS),
        format_func=lambda q: (
            "All questions"
            if q == ALL_QUESTIONS
            else instrument.question(q).code.replace("_", " ").capitalize()
        ),
        key=f"sat_question_{instrument.id}",
    )
    allowed = measures_for(instrument, instrument.question(picked))
    measure = c3.selectbox(
        "Measure",
        allowed,
        index=_index(allowed, view.measure),
        format_func=measure_label,
        key=f"sat_measure_{instrument.id}_{picked}",
    )
    departments = [0, *names]
    department = c4.selectbox(
        "Department",
        departments,
        index=_index(departments, chosen_filters.department_id or 0),
        format_func=lambda d: "All departments" if d == 0 else names[d],
        key="sat_dept",
    )
    period = c5.selectbox(
        "Period",
        PERIODS,
        index=_index(PERIODS, periods.CUSTOM if view.date_problems else chosen_filters.choice),
        format_func=periods.PERIOD_CHOICES.get,
        key="sat_period",
    )
    trend = c6.selectbox(
        "Trend",
        periods.TREND_WEEK_CHOICES,
        index=_index(periods.TREND_WEEK_CHOICES, chosen_filters.trend_weeks),
        format_func=lambda w: f"{w} weeks",
        key="sat_trend",
    )
    first_day, last_day = _custom_dates(view, period)
    same_survey = survey == instrument.id
    wanted = {
        "survey": str(survey),
        "question": str(picked) if same_survey and picked != ALL_QUESTIONS else None,
        "measure": measure if same_survey else None,
        "dept": str(department) if department else None,
        "period": period,
        "trend": None if trend == periods.DEFAULT_TREND_WEEKS else str(trend),
        "from": first_day.isoformat() if first_day else None,
        "to": last_day.isoformat() if last_day else None,
    }
    current = st.query_params.to_dict()
    if any(current.get(k) != v for k, v in wanted.items()):
        url_state.update_url(wanted)
        st.rerun()


def _custom_dates(view: SatisfactionView, period: str) -> tuple[dt.date | None, dt.date | None]:
    """The From and To date fields when the period is custom, each with its own message; a
    switch to custom starts from the days on screen."""
    if period != periods.CUSTOM:
        return None, None
    shown = view.filters.period
    if view.filters.choice == periods.CUSTOM or view.date_problems:
        first, last = view.custom_from, view.custom_to
    else:
        first, last = shown.first_day, shown.last_day
    problems = view.date_problems or {}
    c1, c2, _rest = st.columns([3, 3, 6])
    picked = []
    for column, name, label, value in (
        (c1, "from", "From", first),
        (c2, "to", "To (inclusive)", last),
    ):
        picked.append(
            column.date_input(
                label,
                value=value,
                format="YYYY-MM-DD",
                key=f"sat_{name}",
            )
        )
        if name in problems:
            column.error(problems[name], icon=":material/error:")
    return picked[0], picked[1]


def tiles(scores: sat.PeriodScores, *, compared_with: str, with_mean: bool) -> None:
    """Mean (only where the questions share one scale), top-box % with its 95 % Wilson interval,
    and NPS where it applies, each with n."""
    top = scores.top_box
    n = top.denominator or 0
    interval = sat.wilson_interval(round((top.value or 0) * n), n)
    shown = f"{100 * interval[0]:.1f}–{100 * interval[1]:.1f}%" if interval else "—"
    drawn = [
        tile_for(
            "Mean score",
            scores.mean,
            "per_thousand",  # two decimals
            of="answers",
            compared_with=compared_with,
            help="Mean of the answers. Unadjusted for patient mix.",
        ),
        tile_for(
            "Top-box %",
            top,
            "share",
            of="answers",
            compared_with=compared_with,
            help=f"95% Wilson interval {shown}. Top box: each question's best answer(s). "
            "Unadjusted for patient mix.",
        ),
    ]
    if scores.nps is not None:
        drawn.append(
            tile_for(
                "Net Promoter Score",
                scores.nps,
                "points",
                of="answers",
                compared_with=compared_with,
                help="% answering 9–10 minus % answering 0–6. Unadjusted.",
            )
        )
    if not with_mean:
        drawn.pop(0)  # a mean across different scales (1-4 with 0-10) means nothing
    render_tiles(drawn, per_row=4)
    st.caption(f"Top-box % 95% interval (Wilson): {shown}, n = {n:,}.")


def control_chart(
    chart: spc.ControlChart, weeks: Sequence[sat.WeekScore], measure: str, *, large: bool
) -> None:
    """The chart, the variation icon of the latest week, and each signal in words."""
    text, icon, colour = variation_badge(chart.variation_icon)
    st.badge(f"Latest week: {text}", icon=icon, color=colour)
    label = measure_label(measure)
    percent = measure == sat.TOP_BOX
    if not any(w.n for w in weeks):
        st.info("No answers in the trend span.")
        return
    rows = charts.control_rows(chart, weeks, percent=percent)
    spec = charts.control_spec(
        rows,
        title=f"{label} per week",
        y_title=label.removesuffix(" %") + (" (%)" if percent else ""),
        large=large,
    )
    st.vega_lite_chart(spec=spec, width="stretch")
    for note in chart.notes:
        st.caption(f"{note.capitalize()}: at least {spc.MIN_BASELINE_POINTS} weeks are needed.")
    if not chart.signals:
        st.caption("No special-cause signal in the trend span.")
        return
    st.markdown("**Special-cause signals**")
    for signal in chart.signals:
        arrow = "▲" if signal.side == spc.HIGH else "▼"
        st.text(f"{arrow} {signal.description} ({signal.rule.value}: {signal.verdict})")


def baseline_settings(view: SatisfactionView, weeks: Sequence[sat.WeekScore]) -> None:
    """Baseline weeks, rebase week and run length, written to the URL."""
    mondays = [None, *(w.week_start for w in weeks)]

    def week_box(column, label: str, current: dt.date | None, none_text: str, key: str):
        return column.selectbox(
            label,
            mondays,
            index=_index(mondays, current),
            format_func=lambda d: none_text if d is None else spc.iso_week_label(d),
            key=key,
        )

    with st.expander("Baseline and rules"):
        b1, b2, b3, b4 = st.columns(4)
        base_from = week_box(b1, "Baseline from", view.baseline_from, "first weeks", "sat_bf")
        base_to = week_box(b2, "Baseline to", view.baseline_to, "20 weeks on", "sat_bt")
        rebase = week_box(b3, "Rebase at (process change)", view.rebase, "no rebase", "sat_rb")
        run = b4.selectbox(
            "Run length (shift, trend)",
            spc.RUN_LENGTHS,
            index=_index(spc.RUN_LENGTHS, view.run_length),
            key="sat_run",
        )
        st.caption(
            "Limits come from the baseline (default: the first 20 weeks, at least 12); later "
            "weeks are judged against them. A rebase starts new limits at a known change."
        )
    url_state.update_url(
        {
            "base_from": base_from.isoformat() if base_from else None,
            "base_to": base_to.isoformat() if base_to else None,
            "rebase": rebase.isoformat() if rebase else None,
            "run": None if run == spc.DEFAULT_RUN_LENGTH else str(run),
        }
    )


def departments(by_department: Sequence[sat.DepartmentScore], *, large: bool) -> None:
    """Funnel plot and sortable table; n < 30 greyed and never ranked."""
    st.subheader("Departments compared (top-box %)")
    rows, curves, overall = charts.funnel_rows(by_department)
    if overall is None:
        st.info("No answers in this period.")
        return
    left, right = st.columns([3, 2])
    left.vega_lite_chart(
        spec=charts.funnel_spec(rows, curves, overall, large=large), width="stretch"
    )
    table = charts.department_table(by_department)
    right.dataframe(
        table.style.apply(
            lambda r: ["color: #9a9a9a" if r["Rank"] == "—" else ""] * len(r), axis=1
        ).format({"Top-box %": "{:.1f}", "Mean": "{:.2f}"}, na_rep="—"),
        hide_index=True,
        width="stretch",
    )
    right.caption(
        f"Fewer than {sat.MIN_RELIABLE_N} answers: greyed, too few responses to judge, "
        "never ranked."
    )


def comments(found: Sequence[sat.SurveyComment], search_problem: str | None = None) -> None:
    """Comments as plain text in a table cell (never interpreted), searchable; a refused search
    (NUL, too long) is said under the box and the box keeps what was typed."""
    st.subheader("Recent comments")
    st.text_input("Search comments", key="sat_comment_search")
    if search_problem:
        st.error(search_problem)
    if not found:
        st.caption("No comments in this period.")
        return
    st.dataframe(
        [
            {
                "date": c.responded_on,
                "department": c.department,
                "lowest answer": c.lowest_answer,
                "comment": c.comment,
            }
            for c in found
        ],
        hide_index=True,
        width="stretch",
    )
