"""The weekly summary against the fixed hospital of tests/dashboard_world.py (week 2026-W46):
every figure equals what the KPI functions and the dashboard give for the same week, ISO week
edges hold (Sunday 23:59 vs Monday 00:00, week 53, the year boundary, a DST week), and nothing
in the summary identifies a patient."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from components.weekly_brief import brief, with_n
from db import kpi
from db.dashboard_queries import dashboard_numbers
from db.periods import Period, trend_period
from db.weekly_summary import (
    BASELINE_WEEKS,
    TREND_WEEKS,
    last_complete_week,
    parse_week,
    week_concerns,
    week_interactions,
    week_label,
    weekly_summary,
)
from tests.dashboard_world import (
    NOW,
    PATIENT_MRNS,
    PATIENT_NAMES,
    PREVIOUS_WEEK,
    TZ_NAME,
    WEEK,
    add_interaction,
    build_world,
    local,
)


@pytest.fixture
def world(engine, make_staff):
    staff = make_staff("manager", username="builder")
    with Session(engine) as s, s.begin():
        return build_world(s, staff.id)


@pytest.fixture
def summary(world, session):
    return weekly_summary(session=session, week=WEEK, now=NOW, facility="Riverside")


# --- the same numbers as the KPI functions and the dashboard -------------------------------------

KPI_FUNCTIONS = {
    "interactions": (kpi.interactions, {}),
    "concerns_opened": (kpi.concerns_opened, {}),
    "complaints": (kpi.concerns_opened, {"types": kpi.COMPLAINT_TYPES}),
    "complaints_per_thousand": (kpi.complaints_per_thousand_encounters, {"now": NOW}),
    "on_time": (kpi.on_time_resolution_rate, {}),
    "median_days": (kpi.median_days_to_resolve, {}),
    "first_contact": (kpi.first_contact_resolution_rate, {}),
    "grievance_response": (kpi.grievance_response_compliance, {"now": NOW}),
    "nps": (kpi.net_promoter_score, {}),
}


@pytest.mark.parametrize("key", KPI_FUNCTIONS)
def test_each_line_is_the_kpi_function_for_the_week(summary, session, key):
    function, extra = KPI_FUNCTIONS[key]
    expected = function(session=session, period=WEEK, previous=PREVIOUS_WEEK, **extra)
    assert summary.line(key).this_week == expected
    # The 4 weeks before the previous week, from the same function.
    baseline = Period(WEEK.first_day - dt.timedelta(days=35), PREVIOUS_WEEK.first_day, TZ_NAME)
    pooled = function(session=session, period=baseline, **extra)
    line = summary.line(key)
    if line.kind == "count":
        assert line.baseline_value == pooled.value / BASELINE_WEEKS
    else:
        assert (line.baseline_value, line.baseline_denominator) == (
            pooled.value,
            pooled.denominator,
        )
    # The trend's last two weeks are this week and the previous one.
    assert len(line.trend) == TREND_WEEKS
    assert (line.trend[-1].value, line.trend[-1].denominator) == (
        expected.value,
        expected.denominator,
    )
    assert (line.trend[-2].value, line.trend[-2].denominator) == (
        expected.previous_value,
        expected.previous_denominator,
    )


def test_the_summary_matches_the_dashboard_for_the_same_week(summary, session):
    dashboard = dashboard_numbers(
        session=session,
        period=WEEK,
        comparison=PREVIOUS_WEEK,
        trend=trend_period(WEEK, TREND_WEEKS),
        department_id=None,
        now=NOW,
    )
    pairs = {
        "interactions": dashboard.interactions,
        "concerns_opened": dashboard.concerns_opened,
        "complaints_per_thousand": dashboard.complaints_per_thousand,
        "on_time": dashboard.on_time_rate,
        "median_days": dashboard.median_days,
        "first_contact": dashboard.first_contact_rate,
        "grievance_response": dashboard.grievance_compliance,
        "nps": dashboard.nps,
    }
    for key, tile in pairs.items():
        line = summary.line(key).this_week
        assert (line.value, line.denominator) == (tile.value, tile.denominator), key
        assert (line.previous_value, line.previous_denominator) == (
            tile.previous_value,
            tile.previous_denominator,
        ), key
    assert summary.opened_by_type == dashboard.opened_by_type
    # The weekly volume chart is the dashboard's query over the same 26 weeks.
    assert summary.weekly_volume.equals(dashboard.weekly_volume)


def test_the_hand_computed_week(summary):
    """The figures worked out by hand in tests/dashboard_world.py."""
    values = {line.key: line.this_week for line in summary.lines}
    assert (values["interactions"].value, values["interactions"].previous_value) == (5, 2)
    assert (values["first_contact"].value, values["first_contact"].denominator) == (0.75, 4)
    assert (values["on_time"].value, values["on_time"].denominator) == (pytest.approx(2 / 3), 3)
    assert (values["grievance_response"].value, values["grievance_response"].denominator) == (
        0.5,
        2,
    )
    assert values["nps"].value == pytest.approx(100 / 3)
    assert values["complaints_per_thousand"].denominator == 700
    # At the week's end (Monday 16 Nov 00:00): C5, C6, C8 open; C6 and C8 past due.
    assert values["open_at_week_end"].value == 3
    assert values["overdue_at_week_end"].value == 2
    assert summary.overdue_by_department.to_dict("records") == [
        {"department": "Emergency Department", "overdue": 2}
    ]
    assert summary.counts == {
        "interactions": 5,
        "concerns_opened": 5,
        "concerns_resolved": 4,
        "survey_answers": 3,
    }
    assert [(m.name, m.this_week, m.median_before) for m in summary.top_departments] == [
        ("Cardiology", 3, 0.0),
        ("Emergency Department", 2, 0.0),
    ]
    assert summary.top_categories[0].name.startswith("Communication")
    assert summary.top_categories[0].this_week == 2


def test_a_zero_denominator_reads_as_a_dash(summary):
    table = {row.line.key: row.cells for row in brief(summary, tz_label=TZ_NAME).table}
    # Nothing was resolved in the 4 weeks before the previous week.
    assert table["on_time"][3] == "— (n=0)"
    assert table["on_time"][1] == "66.7% (n=3)"
    assert table["interactions"][4] == "+3 (+150%)"


def test_each_sentence_quotes_figures_on_the_page(summary):
    b = brief(summary, tz_label=TZ_NAME)
    cells = {cell for row in b.table for cell in row.cells}
    assert b.sentences
    for sentence in b.sentences:
        quoted = [c for c in cells if c in sentence and any(ch.isdigit() for ch in c)]
        mover = any(
            f"{m.this_week:,} " in sentence and f"median of {m.median_before:g}" in sentence
            for m in (*summary.top_categories, *summary.top_departments)
        )
        assert quoted or mover, sentence
    assert any("rose from 2 to 5" in s for s in b.sentences)


def test_a_signal_is_named_in_what_changed(summary):
    b = brief(summary, tz_label=TZ_NAME)
    special = [key for key, v in b.variations.items() if v not in ("Common cause", "Too few weeks")]
    assert special  # counts jump from a run of empty weeks in this small world
    for key in special:
        assert any(s.startswith(summary.line(key).label + ":") for s in b.sentences), key


def test_nothing_in_the_summary_identifies_a_patient(summary):
    b = brief(summary, tz_label=TZ_NAME)
    text = repr(summary) + repr(b.header) + repr(b.table) + repr(b.sentences)
    text += b.volume_chart().to_json() + b.nps_chart().to_json()
    for secret in (*PATIENT_NAMES, *PATIENT_MRNS, "555-010", "zq@example.org"):
        assert secret not in text


# --- ISO weeks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W46", dt.date(2026, 11, 9)),
        ("2026w01", dt.date(2025, 12, 29)),  # week 1 starts in the year before
        ("2026-W53", dt.date(2026, 12, 28)),  # 2026 has 53 ISO weeks
        ("2020-W53", dt.date(2020, 12, 28)),
    ],
)
def test_iso_weeks_are_read(text, monday):
    week = parse_week(text, tz_name=TZ_NAME)
    assert (week.first_day, week.days) == (monday, 7)
    assert parse_week(week_label(week), tz_name=TZ_NAME) == week


@pytest.mark.parametrize("text", ["2027-W53", "2026-W00", "2026-13", "", "W46", "2026-W46; DROP"])
def test_what_is_not_an_iso_week_is_refused(text):
    with pytest.raises(ValueError):
        parse_week(text, tz_name=TZ_NAME)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 11, 15, 23, 59), "2026-W45"),  # Sunday night: W46 has not ended
        (local(2026, 11, 16, 0, 0), "2026-W46"),  # Monday 00:00 local (05:00 UTC)
        (local(2027, 1, 3, 23, 59), "2026-W52"),
        (local(2027, 1, 4, 0, 0), "2026-W53"),  # across the year boundary
        (local(2026, 11, 2, 0, 0), "2026-W44"),  # the week daylight-saving time ended
    ],
)
def test_last_complete_week_turns_at_local_midnight_on_monday(moment, expected):
    assert week_label(last_complete_week(now=moment, tz_name=TZ_NAME)) == expected


def test_sunday_2359_is_this_week_and_monday_0000_the_next(world, session):
    rows = week_interactions(session=session, week=WEEK)
    assert len(rows) == 5  # the Sunday 23:30 call is in; Monday 00:30 is not
    assert rows["occurred_at"].iloc[-1] == dt.datetime(2026, 11, 15, 23, 30)
    add_interaction(
        session, world.staff_id, local(2026, 11, 15, 23, 59), world.cardiology, "information-only"
    )
    add_interaction(
        session, world.staff_id, local(2026, 11, 16, 0, 0), world.cardiology, "information-only"
    )
    session.commit()
    summary = weekly_summary(session=session, week=WEEK, now=NOW, facility="Riverside")
    assert summary.line("interactions").this_week.value == 6
    assert len(week_interactions(session=session, week=WEEK)) == 6


def test_a_daylight_saving_week_is_169_hours(world, session):
    dst_week = parse_week("2026-W44", tz_name=TZ_NAME)  # 26 Oct - 1 Nov; clocks back on 1 Nov
    assert dst_week.end - dst_week.start == dt.timedelta(hours=169)
    add_interaction(
        session, world.staff_id, local(2026, 11, 1, 23, 30), world.cardiology, "information-only"
    )
    session.commit()
    summary = weekly_summary(session=session, week=dst_week, now=NOW, facility="Riverside")
    expected = kpi.interactions(session=session, period=dst_week)
    assert summary.line("interactions").this_week == expected
    assert expected.value == 1
    assert len(week_interactions(session=session, week=dst_week)) == 1


def test_a_week_in_progress_is_marked(world, session):
    week = parse_week("2026-W47", tz_name=TZ_NAME)  # NOW is Friday of W47
    summary = weekly_summary(session=session, week=week, now=NOW, facility="Riverside")
    assert not summary.complete
    assert "in progress" in brief(summary, tz_label=TZ_NAME).header[0]


# --- the week's rows --------------------------------------------------------------------------


def test_rows_are_de_identified_unless_asked(world, session):
    plain = week_concerns(session=session, week=WEEK)
    assert len(plain) == 5
    assert "patient_mrn" not in plain and "summary" not in plain
    text = plain.to_csv() + week_interactions(session=session, week=WEEK).to_csv()
    for secret in (*PATIENT_NAMES, *PATIENT_MRNS):
        assert secret not in text
    identified = week_interactions(session=session, week=WEEK, identified=True)
    assert set(identified["patient_mrn"]) == {PATIENT_MRNS[0]}
    assert identified["patient_name"].iloc[0] == "Zebedee Quartermaine"


def test_satisfaction_by_instrument_with_n(world, summary, session):
    (score,) = summary.instruments
    assert score.instrument == "Inpatient experience"
    expected = kpi.top_box_rate(
        session=session, period=WEEK, previous=PREVIOUS_WEEK, instrument_id=world.instrument
    )
    assert score.top_box == expected
    assert (expected.value, expected.denominator) == (0.5, 6)  # 3 of 6 answers this week


@pytest.mark.parametrize(
    ("denominator", "shown"), [(5250.313978494624, "13.52 (n=5,250)"), (3, "13.52 (n=3)")]
)
def test_prorated_encounters_are_shown_whole(denominator, shown):
    assert with_n(13.52, denominator, "rate") == shown
