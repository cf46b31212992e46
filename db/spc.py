"""Control charts that tell a real change from noise: the rules hospital boards know from NHS
England's "Making Data Count" programme, in plain Python (no Streamlit, no database).

One module so that the Satisfaction page, the dashboard tiles and the weekly brief agree.

Charts
    `xmr_chart(values, labels)`           means (and counts) per week: individuals + moving range.
    `laney_chart(successes, totals, labels)` proportions with a different n each week (Laney p').
Both return a `ControlChart`: one `ChartPoint` per week (value, centre, limits, the rules that
fired, improvement or concern), the `Segment`s (one per rebase), the flagged runs as `Signal`s
with a sentence each ("8 weeks above the mean, 2026-W12 to 2026-W19"), and `variation_icon`,
the state of the latest point.

Baseline
    Limits come from the first 20 points of each segment (`DEFAULT_BASELINE_POINTS`), or from a
    baseline the caller picks (`baseline=(start, stop)`, indexes into the series, stop
    exclusive). A baseline needs at least 12 points (`MIN_BASELINE_POINTS`); with fewer, the
    segment gets its mean only and the note "too few weeks for control limits". `rebase_at`
    lists the indexes where a new segment starts (a known process change): each segment has its
    own centre and limits. Points after the baseline are judged against the baseline's limits.

Gaps
    A week with no data (`None` for XmR, n = 0 for Laney) is a gap, never a zero: it gets no
    centre-line judgement, it is not part of any moving range, and the run rules look at the
    observed weeks either side of it as neighbours.

Rules, in order of precedence for a point's label (`Rule`)
    1. outside the process limits; 2. shift: `run_length` (6 or 7, default 7) or more points on
    one side of the centre line (a point on the line breaks the run); 3. trend: `run_length` or
    more points each strictly higher (or lower) than the one before; 4. two of three consecutive
    points beyond the same two-sigma line. Every point of a shift or trend is flagged; for rule 4
    the points beyond the line are.

Also here: `funnel_limits` / `funnel_position` for comparing departments against the overall rate,
and `wilson_interval` for a proportion shown on its own.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

# d2 for moving ranges of two points is 1.128; 3 / 1.128 rounds to 2.66, the constant every
# Making Data Count tool uses, so we use it as published.
XMR_SCALE = 2.66
D2 = 1.128
# Upper range limit for a moving range (D4 = 3.267): used only by the optional screening.
MOVING_RANGE_SCREEN = 3.267
DEFAULT_BASELINE_POINTS = 20
MIN_BASELINE_POINTS = 12
DEFAULT_RUN_LENGTH = 7
RUN_LENGTHS = (6, 7)
TOO_FEW_WEEKS = "too few weeks for control limits"

# Two-sided normal quantiles, exact rather than the rounded 1.96 / 3.09 shown on charts: the
# published Wilson golden values are computed with the exact quantile.
Z_95 = NormalDist().inv_cdf(0.975)
Z_998 = NormalDist().inv_cdf(0.999)
MIN_FUNNEL_N = 30


class Rule(enum.Enum):
    """A special-cause rule. Members are listed in order of precedence."""

    OUTSIDE_LIMITS = "outside the limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two of three near a limit"

    @property
    def precedence(self) -> int:
        """1 for the rule that labels a point first, 4 for the last."""
        return list(Rule).index(self) + 1


class Direction(enum.Enum):
    """Which way is better for the measure."""

    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Variation(enum.Enum):
    """The variation icon: the state of a measure's latest point."""

    COMMON_CAUSE = "common cause"
    IMPROVEMENT_HIGH = "special cause improvement (high)"
    IMPROVEMENT_LOW = "special cause improvement (low)"
    CONCERN_HIGH = "special cause concern (high)"
    CONCERN_LOW = "special cause concern (low)"
    NO_LIMITS = "no control limits"


HIGH, LOW = "high", "low"


@dataclass(frozen=True)
class ChartPoint:
    """One week of a control chart.

    `value` is None for a gap. `centre`, `upper`, `lower` and the two-sigma lines are None when
    the point's segment has no limits (too few weeks); `centre` is still set then (the mean).
    `rules` holds every rule that fired on this point, in order of precedence; `side` and
    `verdict` belong to the first of them.
    """

    index: int
    label: str
    value: float | None
    n: int | None
    segment: int
    in_baseline: bool
    centre: float | None
    upper: float | None
    lower: float | None
    upper_two_sigma: float | None
    lower_two_sigma: float | None
    rules: tuple[Rule, ...] = ()
    side: str | None = None
    verdict: str | None = None  # "improvement" or "concern"

    @property
    def rule(self) -> Rule | None:
        """The rule that labels this point (highest precedence), or None: common cause."""
        return self.rules[0] if self.rules else None

    @property
    def is_gap(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Segment:
    """A stretch of the chart with one centre line and one set of limits.

    `spread` is mR-bar for XmR and sigma_z for Laney. `has_limits` is False when the baseline
    had fewer than `MIN_BASELINE_POINTS` observed points; `centre` is then the segment's mean.
    """

    start: int
    stop: int
    baseline_start: int
    baseline_stop: int
    centre: float | None
    spread: float | None
    has_limits: bool


@dataclass(frozen=True)
class Signal:
    """One flagged run: which rule, which side, which points, and a sentence for the chart."""

    rule: Rule
    side: str
    indexes: tuple[int, ...]
    first_label: str
    last_label: str
    verdict: str
    description: str


@dataclass(frozen=True)
class ControlChart:
    """A finished control chart. `kind` is "xmr" or "laney"."""

    kind: str
    direction: Direction
    run_length: int
    points: tuple[ChartPoint, ...]
    segments: tuple[Segment, ...]
    signals: tuple[Signal, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def variation_icon(self) -> Variation:
        """State of the latest observed point (gaps skipped)."""
        for point in reversed(self.points):
            if point.is_gap:
                continue
            if point.upper is None:
                return Variation.NO_LIMITS
            if point.rule is None:
                return Variation.COMMON_CAUSE
            return {
                ("improvement", HIGH): Variation.IMPROVEMENT_HIGH,
                ("improvement", LOW): Variation.IMPROVEMENT_LOW,
                ("concern", HIGH): Variation.CONCERN_HIGH,
                ("concern", LOW): Variation.CONCERN_LOW,
            }[(point.verdict, point.side)]
        return Variation.NO_LIMITS

    @property
    def has_limits(self) -> bool:
        return any(s.has_limits for s in self.segments)


# --- limits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XmRLimits:
    """XmR limits from a baseline: centre x-bar, mR-bar, process limits and two-sigma lines."""

    centre: float
    mean_moving_range: float

    @property
    def upper(self) -> float:
        return self.centre + XMR_SCALE * self.mean_moving_range

    @property
    def lower(self) -> float:
        return self.centre - XMR_SCALE * self.mean_moving_range

    @property
    def upper_two_sigma(self) -> float:
        return self.centre + (2 / 3) * XMR_SCALE * self.mean_moving_range

    @property
    def lower_two_sigma(self) -> float:
        return self.centre - (2 / 3) * XMR_SCALE * self.mean_moving_range


def xmr_limits(baseline: Sequence[float], *, screen_moving_ranges: bool = False) -> XmRLimits:
    """Centre and mean moving range of `baseline` (observed values, in order, at least two).

    With `screen_moving_ranges`, moving ranges above 3.267 x mR-bar are dropped and mR-bar is
    recomputed once (off by default, as in the Making Data Count spreadsheet)."""
    if len(baseline) < 2:
        raise ValueError("an XmR baseline needs at least two values")
    centre = math.fsum(baseline) / len(baseline)
    ranges = [abs(b - a) for a, b in zip(baseline, baseline[1:], strict=False)]
    mr_bar = math.fsum(ranges) / len(ranges)
    if screen_moving_ranges:
        kept = [r for r in ranges if r <= MOVING_RANGE_SCREEN * mr_bar]
        if kept:
            mr_bar = math.fsum(kept) / len(kept)
    return XmRLimits(centre, mr_bar)


@dataclass(frozen=True)
class LaneyLimits:
    """Laney p' limits from a baseline: p-bar and sigma_z; `for_n` gives one week's lines."""

    centre: float
    sigma_z: float

    def sigma(self, n: int) -> float:
        """sigma_i = sqrt(p-bar (1 - p-bar) / n)."""
        return math.sqrt(self.centre * (1 - self.centre) / n)

    def for_n(self, n: int) -> tuple[float, float, float, float]:
        """(lower, upper, lower two-sigma, upper two-sigma) for a week with n, clipped to [0, 1]."""
        width = self.sigma(n) * self.sigma_z
        return (
            max(0.0, self.centre - 3 * width),
            min(1.0, self.centre + 3 * width),
            max(0.0, self.centre - 2 * width),
            min(1.0, self.centre + 2 * width),
        )


def laney_limits(successes: Sequence[int], totals: Sequence[int]) -> LaneyLimits:
    """p-bar and sigma_z over baseline weeks (weeks with n = 0 are skipped as gaps).

    When p-bar is 0 or 1 every sigma_i is 0; z is then taken as 0 and the limits sit on p-bar."""
    pairs = [(y, n) for y, n in zip(successes, totals, strict=True) if n]
    if len(pairs) < 2:
        raise ValueError("a Laney baseline needs at least two weeks with responses")
    p_bar = sum(y for y, _ in pairs) / sum(n for _, n in pairs)
    z = []
    for y, n in pairs:
        sigma = math.sqrt(p_bar * (1 - p_bar) / n)
        z.append((y / n - p_bar) / sigma if sigma > 0 else 0.0)
    moving = [abs(b - a) for a, b in zip(z, z[1:], strict=False)]
    sigma_z = (math.fsum(moving) / len(moving)) / D2
    return LaneyLimits(p_bar, sigma_z)


# --- building a chart --------------------------------------------------------------------------


def _segments(
    count: int, rebase_at: Sequence[int], baseline: tuple[int, int] | None
) -> list[tuple[int, int, int, int]]:
    """(start, stop, baseline_start, baseline_stop) per segment; the baseline default is filled
    in later (it depends on which points are observed)."""
    starts = sorted({0, *(i for i in rebase_at if 0 < i < count)})
    bounds = list(zip(starts, [*starts[1:], count], strict=True))
    result = []
    for start, stop in bounds:
        if baseline is not None and start <= baseline[0] < stop:
            b_start, b_stop = baseline[0], min(max(baseline[1], baseline[0]), stop)
        else:
            b_start, b_stop = start, -1  # -1: the default, first 20 observed points
        result.append((start, stop, b_start, b_stop))
    return result


def _default_baseline_stop(observed: Sequence[bool], start: int, stop: int) -> int:
    seen = 0
    for i in range(start, stop):
        if observed[i]:
            seen += 1
            if seen == DEFAULT_BASELINE_POINTS:
                return i + 1
    return stop


def _check(run_length: int, labels: Sequence[str], count: int) -> None:
    if run_length not in RUN_LENGTHS:
        raise ValueError(f"run length must be one of {RUN_LENGTHS}")
    if len(labels) != count:
        raise ValueError("one label per point is needed")


def xmr_chart(
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    direction: Direction = Direction.HIGHER_IS_BETTER,
    baseline: tuple[int, int] | None = None,
    rebase_at: Sequence[int] = (),
    run_length: int = DEFAULT_RUN_LENGTH,
    screen_moving_ranges: bool = False,
    counts: Sequence[int | None] | None = None,
) -> ControlChart:
    """XmR chart of a weekly series (means or counts); None is a gap.

    `labels` name the weeks (e.g. "2026-W31", see `iso_week_label`); `counts` (optional) is the
    n behind each value, carried to the points for display."""
    _check(run_length, labels, len(values))
    observed = [v is not None for v in values]
    points: list[dict] = []
    segments: list[Segment] = []
    notes: list[str] = []
    for seg_no, (start, stop, b_start, b_stop) in enumerate(
        _segments(len(values), rebase_at, baseline)
    ):
        if b_stop < 0:
            b_stop = _default_baseline_stop(observed, start, stop)
        base = [float(v) for v in values[b_start:b_stop] if v is not None]
        seg_values = [float(v) for v in values[start:stop] if v is not None]
        limits = (
            xmr_limits(base, screen_moving_ranges=screen_moving_ranges)
            if len(base) >= MIN_BASELINE_POINTS
            else None
        )
        centre = (
            limits.centre
            if limits
            else (math.fsum(seg_values) / len(seg_values) if seg_values else None)
        )
        if limits is None and TOO_FEW_WEEKS not in notes:
            notes.append(TOO_FEW_WEEKS)
        segments.append(
            Segment(
                start,
                stop,
                b_start,
                b_stop,
                centre,
                limits.mean_moving_range if limits else None,
                limits is not None,
            )
        )
        for i in range(start, stop):
            points.append(
                {
                    "index": i,
                    "label": labels[i],
                    "value": None if values[i] is None else float(values[i]),
                    "n": None if counts is None else counts[i],
                    "segment": seg_no,
                    "in_baseline": b_start <= i < b_stop,
                    "centre": centre,
                    "upper": limits.upper if limits else None,
                    "lower": limits.lower if limits else None,
                    "upper_two_sigma": limits.upper_two_sigma if limits else None,
                    "lower_two_sigma": limits.lower_two_sigma if limits else None,
                }
            )
    return _judge("xmr", points, segments, notes, direction, run_length)


def laney_chart(
    successes: Sequence[int],
    totals: Sequence[int],
    labels: Sequence[str],
    *,
    direction: Direction = Direction.HIGHER_IS_BETTER,
    baseline: tuple[int, int] | None = None,
    rebase_at: Sequence[int] = (),
    run_length: int = DEFAULT_RUN_LENGTH,
) -> ControlChart:
    """Laney p' chart of weekly proportions successes[i] / totals[i]; n = 0 is a gap."""
    _check(run_length, labels, len(totals))
    if len(successes) != len(totals):
        raise ValueError("successes and totals differ in length")
    for y, n in zip(successes, totals, strict=True):
        if n < 0 or y < 0 or y > n:
            raise ValueError("each week needs 0 <= successes <= n")
    observed = [n > 0 for n in totals]
    points: list[dict] = []
    segments: list[Segment] = []
    notes: list[str] = []
    for seg_no, (start, stop, b_start, b_stop) in enumerate(
        _segments(len(totals), rebase_at, baseline)
    ):
        if b_stop < 0:
            b_stop = _default_baseline_stop(observed, start, stop)
        base_weeks = sum(observed[b_start:b_stop])
        limits = (
            laney_limits(successes[b_start:b_stop], totals[b_start:b_stop])
            if base_weeks >= MIN_BASELINE_POINTS
            else None
        )
        if limits is not None:
            centre = limits.centre
        else:
            seg_n = sum(totals[start:stop])
            centre = sum(successes[start:stop]) / seg_n if seg_n else None
            if TOO_FEW_WEEKS not in notes:
                notes.append(TOO_FEW_WEEKS)
        segments.append(
            Segment(
                start,
                stop,
                b_start,
                b_stop,
                centre,
                limits.sigma_z if limits else None,
                limits is not None,
            )
        )
        for i in range(start, stop):
            n = totals[i]
            lines = limits.for_n(n) if (limits and n) else (None, None, None, None)
            points.append(
                {
                    "index": i,
                    "label": labels[i],
                    "value": successes[i] / n if n else None,
                    "n": n,
                    "segment": seg_no,
                    "in_baseline": b_start <= i < b_stop,
                    "centre": centre,
                    "lower": lines[0],
                    "upper": lines[1],
                    "lower_two_sigma": lines[2],
                    "upper_two_sigma": lines[3],
                }
            )
    return _judge("laney", points, segments, notes, direction, run_length)


# --- the rules ---------------------------------------------------------------------------------


def _verdict(side: str, direction: Direction) -> str:
    good = HIGH if direction is Direction.HIGHER_IS_BETTER else LOW
    return "improvement" if side == good else "concern"


def _runs(indexes: list[int], key) -> list[tuple[object, list[int]]]:
    """Maximal runs of consecutive items of `indexes` sharing a non-None key(prev, this)."""
    runs: list[tuple[object, list[int]]] = []
    current_key, current = None, []
    for pos, i in enumerate(indexes):
        k = key(pos)
        if k is not None and k == current_key:
            current.append(i)
        else:
            if current_key is not None:
                runs.append((current_key, current))
            current_key, current = k, [i] if k is not None else []
    if current_key is not None:
        runs.append((current_key, current))
    return runs


def _segment_signals(
    pts: list[dict], run_length: int
) -> list[tuple[Rule, str, list[int], tuple[int, int]]]:
    """(rule, side, flagged indexes, (first, last) index of the span) for the observed points of
    one segment with limits. The span of a two-of-three signal is its whole window."""
    found: list[tuple[Rule, str, list[int], tuple[int, int]]] = []
    idx = [p["index"] for p in pts]
    val = [p["value"] for p in pts]

    def outside(pos):
        p = pts[pos]
        if p["value"] > p["upper"]:
            return HIGH
        if p["value"] < p["lower"]:
            return LOW
        return None

    for side, run in _runs(idx, outside):
        found.append((Rule.OUTSIDE_LIMITS, side, run, (run[0], run[-1])))

    def same_side(pos):
        p = pts[pos]
        if p["value"] > p["centre"]:
            return HIGH
        if p["value"] < p["centre"]:
            return LOW
        return None

    for side, run in _runs(idx, same_side):
        if len(run) >= run_length:
            found.append((Rule.SHIFT, side, run, (run[0], run[-1])))

    # A trend of k points has k - 1 steps in one direction: step j links points j-1 and j.
    steps = [None] + [
        HIGH if val[j] > val[j - 1] else LOW if val[j] < val[j - 1] else None
        for j in range(1, len(val))
    ]
    for side, run in _runs(list(range(len(val))), lambda pos: steps[pos]):
        points_in_run = [idx[run[0] - 1], *(idx[j] for j in run)]
        if len(points_in_run) >= run_length:
            found.append((Rule.TREND, side, points_in_run, (points_in_run[0], points_in_run[-1])))

    seen: set[tuple[str, tuple[int, ...]]] = set()
    for first in range(len(pts) - 2):
        window = pts[first : first + 3]
        for side in (HIGH, LOW):
            if side == HIGH:
                beyond = [p["index"] for p in window if p["value"] > p["upper_two_sigma"]]
            else:
                beyond = [p["index"] for p in window if p["value"] < p["lower_two_sigma"]]
            if len(beyond) >= 2 and (side, tuple(beyond)) not in seen:
                seen.add((side, tuple(beyond)))
                span = (window[0]["index"], window[-1]["index"])
                found.append((Rule.TWO_OF_THREE, side, beyond, span))
    return found


def describe_signal(rule: Rule, side: str, count: int, first: str, last: str) -> str:
    """A flagged run in words, e.g. "7 weeks above the mean, 2026-W31 to 2026-W37"."""
    span = first if first == last else f"{first} to {last}"
    weeks = "1 week" if count == 1 else f"{count} weeks"
    if rule is Rule.OUTSIDE_LIMITS:
        where = "above the upper limit" if side == HIGH else "below the lower limit"
        return f"{weeks} {where}, {span}"
    if rule is Rule.SHIFT:
        return f"{weeks} {'above' if side == HIGH else 'below'} the mean, {span}"
    if rule is Rule.TREND:
        return f"{weeks} in a row {'rising' if side == HIGH else 'falling'}, {span}"
    where = "upper" if side == HIGH else "lower"
    return f"{count} of 3 weeks near the {where} limit, {span}"


def _judge(
    kind: str,
    points: list[dict],
    segments: list[Segment],
    notes: list[str],
    direction: Direction,
    run_length: int,
) -> ControlChart:
    by_index: dict[int, list[tuple[Rule, str]]] = {}
    signals: list[Signal] = []
    labels = {p["index"]: p["label"] for p in points}
    for seg_no, segment in enumerate(segments):
        if not segment.has_limits:
            continue
        pts = [p for p in points if p["segment"] == seg_no and p["value"] is not None]
        for rule, side, run, (span_first, span_last) in _segment_signals(pts, run_length):
            verdict = _verdict(side, direction)
            first, last = labels[span_first], labels[span_last]
            signals.append(
                Signal(
                    rule,
                    side,
                    tuple(run),
                    first,
                    last,
                    verdict,
                    describe_signal(rule, side, len(run), first, last),
                )
            )
            for i in run:
                by_index.setdefault(i, []).append((rule, side))
    finished = []
    for p in points:
        fired = sorted(set(by_index.get(p["index"], [])), key=lambda rs: rs[0].precedence)
        rules = tuple(dict.fromkeys(r for r, _ in fired))
        side = fired[0][1] if fired else None
        finished.append(
            ChartPoint(
                **p,
                rules=rules,
                side=side,
                verdict=_verdict(side, direction) if side else None,
            )
        )
    signals.sort(key=lambda s: (s.indexes[0], s.rule.precedence))
    return ControlChart(
        kind, direction, run_length, tuple(finished), tuple(segments), tuple(signals), tuple(notes)
    )


# --- departments and single proportions ---------------------------------------------------------


def funnel_limits(overall_rate: float, n: int, z: float) -> tuple[float, float]:
    """(lower, upper) funnel limits for a department with n responses around the overall rate
    p-bar: p-bar +/- z sqrt(p-bar (1 - p-bar) / n), clipped to [0, 1]. z = Z_95 or Z_998."""
    if n <= 0:
        raise ValueError("n must be positive")
    half = z * math.sqrt(overall_rate * (1 - overall_rate) / n)
    return max(0.0, overall_rate - half), min(1.0, overall_rate + half)


def overall_rate(successes: Sequence[int], totals: Sequence[int]) -> float | None:
    """Sum of successes / sum of n across departments; None when there are no responses."""
    total = sum(totals)
    return sum(successes) / total if total else None


def funnel_position(successes: int, n: int, overall: float | None) -> str:
    """Where a department sits on the funnel plot: "too few" (n < 30: never ranked), "above" or
    "below" (outside the 99.8 % curve: flagged), "within"."""
    if n < MIN_FUNNEL_N or overall is None:
        return "too few"
    lower, upper = funnel_limits(overall, n, Z_998)
    rate = successes / n
    if rate > upper:
        return "above"
    if rate < lower:
        return "below"
    return "within"


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """95 % Wilson score interval (lower, upper) for successes of n; None when n = 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def iso_week_label(day: dt.date) -> str:
    """ "2026-W31": the ISO week (Monday to Sunday) a day falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
