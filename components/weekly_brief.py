"""The weekly summary as people read it: the KPI table's cells, the "what changed" sentences and
the two small charts. Pure functions of a db.weekly_summary.WeeklySummary, used alike by the page
preview and by every export (PDF, XLSX), so what is previewed is what is sent.

Values are formatted by the dashboard tiles' own rules (components.kpi_tiles), so a figure reads
the same on the dashboard, the page and the printed brief. A rate whose denominator is 0 reads
"—". Every "what changed" sentence quotes cells of the table or of the lists below it, word for
word, so a reader can find the figure it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from components.kpi_tiles import NO_VALUE, format_change, format_denominator, format_value
from db import spc
from db.kpi import KpiResult
from db.models import CONCERN_TYPES
from db.periods import Period
from db.weekly_summary import KpiLine, Mover, WeeklySummary

# Shades that stay apart when the brief is printed in black and white.
TYPE_SHADES = ("#1b1b1b", "#525252", "#8a8a8a", "#b5b5b5", "#dcdcdc")
LINE = "#1b1b1b"
LIMIT = "#6b6b6b"
COLUMNS = ("Measure", "This week", "Previous week", "4 weeks before", "Change", "Variation")


# --- variation over the trailing weeks -----------------------------------------------------------

VARIATION_TEXT = {
    spc.Variation.COMMON_CAUSE: "Common cause",
    spc.Variation.IMPROVEMENT_HIGH: "Improvement ↑",
    spc.Variation.IMPROVEMENT_LOW: "Improvement ↓",
    spc.Variation.CONCERN_HIGH: "Concern ↑",
    spc.Variation.CONCERN_LOW: "Concern ↓",
    spc.Variation.NO_LIMITS: "Too few weeks",
}
# Volumes (interactions, concerns of every type) are neither better nor worse higher: their
# special causes are named by side only.


def control_chart(line: KpiLine) -> spc.ControlChart:
    """The control chart of a line's trailing weeks: Laney p' for shares (each week's own n),
    XmR for counts, days, rates per 1,000 and NPS points. A week without data is a gap."""
    labels = [spc.iso_week_label(p.week) for p in line.trend]
    direction = (
        spc.Direction.LOWER_IS_BETTER
        if line.direction == "down"
        else spc.Direction.HIGHER_IS_BETTER
    )
    if line.kind == "share":
        totals = [p.denominator or 0 for p in line.trend]
        successes = [
            round(p.value * n) if p.value is not None and n else 0
            for p, n in zip(line.trend, totals, strict=True)
        ]
        return spc.laney_chart(successes, totals, labels, direction=direction)
    return spc.xmr_chart(
        [p.value for p in line.trend],
        labels,
        direction=direction,
        counts=[p.denominator for p in line.trend],
    )


def variation_text(line: KpiLine, chart: spc.ControlChart) -> str:
    """The variation icon of the line's latest week, in words (print has no colours)."""
    icon = chart.variation_icon
    text = VARIATION_TEXT[icon]
    if line.direction is None and icon not in (spc.Variation.COMMON_CAUSE, spc.Variation.NO_LIMITS):
        high = icon in (spc.Variation.IMPROVEMENT_HIGH, spc.Variation.CONCERN_HIGH)
        text = "Special cause ↑" if high else "Special cause ↓"
    return text


def latest_signals(line: KpiLine, chart: spc.ControlChart) -> list[str]:
    """The flagged runs that include the latest week, in words: why its icon is special."""
    last = len(chart.points) - 1
    return [s.description for s in chart.signals if last in s.indexes]


# --- the KPI table ---------------------------------------------------------------------------


def with_n(value: float | None, denominator: float | None, kind: str) -> str:
    """A value and what it was measured on: '66.7% (n=3)'; counts carry no n. Prorated
    encounters are shown whole, as on the dashboard tiles (the rate uses the exact figure)."""
    text = format_value(value, kind)  # type: ignore[arg-type]
    return text if denominator is None else f"{text} (n={format_denominator(denominator)})"


def baseline_text(line: KpiLine) -> str:
    """The 4 weeks before: a weekly average for counts, the pooled rate for rates."""
    if line.kind == "count":
        return NO_VALUE if line.baseline_value is None else f"{line.baseline_value:,.1f} a week"
    return with_n(line.baseline_value, line.baseline_denominator, line.kind)


def change_text(line: KpiLine) -> str:
    """Change against the previous week, in the measure's unit ('—' when either is missing)."""
    return format_change(line.this_week, line.kind) or NO_VALUE  # type: ignore[arg-type]


@dataclass(frozen=True)
class TableRow:
    """One row of the KPI table as text, in COLUMNS order."""

    line: KpiLine
    cells: tuple[str, str, str, str, str, str]


def kpi_table(summary: WeeklySummary, variations: dict[str, str]) -> list[TableRow]:
    """The KPI table's rows; `variations` maps a line's key to its variation in words."""
    rows = []
    for line in summary.lines:
        result = line.this_week
        rows.append(
            TableRow(
                line,
                (
                    line.label,
                    with_n(result.value, result.denominator, line.kind),
                    with_n(result.previous_value, result.previous_denominator, line.kind),
                    baseline_text(line),
                    change_text(line),
                    variations.get(line.key, NO_VALUE),
                ),
            )
        )
    return rows


def header_lines(summary: WeeklySummary, tz_label: str) -> list[str]:
    """Facility, week with its dates, data cut-off and the counts behind the figures."""
    counts = summary.counts
    cutoff = summary.cutoff.astimezone(summary.week.tz)
    status = "" if summary.complete else " (week in progress: figures to the cut-off)"
    return [
        f"{summary.facility} · Weekly summary {summary.label}: {summary.week.label()}{status}",
        f"Data cut-off {cutoff:%d %b %Y %H:%M} ({tz_label}) · "
        f"{counts['interactions']:,} interactions · {counts['concerns_opened']:,} concerns opened "
        f"· {counts['concerns_resolved']:,} resolved · {counts['survey_answers']:,} "
        "likelihood-to-recommend answers",
    ]


def mover_rows(movers: tuple[Mover, ...]) -> list[tuple[str, str, str]]:
    """(name, this week, 4-week median) cells."""
    return [(m.name, f"{m.this_week:,}", f"{m.median_before:g}") for m in movers]


def instrument_rows(summary: WeeklySummary) -> list[tuple[str, str, str]]:
    """(measure, this week, previous week) cells of the satisfaction table: NPS as on the
    dashboard, then each instrument's top-box share, each with n."""
    nps = summary.line("nps").this_week
    rows = [
        (
            "Net Promoter Score (likelihood to recommend)",
            with_n(nps.value, nps.denominator, "points"),
            with_n(nps.previous_value, nps.previous_denominator, "points"),
        )
    ]
    for score in summary.instruments:
        r: KpiResult = score.top_box
        rows.append(
            (
                f"{score.instrument}: top-box share",
                with_n(r.value, r.denominator, "share"),
                with_n(r.previous_value, r.previous_denominator, "share"),
            )
        )
    return rows


# --- what changed --------------------------------------------------------------------------------

# How big a move has to be to be named: relative for counts and days (5 %), absolute for shares
# (1.25 points) and NPS (2.5 points); the largest few are named.
_MIN_SCORE = 0.05
# A share moving by 25 points, or NPS by 50, counts like a count that doubled.
_SHARE_POINTS = 25.0
_NPS_POINTS = 50.0


def _move_score(line: KpiLine) -> float:
    r = line.this_week
    if r.change is None or r.change == 0:
        return 0.0
    if line.kind == "share":
        return abs(100 * r.change) / _SHARE_POINTS
    if line.kind == "points":
        return abs(r.change) / _NPS_POINTS
    return abs(r.change) / max(abs(r.previous_value or 0), 1.0)


def what_changed(
    summary: WeeklySummary,
    variations: dict[str, str],
    signals: dict[str, list[str]],
    *,
    movers: int = 2,
) -> list[str]:
    """Sentences generated from the figures: the biggest movers against the previous week, every
    special-cause signal at the latest week (`variations` and `signals` by line key), and the
    category and department furthest above their 4-week median. Each quotes the table's text."""
    sentences = []
    ranked = sorted(
        (line for line in summary.lines if _move_score(line) >= _MIN_SCORE),
        key=_move_score,
        reverse=True,
    )
    for line in ranked[:movers]:
        r = line.this_week
        verb = "rose" if (r.change or 0) > 0 else "fell"
        sentences.append(
            f"{line.label} {verb} from "
            f"{with_n(r.previous_value, r.previous_denominator, line.kind)} to "
            f"{with_n(r.value, r.denominator, line.kind)} against the previous week: "
            f"{change_text(line)}."
        )
    for line in summary.lines:
        if signals.get(line.key):
            # The first run is the rule that labels the week (rules come in precedence order).
            sentences.append(
                f"{line.label}: {_in_words(variations[line.key])} on its {len(line.trend)}-week "
                f"control chart ({signals[line.key][0]})."
            )
    for what, items in (
        ("issues in", summary.top_categories),
        ("concerns opened in", summary.top_departments),
    ):
        above = [m for m in items if m.this_week > m.median_before]
        if above:
            m = max(above, key=lambda m: (m.this_week - m.median_before, m.this_week))
            sentences.append(
                f"{m.this_week:,} {what} {m.name} against a 4-week median of {m.median_before:g}."
            )
    if not sentences:
        sentences.append("No measure moved enough against the previous week to name it.")
    return sentences


# --- the two small charts -------------------------------------------------------------------------


def _week_text(week: Any) -> str:
    return f"{week:%Y-%m-%d}T00:00:00"


def _weeks_axis(span: Period) -> alt.X:
    # The whole trailing span, so quiet weeks show as empty rather than vanish off the axis.
    domain = [_week_text(span.first_day), _week_text(span.last_day)]
    return alt.X(
        "week:T",
        title=None,
        scale=alt.Scale(domain=domain, nice=False, padding=8),
        axis=alt.Axis(format="%d %b", labelAngle=0, tickCount=6, grid=False),
    )


def volume_chart(
    frame: pd.DataFrame, span: Period, *, width: int = 340, height: int = 150
) -> alt.Chart:
    """Concerns opened per week of `span`, stacked by type, in greys that survive a
    black-and-white printer (frame: week, type, opened)."""
    rows = [
        {"week": _week_text(w), "type": t, "opened": int(n)}
        for w, t, n in zip(frame["week"], frame["type"], frame["opened"], strict=True)
    ]
    data = pd.DataFrame(rows, columns=["week", "type", "opened"])
    return (
        alt.Chart(data, title="Concerns opened per week, by type")
        .mark_bar(stroke="white", strokeWidth=0.5, width=max(2, 0.7 * width * 7 / span.days))
        .encode(
            x=_weeks_axis(span),
            y=alt.Y("sum(opened):Q", title="Concerns", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "type:N",
                title=None,
                scale=alt.Scale(domain=list(CONCERN_TYPES), range=list(TYPE_SHADES)),
                legend=alt.Legend(orient="bottom", columns=5, symbolStrokeColor="#555"),
            ),
            order=alt.Order("type:N"),
            tooltip=[
                alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("sum(opened):Q", title="Opened"),
            ],
        )
        .properties(width=width, height=height)
        .configure_axis(labelFontSize=11, titleFontSize=11)
        .configure_legend(labelFontSize=11)
        .configure_title(fontSize=13)
    )


def satisfaction_chart(
    rows: list[dict[str, Any]],
    span: Period,
    *,
    note: str = "",
    width: int = 340,
    height: int = 150,
) -> alt.LayerChart:
    """NPS per week with its centre line and control limits (dashed) where there are enough
    weeks. `rows`: week, nps, answers, centre, upper, lower (limits None when not drawn)."""
    data = pd.DataFrame(rows, columns=["week", "nps", "answers", "centre", "upper", "lower"])
    data["week"] = [_week_text(w) for w in data["week"]]
    base = alt.Chart(data).encode(x=_weeks_axis(span))
    y = alt.Y("nps:Q", title="NPS (points)", scale=alt.Scale(zero=False))
    layers = [
        base.mark_line(color=LINE).encode(y=y),
        base.mark_point(color=LINE, filled=True, size=30).encode(
            y=y,
            tooltip=[
                alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
                alt.Tooltip("nps:Q", title="NPS", format=".1f"),
                alt.Tooltip("answers:Q", title="Answers (n)"),
            ],
        ),
        base.mark_line(color=LIMIT, strokeWidth=1).encode(y="centre:Q"),
    ]
    if data["upper"].notna().any():
        for limit in ("upper", "lower"):
            layers.append(
                base.mark_line(color=LIMIT, strokeDash=[4, 3], strokeWidth=1).encode(y=f"{limit}:Q")
            )
    subtitle = "Likelihood to recommend, unadjusted; dashed: control limits"
    return (
        alt.layer(
            *layers,
            title=alt.Title("Net Promoter Score per week", subtitle=note or subtitle),
        )
        .properties(width=width, height=height)
        .configure_axis(labelFontSize=11, titleFontSize=11)
        .configure_title(fontSize=13, subtitleFontSize=11)
    )


def _in_words(variation: str) -> str:
    return variation.replace("↑", "(high)").replace("↓", "(low)").lower()


def nps_rows(line: KpiLine, chart: spc.ControlChart) -> list[dict[str, Any]]:
    """Rows for `satisfaction_chart` from the NPS line and its XmR chart (weeks with answers)."""
    return [
        {
            "week": p.week,
            "nps": p.value,
            "answers": p.denominator,
            "centre": point.centre,
            "upper": point.upper,
            "lower": point.lower,
        }
        for p, point in zip(line.trend, chart.points, strict=True)
        if p.value is not None
    ]


# --- all of it, once ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Brief:
    """The summary as read: header, KPI table, what changed, the two charts. Built once per
    summary and handed to the page and to every export."""

    summary: WeeklySummary
    header: list[str]
    table: list[TableRow]
    sentences: list[str]
    variations: dict[str, str]
    charts: dict[str, spc.ControlChart]

    def volume_chart(self, **size: int) -> alt.Chart:
        return volume_chart(self.summary.weekly_volume, self.summary.trend, **size)

    def nps_chart(self, **size: int) -> alt.LayerChart:
        line = self.summary.line("nps")
        chart = self.charts["nps"]
        note = spc.TOO_FEW_WEEKS if not chart.has_limits else ""
        return satisfaction_chart(nps_rows(line, chart), self.summary.trend, note=note, **size)


def brief(summary: WeeklySummary, *, tz_label: str) -> Brief:
    """Everything a reader sees of `summary`, with each line's control chart."""
    charts = {line.key: control_chart(line) for line in summary.lines}
    variations = {key: variation_text(summary.line(key), c) for key, c in charts.items()}
    signals = {key: latest_signals(summary.line(key), c) for key, c in charts.items()}
    return Brief(
        summary=summary,
        header=header_lines(summary, tz_label),
        table=kpi_table(summary, variations),
        sentences=what_changed(summary, variations, signals),
        variations=variations,
        charts=charts,
    )
