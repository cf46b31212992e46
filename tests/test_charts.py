"""Chart builders, checked through chart.to_dict(), and the tile formatting rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from components import charts
from components.kpi_tiles import NO_VALUE, format_change, format_value, tile_for
from db.kpi import KpiResult


def _spec(chart) -> dict:
    return chart.to_dict()


def _data(spec: dict) -> list[dict]:
    datasets = spec["datasets"]
    assert len(datasets) >= 1
    return next(iter(datasets.values()))


def test_weekly_volume_is_stacked_by_type_with_a_fixed_colour_order():
    frame = pd.DataFrame(
        {
            "week": [dt.date(2026, 11, 2), dt.date(2026, 11, 2), dt.date(2026, 11, 9)],
            "type": ["complaint", "grievance", "complaint"],
            "opened": [4, 1, 2],
        }
    )
    spec = _spec(charts.weekly_volume_chart(frame))
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "week"
    assert spec["encoding"]["x"]["type"] == "temporal"
    assert spec["encoding"]["color"]["scale"]["domain"] == [
        "complaint",
        "grievance",
        "compliment",
        "suggestion",
        "inquiry",
    ]
    rows = _data(spec)
    assert [r["opened"] for r in rows] == [4, 1, 2]
    assert rows[0]["week"].startswith("2026-11-02")


def test_large_charts_have_bigger_labels():
    frame = pd.DataFrame({"category": ["Safety"], "issues": [3]})
    small = _spec(charts.category_chart(frame))["config"]["axis"]["labelFontSize"]
    large = _spec(charts.category_chart(frame, large=True))["config"]["axis"]["labelFontSize"]
    assert large > small


def _departments(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "department_id": list(range(1, n + 1)),
            "department": [f"Dept {i:02d}" for i in range(1, n + 1)],
            "opened": list(range(n, 0, -1)),
        }
    )


def test_department_chart_keeps_top_ten_and_other_and_is_clickable():
    spec = _spec(charts.department_chart(_departments(14)))
    rows = _data(spec)
    assert len(rows) == 11
    assert rows[-1]["department"] == "Other (4)"
    assert rows[-1]["opened"] == 4 + 3 + 2 + 1
    assert rows[-1]["department_id"] == charts.OTHER_ID
    assert spec["encoding"]["y"]["sort"][-1] == "Other (4)"  # Other stays at the bottom
    (param,) = spec["params"]
    assert param["name"] == charts.DEPARTMENT_SELECTION
    assert param["select"]["fields"] == ["department_id"]


def test_the_selected_department_stays_visible_and_highlighted():
    spec = _spec(charts.department_chart(_departments(14), selected=13))
    rows = _data(spec)
    assert 13 in [r["department_id"] for r in rows]
    assert rows[-1]["department"] == "Other (3)"
    colour = spec["encoding"]["color"]
    assert colour["condition"][0]["value"] == charts.HIGHLIGHT
    assert "13" in colour["condition"][0]["test"]


def test_top_with_other_leaves_short_lists_alone():
    frame = pd.DataFrame({"category": ["A", "B"], "issues": [1, 5]})
    assert list(charts.top_with_other(frame, "category", "issues")["category"]) == ["B", "A"]
    empty = frame.iloc[0:0]
    assert charts.top_with_other(empty, "category", "issues").empty


def test_open_age_bands_are_in_age_order_and_coloured_by_severity():
    frame = pd.DataFrame(
        {
            "band": ["4 weeks or more", "Under 1 day"],
            "severity": ["high", "low"],
            "concerns": [2, 5],
        }
    )
    spec = _spec(charts.open_age_chart(frame))
    assert spec["encoding"]["x"]["sort"][0] == "Under 1 day"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["low", "medium", "high", "critical"]


def test_satisfaction_chart_marks_small_samples():
    frame = pd.DataFrame(
        {
            "week": [dt.date(2026, 11, 2), dt.date(2026, 11, 9)],
            "answers": [45, 12],
            "promoters": [30, 6],
            "detractors": [5, 3],
            "nps": [100 * 25 / 45, 25.0],
            "small_sample": [False, True],
        }
    )
    spec = _spec(charts.satisfaction_chart(frame))
    assert len(spec["layer"]) == 2
    points = spec["layer"][1]
    assert points["encoding"]["shape"]["field"] == "sample"
    rows = next(d for d in spec["datasets"].values() if len(d) == 2 and "nps" in d[0])
    assert [r["sample"] for r in rows] == [charts.ENOUGH_LABEL, charts.SMALL_LABEL]
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [-100, 100]


def test_complaint_rate_chart_shows_the_highest_ten():
    frame = pd.DataFrame(
        {
            "department_id": range(12),
            "department": [f"D{i}" for i in range(12)],
            "complaints": range(12),
            "encounters": [1000] * 12,
            "per_thousand": [float(i) for i in range(12)],
        }
    )
    rows = _data(_spec(charts.complaint_rate_chart(frame)))
    assert [r["department"] for r in rows] == [f"D{i}" for i in range(11, 1, -1)]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"selection": {charts.DEPARTMENT_SELECTION: [{"department_id": 7}]}}, 7),
        ({"selection": {charts.DEPARTMENT_SELECTION: [{"department_id": [7]}]}}, 7),
        ({"selection": {charts.DEPARTMENT_SELECTION: {"department_id": 7}}}, 7),
        ({"selection": {charts.DEPARTMENT_SELECTION: [{"department_id": -1}]}}, charts.OTHER_ID),
        ({"selection": {charts.DEPARTMENT_SELECTION: []}}, None),
        ({"selection": {}}, None),
        (None, None),
    ],
)
def test_department_from_selection(state, expected):
    assert charts.department_from_selection(state) == expected


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (None, "share", NO_VALUE),
        (0.0, "share", "0.0%"),
        (2 / 3, "share", "66.7%"),
        (1234, "count", "1,234"),
        (2.04, "days", "2.0 d"),
        (100 / 3, "points", "+33"),
        (-12.6, "points", "-13"),
        (0.2, "points", "0"),
        (1000 / 700, "per_thousand", "1.43"),
    ],
)
def test_format_value(value, kind, text):
    assert format_value(value, kind) == text


def test_changes_are_in_the_kpis_own_unit():
    assert format_change(KpiResult(5, None, 2, None), "count") == "+3 (+150%)"
    assert format_change(KpiResult(5, None, 0, None), "count") == "+5"
    assert format_change(KpiResult(0.75, 4, 0.5, 2), "share") == "+25.0 pts"
    assert format_change(KpiResult(2.0, 4, 2.5, 3), "days") == "-0.5 d"
    assert format_change(KpiResult(None, 0, 0.5, 2), "share") is None
    assert format_change(KpiResult(3, None, 3, None), "count") == "no change"


def test_a_rate_with_no_denominator_shows_a_dash_and_still_its_denominator():
    tile = tile_for("On time", KpiResult(None, 0, None, 0), "share", of="resolved")
    assert tile.value == NO_VALUE
    assert tile.delta is None
    assert tile.caption == "of 0 resolved · previous period: — of 0"
    counted = tile_for("Interactions", KpiResult(5, None, 2, None), "count")
    assert counted.caption == "previous period: 2"
