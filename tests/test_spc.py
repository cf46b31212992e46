"""Control-chart rules: the published golden cases (to 1e-6) and the edge cases around them."""

from __future__ import annotations

import datetime as dt

import pytest

from db import spc
from db.spc import Direction, Rule, Variation

TOL = 1e-6


def weeks(count: int, first: dt.date = dt.date(2026, 1, 5)) -> list[str]:
    return [spc.iso_week_label(first + dt.timedelta(weeks=i)) for i in range(count)]


def flagged(chart) -> dict[int, tuple[Rule, ...]]:
    """{week number (1-based): rules fired} for every flagged point."""
    return {p.index + 1: p.rules for p in chart.points if p.rules}


CASE_A = [52, 55, 49, 58, 51, 54, 50, 53, 56, 48, 52, 55, 60, 58, 61, 59, 62, 60, 63, 50, 70, 51]
CASE_B = [10, 11, 10, 12, 11, 10, 11, 12, 11, 10, 11, 10, 9.5, 10.2, 10.6, 10.9, 11.3, 11.8, 12.1]
CASE_B += [11.0]
CASE_C = [(40, 60), (45, 70), (38, 55), (50, 80), (42, 65), (47, 72), (39, 58), (44, 66)]
CASE_C += [(41, 62), (46, 71), (43, 64), (48, 75), (60, 70), (30, 70)]


def test_case_a_xmr_limits_and_flags():
    chart = spc.xmr_chart(CASE_A, weeks(22), baseline=(0, 12))
    point = chart.points[0]
    assert point.centre == pytest.approx(52.75, abs=TOL)
    assert chart.segments[0].spread == pytest.approx(4.818182, abs=TOL)
    assert point.upper == pytest.approx(65.566364, abs=TOL)
    assert point.lower == pytest.approx(39.933636, abs=TOL)
    assert point.upper_two_sigma == pytest.approx(61.294242, abs=TOL)
    assert point.lower_two_sigma == pytest.approx(44.205758, abs=TOL)

    flags = flagged(chart)
    assert set(flags) == {12, 13, 14, 15, 16, 17, 18, 19, 21}
    for week in (12, 13, 14, 15, 16, 18):
        assert flags[week] == (Rule.SHIFT,)
    assert flags[17] == (Rule.SHIFT, Rule.TWO_OF_THREE)
    assert flags[19] == (Rule.SHIFT, Rule.TWO_OF_THREE)
    assert flags[21] == (Rule.OUTSIDE_LIMITS, Rule.TWO_OF_THREE)
    assert chart.points[20].rule is Rule.OUTSIDE_LIMITS  # precedence labels week 21

    two_of_three = [s for s in chart.signals if s.rule is Rule.TWO_OF_THREE]
    assert [s.indexes for s in two_of_three] == [(16, 18), (18, 20)]
    shift = [s for s in chart.signals if s.rule is Rule.SHIFT]
    assert len(shift) == 1 and shift[0].indexes == tuple(range(11, 19))
    labels = weeks(22)
    assert shift[0].description == f"8 weeks above the mean, {labels[11]} to {labels[18]}"
    assert two_of_three[0].description == (
        f"2 of 3 weeks near the upper limit, {labels[16]} to {labels[18]}"
    )
    assert chart.variation_icon is Variation.COMMON_CAUSE  # week 22 is common cause
    assert all(p.verdict == "improvement" for p in chart.points if p.rules)


def test_case_a_lower_is_better_turns_signals_into_concerns():
    chart = spc.xmr_chart(CASE_A, weeks(22), baseline=(0, 12), direction=Direction.LOWER_IS_BETTER)
    assert {p.verdict for p in chart.points if p.rules} == {"concern"}
    assert all(s.verdict == "concern" for s in chart.signals)


def test_case_b_trend():
    chart = spc.xmr_chart(CASE_B, weeks(20), baseline=(0, 12))
    assert chart.points[0].centre == pytest.approx(10.75, abs=TOL)
    assert chart.segments[0].spread == pytest.approx(1.090909, abs=TOL)
    assert chart.points[0].upper == pytest.approx(13.651818, abs=TOL)
    assert chart.points[0].lower == pytest.approx(7.848182, abs=TOL)
    flags = flagged(chart)
    assert flags == {week: (Rule.TREND,) for week in range(13, 20)}
    (trend,) = chart.signals
    assert trend.side == "high" and trend.description.startswith("7 weeks in a row rising")


def test_case_c_laney():
    y = [s for s, _ in CASE_C]
    n = [t for _, t in CASE_C]
    chart = spc.laney_chart(y, n, weeks(14), baseline=(0, 12))
    assert chart.segments[0].centre == pytest.approx(0.655388, abs=TOL)
    assert chart.segments[0].spread == pytest.approx(0.364655, abs=TOL)
    assert chart.points[0].lower == pytest.approx(0.588270, abs=TOL)
    assert chart.points[0].upper == pytest.approx(0.722507, abs=TOL)
    for week in (12, 13):
        assert chart.points[week].lower == pytest.approx(0.593249, abs=TOL)
        assert chart.points[week].upper == pytest.approx(0.717528, abs=TOL)
    assert chart.points[12].value == pytest.approx(0.857143, abs=TOL)
    assert chart.points[13].value == pytest.approx(0.428571, abs=TOL)
    assert chart.points[12].rule is Rule.OUTSIDE_LIMITS and chart.points[12].side == "high"
    assert chart.points[13].rule is Rule.OUTSIDE_LIMITS and chart.points[13].side == "low"
    assert all(Rule.OUTSIDE_LIMITS not in p.rules for p in chart.points[:12])
    assert chart.variation_icon is Variation.CONCERN_LOW


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [(45, 60, 0.627679, 0.842235), (0, 12, 0.0, 0.242494), (30, 30, 0.886487, 1.0)],
)
def test_wilson_golden(successes, n, low, high):
    lower, upper = spc.wilson_interval(successes, n)
    assert lower == pytest.approx(low, abs=TOL)
    assert upper == pytest.approx(high, abs=TOL)


def test_wilson_with_no_responses_is_none():
    assert spc.wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        spc.wilson_interval(5, 4)


# --- baseline --------------------------------------------------------------------------------


def test_default_baseline_is_first_20_points():
    values = [float(i % 5) for i in range(30)]
    chart = spc.xmr_chart(values, weeks(30))
    segment = chart.segments[0]
    assert (segment.baseline_start, segment.baseline_stop) == (0, 20)
    assert segment.centre == pytest.approx(sum(values[:20]) / 20)
    assert [p.in_baseline for p in chart.points] == [True] * 20 + [False] * 10


def test_default_baseline_uses_all_points_between_12_and_20():
    values = [float(i % 3) for i in range(15)]
    chart = spc.xmr_chart(values, weeks(15))
    assert chart.segments[0].baseline_stop == 15
    assert chart.has_limits


def test_fewer_than_12_points_draws_mean_only_with_note():
    values = [3.0, 4.0, 5.0, 4.0, 3.0, 9.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    chart = spc.xmr_chart(values, weeks(11))
    assert chart.notes == (spc.TOO_FEW_WEEKS,)
    assert not chart.has_limits
    assert chart.points[0].centre == pytest.approx(sum(values) / 11)
    assert all(p.upper is None and not p.rules for p in chart.points)
    assert chart.variation_icon is Variation.NO_LIMITS


def test_fewer_than_12_weeks_laney():
    chart = spc.laney_chart([1, 2, 3], [10, 10, 10], weeks(3))
    assert chart.notes == (spc.TOO_FEW_WEEKS,)
    assert chart.points[0].centre == pytest.approx(0.2)


def test_user_chosen_baseline_sets_limits_for_the_whole_segment():
    values = [10.0] * 5 + [float(v) for v in CASE_A]
    chart = spc.xmr_chart(values, weeks(len(values)), baseline=(5, 17))
    assert chart.points[0].centre == pytest.approx(52.75, abs=TOL)
    # the five weeks before the baseline are far below the lower limit
    assert all(p.rule is Rule.OUTSIDE_LIMITS for p in chart.points[:5])
    assert not any(p.in_baseline for p in chart.points[:5])


def test_rebase_gives_each_segment_its_own_limits():
    before = [float(v) for v in CASE_A[:12]]
    after = [v + 20 for v in before]
    chart = spc.xmr_chart(before + after, weeks(24), rebase_at=[12])
    assert len(chart.segments) == 2
    assert chart.segments[0].centre == pytest.approx(52.75)
    assert chart.segments[1].centre == pytest.approx(72.75)
    assert chart.points[11].segment == 0 and chart.points[12].segment == 1
    # without the rebase the step up is a run of 12 weeks above the mean
    assert not any(p.rules for p in chart.points)
    plain = spc.xmr_chart(before + after, weeks(24), baseline=(0, 12))
    assert all(Rule.SHIFT in p.rules for p in plain.points[12:])


def test_rebased_segment_too_short_for_limits_has_the_note():
    values = [float(v) for v in CASE_A]
    chart = spc.xmr_chart(values, weeks(22), rebase_at=[15])
    assert chart.segments[0].has_limits and not chart.segments[1].has_limits
    assert spc.TOO_FEW_WEEKS in chart.notes
    assert chart.points[-1].upper is None and chart.points[-1].centre is not None


# --- the rules on edge cases -------------------------------------------------------------------


def test_all_equal_values_flag_nothing():
    chart = spc.xmr_chart([4.0] * 25, weeks(25))
    assert chart.segments[0].spread == 0
    assert not any(p.rules for p in chart.points)
    assert chart.variation_icon is Variation.COMMON_CAUSE


def test_zero_moving_range_makes_any_change_outside():
    chart = spc.xmr_chart([4.0] * 12 + [4.5, 4.0], weeks(14))
    assert chart.points[12].rule is Rule.OUTSIDE_LIMITS
    assert chart.points[13].rules == ()


def test_point_on_centre_line_breaks_a_shift():
    base = [1.0, 3.0] * 6  # mean 2
    run = [2.5, 2.5, 2.5, 2.0, 2.5, 2.5, 2.5]
    chart = spc.xmr_chart(base + run, weeks(19), baseline=(0, 12))
    assert not any(Rule.SHIFT in p.rules for p in chart.points)
    unbroken = spc.xmr_chart(base + [2.5] * 7, weeks(19), baseline=(0, 12))
    assert all(p.rules == (Rule.SHIFT,) for p in unbroken.points[12:])


@pytest.mark.parametrize(("run_length", "flags"), [(6, True), (7, False)])
def test_run_length_setting(run_length, flags):
    base = [3.0, 1.0] * 6  # ends below the mean, so the run is the six 2.5s only
    chart = spc.xmr_chart(
        base + [2.5] * 6 + [1.5], weeks(19), baseline=(0, 12), run_length=run_length
    )
    assert any(Rule.SHIFT in p.rules for p in chart.points) is flags


def test_run_length_must_be_6_or_7():
    with pytest.raises(ValueError):
        spc.xmr_chart([1.0] * 12, weeks(12), run_length=8)


def test_equal_neighbours_break_a_trend():
    base = [1.0, 3.0] * 6
    rising = [1.1, 1.2, 1.3, 1.3, 1.4, 1.5, 1.6]
    chart = spc.xmr_chart(base + rising, weeks(19), baseline=(0, 12))
    assert not any(Rule.TREND in p.rules for p in chart.points)


def test_falling_trend_of_a_higher_is_better_measure_is_a_concern():
    base = [1.0, 3.0] * 6
    falling = [3.0, 2.8, 2.6, 2.4, 2.2, 2.0, 1.8]
    chart = spc.xmr_chart(base + falling, weeks(19), baseline=(0, 12))
    trend = [s for s in chart.signals if s.rule is Rule.TREND]
    assert len(trend) == 1
    assert trend[0].indexes == tuple(range(12, 19))  # 3.0 then 3.0: the equal pair starts it
    assert trend[0].side == "low" and trend[0].verdict == "concern"


def test_gap_is_not_a_zero_and_runs_bridge_it():
    base = [3.0, 1.0] * 6
    values = base + [2.5, 2.5, 2.5, None, 2.5, 2.5, 2.5, 2.5]
    chart = spc.xmr_chart(values, weeks(len(values)), baseline=(0, 12))
    gap = chart.points[15]
    assert gap.is_gap and gap.rules == ()
    assert all(p.rules == (Rule.SHIFT,) for p in chart.points[12:] if not p.is_gap)
    (shift,) = chart.signals
    assert shift.description.startswith("7 weeks above the mean")


def test_laney_week_with_no_responses_is_a_gap():
    y = [s for s, _ in CASE_C[:12]] + [0, 60]
    n = [t for _, t in CASE_C[:12]] + [0, 70]
    chart = spc.laney_chart(y, n, weeks(14), baseline=(0, 12))
    assert chart.points[12].value is None and chart.points[12].upper is None
    assert chart.points[12].rules == ()
    assert chart.points[13].rule is Rule.OUTSIDE_LIMITS
    assert chart.variation_icon is Variation.IMPROVEMENT_HIGH


def test_laney_gap_inside_baseline_is_skipped():
    y = [s for s, _ in CASE_C[:6]] + [0] + [s for s, _ in CASE_C[6:12]]
    n = [t for _, t in CASE_C[:6]] + [0] + [t for _, t in CASE_C[6:12]]
    chart = spc.laney_chart(y, n, weeks(13), baseline=(0, 13))
    assert chart.segments[0].centre == pytest.approx(0.655388, abs=TOL)
    assert chart.segments[0].spread == pytest.approx(0.364655, abs=TOL)


def test_laney_with_every_answer_top_box_has_flat_limits():
    chart = spc.laney_chart([20] * 13, [20] * 13, weeks(13))
    assert chart.points[0].upper == 1.0 and chart.points[0].lower == 1.0
    assert not any(p.rules for p in chart.points)


def test_laney_refuses_impossible_weeks():
    with pytest.raises(ValueError):
        spc.laney_chart([5], [4], weeks(1))


def test_screening_drops_a_huge_moving_range():
    values = [10.0, 11.0] * 6 + [40.0]
    base = values[:12] + [10.0, 40.0]
    plain = spc.xmr_limits(base)
    screened = spc.xmr_limits(base, screen_moving_ranges=True)
    assert screened.mean_moving_range < plain.mean_moving_range
    assert screened.mean_moving_range == pytest.approx(1.0)


def test_two_of_three_needs_the_same_side():
    base = [1.0, 3.0] * 6  # centre 2, mR-bar 2, two-sigma lines 2 +/- 3.546667
    chart = spc.xmr_chart(base + [5.8, -1.8, 2.0], weeks(15), baseline=(0, 12))
    assert not any(Rule.TWO_OF_THREE in p.rules for p in chart.points)
    chart = spc.xmr_chart(base + [5.8, 2.0, 5.7], weeks(15), baseline=(0, 12))
    assert [p.index for p in chart.points if Rule.TWO_OF_THREE in p.rules] == [12, 14]


def test_latest_point_states():
    base = [1.0, 3.0] * 6
    high = spc.xmr_chart(base + [9.0], weeks(13))
    assert high.variation_icon is Variation.IMPROVEMENT_HIGH
    low = spc.xmr_chart(base + [-9.0], weeks(13), direction=Direction.LOWER_IS_BETTER)
    assert low.variation_icon is Variation.IMPROVEMENT_LOW
    concern = spc.xmr_chart(base + [9.0], weeks(13), direction=Direction.LOWER_IS_BETTER)
    assert concern.variation_icon is Variation.CONCERN_HIGH
    trailing_gap = spc.xmr_chart([*base, 9.0, None], weeks(14))
    assert trailing_gap.variation_icon is Variation.IMPROVEMENT_HIGH


# --- funnel ------------------------------------------------------------------------------------


def test_funnel_limits_by_hand():
    lower, upper = spc.funnel_limits(0.7, 100, spc.Z_95)
    half = spc.Z_95 * (0.7 * 0.3 / 100) ** 0.5
    assert lower == pytest.approx(0.7 - half, abs=TOL)
    assert upper == pytest.approx(0.7 + half, abs=TOL)
    assert spc.funnel_limits(0.99, 30, spc.Z_998)[1] == 1.0  # clipped


def test_funnel_position():
    overall = spc.overall_rate([70, 90, 10], [100, 100, 20])
    assert overall == pytest.approx(170 / 220)
    assert spc.funnel_position(10, 20, overall) == "too few"
    assert spc.funnel_position(95, 100, overall) == "above"
    assert spc.funnel_position(50, 100, overall) == "below"
    assert spc.funnel_position(78, 100, overall) == "within"
    assert spc.overall_rate([], []) is None
    assert spc.funnel_position(5, 40, None) == "too few"


def test_iso_week_label_at_year_edges():
    assert spc.iso_week_label(dt.date(2026, 12, 31)) == "2026-W53"
    assert spc.iso_week_label(dt.date(2027, 1, 4)) == "2027-W01"
    assert spc.iso_week_label(dt.date(2021, 1, 3)) == "2020-W53"
