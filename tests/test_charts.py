"""Chart builders, checked through chart.to_dict(), and the tile formatting rules."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from components import charts
from components.kpi_tiles import NO_VALUE, format_change, format_value, tile_for
from db.dashboard_queries import DashboardNumbers
from db.kpi import KpiResult
from db.periods import Period


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
    assert rows[0]["week"] == "2026-11-02T00:00:00"  # local midnight, no zone


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
    # Bars keep the rows' order: largest first, Other at the bottom.
    assert spec["encoding"]["y"]["sort"] == {"field": "rank"}
    assert [r["rank"] for r in rows] == list(range(11))
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


def _numbers(**frames) -> DashboardNumbers:
    week = Period(dt.date(2026, 11, 9), dt.date(2026, 11, 16), "America/New_York")
    empty = KpiResult(None, 0, None, 0)
    defaults = {
        "weekly_volume": pd.DataFrame(columns=["week", "type", "opened"]),
        "by_department": pd.DataFrame(columns=["department_id", "department", "opened"]),
        "by_category": pd.DataFrame(columns=["category", "issues"]),
        "complaint_rates": pd.DataFrame(
            columns=["department_id", "department", "complaints", "encounters", "per_thousand"]
        ),
        "open_by_age": pd.DataFrame(columns=["band", "severity", "concerns"]),
        "satisfaction": pd.DataFrame(
            columns=["week", "answers", "promoters", "detractors", "nps", "small_sample"]
        ),
    }
    defaults.update(frames)
    return DashboardNumbers(
        period=week,
        comparison=week.previous(),
        trend=week,
        department_id=frames.pop("department_id", None) if "department_id" in frames else 3,
        computed_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        summaries_tz="America/New_York",
        interactions=empty,
        concerns_opened=empty,
        opened_by_type={},
        open_now=empty,
        overdue_now=empty,
        on_time_rate=empty,
        median_days=empty,
        first_contact_rate=empty,
        grievance_compliance=empty,
        nps=empty,
        complaints_per_thousand=empty,
        **{k: v for k, v in defaults.items() if k != "department_id"},
    )


def _normalised(spec: dict) -> dict:
    """A spec with its one data set renamed "table", for comparing the two roads."""
    text = json.dumps(spec, sort_keys=True)
    for name in spec["datasets"]:
        text = text.replace(f'"{name}"', '"table"')
    return json.loads(text)


def _every_chart_numbers() -> DashboardNumbers:
    """Numbers with something in every chart."""
    weeks = [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]
    return _numbers(
        weekly_volume=pd.DataFrame(
            {"week": weeks, "type": ["complaint", "grievance"], "opened": [3, 4]}
        ),
        by_department=_departments(14),
        by_category=pd.DataFrame({"category": ["Safety", "Listening"], "issues": [5, 2]}),
        complaint_rates=pd.DataFrame(
            {
                "department_id": [1, 2],
                "department": ["A", "B"],
                "complaints": [3, 1],
                "encounters": [700, 900],
                "per_thousand": [3000 / 700, 1000 / 900],
            }
        ),
        open_by_age=pd.DataFrame({"band": ["Under 1 day"], "severity": ["low"], "concerns": [2]}),
        satisfaction=pd.DataFrame(
            {
                "week": weeks,
                "answers": [40, 10],
                "promoters": [20, 5],
                "detractors": [4, 1],
                "nps": [40.0, 40.0],
                "small_sample": [False, True],
            }
        ),
    )


def test_the_page_specs_equal_the_builders_specs():
    numbers = _every_chart_numbers()
    for large in (False, True):
        specs = charts.dashboard_specs(numbers, large=large)
        builders = {
            "weekly_volume": charts.weekly_volume_chart(numbers.weekly_volume, large=large),
            "satisfaction": charts.satisfaction_chart(numbers.satisfaction, large=large),
            "by_department": charts.department_chart(
                numbers.by_department, selected=3, large=large
            ),
            "by_category": charts.category_chart(numbers.by_category, large=large),
            "open_by_age": charts.open_age_chart(numbers.open_by_age, large=large),
            "complaint_rates": charts.complaint_rate_chart(numbers.complaint_rates, large=large),
        }
        assert set(specs) == set(builders)
        for kind, chart in builders.items():
            assert _normalised(specs[kind]) == _normalised(chart.to_dict()), (kind, large)
    assert len(specs["by_department"]["datasets"]["table"]) == 11
    # JSON-ready: the page hands these straight to the browser.
    json.dumps(specs)


def test_nothing_to_draw_gives_no_spec():
    specs = charts.dashboard_specs(_numbers(), large=False)
    assert specs == dict.fromkeys(specs)


def test_presentation_charts_are_readable_across_a_room():
    """Every dashboard chart in presentation mode: axis, legend and title text of 16 px or
    more, and the legend at the side, so the plot keeps its height on a shared screen."""
    for kind, spec in charts.dashboard_specs(_every_chart_numbers(), large=True).items():
        config = spec["config"]
        sizes = [
            config["axis"]["labelFontSize"],
            config["axis"]["titleFontSize"],
            config["legend"]["labelFontSize"],
            config["title"]["fontSize"],
        ]
        assert min(sizes) >= 16, kind
        assert config["legend"]["orient"] == "right", kind
