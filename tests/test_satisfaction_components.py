"""The Satisfaction page's plain parts: the view read from and written to the URL, which
measures a choice allows, the control chart it builds, and the chart builders' specs."""

from __future__ import annotations

import datetime as dt

import pytest

from components import satisfaction_charts as charts
from components import satisfaction_view as sv
from db import spc
from db.satisfaction import DepartmentScore, Instrument, Question, WeekScore

TZ = "America/New_York"
TODAY = dt.date(2026, 11, 20)


def q(qid, lo=1, hi=5, ltr=False, higher=True):
    return Question(qid, 1, f"Q{qid}", "wording", lo, hi, "", hi, ltr, None, higher)


CSAT = Instrument(1, "CSAT", "", (q(1), q(2)))
MIXED = Instrument(2, "Mixed", "", (q(3, 1, 4), q(4, 0, 10, ltr=True)))


def test_measures_for_each_choice():
    assert sv.measures_for(CSAT, None) == ["mean", "top_box"]
    assert sv.measures_for(MIXED, None) == ["top_box"]  # no mean across scales
    assert sv.measures_for(MIXED, MIXED.questions[1]) == ["mean", "top_box", "nps"]
    assert sv.measures_for(MIXED, MIXED.questions[0]) == ["mean", "top_box"]


def test_view_round_trips_through_the_url():
    params = {
        "survey": "2",
        "question": "4",
        "measure": "nps",
        "dept": "7",
        "trend": "52",
        "base_from": "2026-06-03",  # a Wednesday: read as its Monday
        "rebase": "2026-09-07",
        "run": "6",
    }
    view = sv.view_from_params(params, [CSAT, MIXED], today=TODAY, tz_name=TZ)
    assert view.instrument is MIXED and view.question.id == 4 and view.measure == "nps"
    assert view.baseline_from == dt.date(2026, 6, 1) and view.run_length == 6
    again = sv.view_from_params(sv.params_from_view(view), [CSAT, MIXED], today=TODAY, tz_name=TZ)
    assert again == view


def test_malformed_url_falls_back():
    params = {"survey": "99", "question": "x", "measure": "nps", "run": "9", "rebase": "soon"}
    view = sv.view_from_params(params, [CSAT, MIXED], today=TODAY, tz_name=TZ)
    assert view.instrument is CSAT and view.question is None and view.measure == "mean"
    assert view.run_length == 7 and view.rebase is None


def _weeks(values, n=40):
    first = dt.date(2026, 1, 5)
    return [WeekScore(first + dt.timedelta(weeks=i), n, v / n, v) for i, v in enumerate(values)]


def test_control_chart_for_top_box_is_laney_with_the_chosen_baseline():
    weeks = _weeks([20, 22, 19, 21, 20, 23, 18, 21, 20, 22, 19, 21, 20, 38])
    view = sv.view_from_params(
        {"measure": "top_box", "base_from": "2026-01-05", "base_to": "2026-03-23"},
        [CSAT],
        today=TODAY,
        tz_name=TZ,
    )
    chart = sv.control_chart_for(view, weeks)
    assert chart.kind == "laney"
    assert (chart.segments[0].baseline_start, chart.segments[0].baseline_stop) == (0, 12)
    assert chart.points[-1].rule is spc.Rule.OUTSIDE_LIMITS
    assert chart.variation_icon is spc.Variation.IMPROVEMENT_HIGH
    rows = charts.control_rows(chart, weeks, percent=True)
    assert rows[-1]["value"] == 95.0 and rows[-1]["verdict"] == "improvement"
    assert rows[-1]["ci_low"] < 95.0 < rows[-1]["ci_high"]
    spec = charts.control_spec(rows, title="Top-box % per week", y_title="Top-box (%)")
    assert spec["title"]["text"] == "Top-box % per week"
    assert len(spec["layer"]) == 5
    assert spec["datasets"][charts.WEEKS][-1]["rule"] == "outside the limits"
    # the shape validates against the Vega-Lite schema
    charts.control_chart(title="Top-box % per week", y_title="Top-box (%)").to_dict()


def test_rebase_in_the_url_splits_the_chart():
    weeks = _weeks([20] * 14 + [30] * 14)
    view = sv.view_from_params(
        {"measure": "top_box", "rebase": "2026-04-13"}, [CSAT], today=TODAY, tz_name=TZ
    )
    chart = sv.control_chart_for(view, weeks)
    assert len(chart.segments) == 2 and chart.segments[1].start == 14


def test_department_table_ranks_only_thirty_or_more():
    rows = [
        DepartmentScore(1, "Cardiology", 29, 29, 5.0),
        DepartmentScore(2, "Medicine", 100, 60, 4.0),
        DepartmentScore(3, "Surgery", 50, 40, 4.5),
    ]
    table = charts.department_table(rows)
    assert list(table["Department"]) == ["Surgery", "Medicine", "Cardiology"]
    assert list(table["Rank"]) == ["1", "2", "—"]
    assert table.iloc[2]["Funnel (99.8%)"] == charts.TOO_FEW
    funnel, curves, overall = charts.funnel_rows(rows)
    assert overall == (29 + 60 + 40) / 179
    assert {r["position"] for r in funnel if r["department"] == "Cardiology"} == {charts.TOO_FEW}
    spec = charts.funnel_spec(funnel, curves, overall)
    assert "Departments against the overall rate" in str(spec["title"])
    assert spec["datasets"][charts.OVERALL] == [{"rate": 100 * overall}]
    charts.funnel_chart().to_dict()
    assert {c["limit"] for c in curves} == {"95%", "99.8%"}


@pytest.mark.parametrize(
    ("first", "last", "problems"),
    [
        ("2026-11-02", "2026-11-08", {}),
        ("2026-11-02", "2026-11-02", {}),
        ("2026-11-09", "2026-11-02", {"to": "The last day must be on or after the first day."}),
        ("", "2026-11-02", {"from": "Choose the first day."}),
        ("2026-11-02", "soon", {"to": "Not a date: use YYYY-MM-DD."}),
        ("1999-12-31", "2026-11-02", {"from": "The first day must be on or after 01 Jan 2000."}),
    ],
)
def test_custom_dates_are_checked_field_by_field(first, last, problems):
    params = {"period": "custom", "from": first, "to": last}
    view = sv.view_from_params(params, [CSAT], today=TODAY, tz_name=TZ)
    assert dict(view.date_problems or {}) == problems
    if not problems:
        assert view.filters.choice == "custom"
        assert view.filters.period.first_day.isoformat() == first
        assert view.filters.period.last_day.isoformat() == last
    else:  # kept as typed for the page to show beside the message
        kept = sv.params_from_view(view)
        assert kept["period"] == "custom"
        assert kept.get("from", "") == first
