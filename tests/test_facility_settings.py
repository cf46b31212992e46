"""Facility settings: the name and time zone stored by the administrator win over the
environment's; a new time zone recounts the dashboard summaries on its calendar (with progress),
is refused while another rebuild runs, and leaves the KPIs matching the raw rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db import kpi, summaries
from db.admin import NotAllowed
from db.admin_facility import change_facility, with_stored_facility
from db.models import AuditLog, Concern, FacilitySetting, Interaction
from db.periods import Period
from db.settings import get_settings
from db.validation import InvalidInput
from tests.dashboard_world import build_world

KOLKATA = "Asia/Kolkata"  # UTC+5:30 all year: every local day moves by 10.5 hours from New York


@pytest.fixture
def admin(make_staff):
    return make_staff("admin")


@pytest.fixture
def desk(engine, make_staff):
    with Session(engine) as s, s.begin():
        build_world(s, make_staff("manager").id)


def _change(engine, admin, name, tz_name, progress=lambda _f, _m: None) -> bool:
    with Session(engine) as s, s.begin():
        return change_facility(
            session=s,
            actor=admin,
            defaults=get_settings(),
            name=name,
            tz_name=tz_name,
            progress=progress,
        )


def _facility(engine):
    with Session(engine) as s:
        return with_stored_facility(session=s, defaults=get_settings())


def test_the_environment_gives_the_defaults_and_a_stored_value_wins(engine, admin, monkeypatch):
    monkeypatch.setenv("PRD_FACILITY_NAME", "Riverside General Hospital")
    monkeypatch.setenv("PRD_FACILITY_TZ", "America/New_York")
    get_settings.cache_clear()
    before = _facility(engine)
    assert (before.facility_name, before.facility_tz_name) == (
        "Riverside General Hospital",
        "America/New_York",
    )
    assert _change(engine, admin, "  St  Mary's   Hospital ", "America/Chicago")
    after = _facility(engine)
    assert after.facility_name == "St Mary's Hospital"
    assert after.facility_tz_name == "America/Chicago"
    assert after.facility_tz.key == "America/Chicago"
    # Everything else is the environment's.
    assert after.cookie_expiry_hours == before.cookie_expiry_hours
    with Session(engine) as s:
        (row,) = s.scalars(select(AuditLog).where(AuditLog.entity == "facility_setting")).all()
    assert row.action == "admin-change"
    assert row.detail["before"] == {
        "name": "Riverside General Hospital",
        "time_zone": "America/New_York",
    }
    assert row.detail["after"] == {"name": "St Mary's Hospital", "time_zone": "America/Chicago"}
    # Saving the same values again changes nothing and writes no row.
    assert not _change(engine, admin, "St Mary's Hospital", "America/Chicago")


def test_bad_values_are_refused_field_by_field(engine, admin):
    with pytest.raises(InvalidInput) as refused:
        _change(engine, admin, "X", "Mars/Olympus_Mons")
    assert set(refused.value.errors) == {"facility_name", "facility_tz_name"}
    with Session(engine) as s:
        assert s.get(FacilitySetting, 1) is None


def test_only_an_administrator_changes_them(engine, make_staff):
    with pytest.raises(NotAllowed):
        _change(engine, make_staff("manager"), "St Mary's Hospital", KOLKATA)


def test_a_new_time_zone_recounts_the_summaries_and_kpis_match_the_raw_rows(engine, admin, desk):
    reports = []
    _change(engine, admin, "Riverside General Hospital", KOLKATA, lambda f, m: reports.append(f))
    assert reports[0] == 0.0 and reports[-1] == 1.0 and reports == sorted(reports)
    assert len(reports) == len(summaries.SUMMARY_KEYS) + 1
    with Session(engine) as s:
        assert summaries.summary_time_zone(session=s) == KOLKATA
        assert summaries.summary_drift(session=s) == {t: 0 for t in summaries.SUMMARY_KEYS}
        assert summaries.totals_differ(session=s) == []
        # Each day of November on the Kolkata calendar: the KPI (from the summaries) and a count
        # of the raw rows on that calendar agree, and the days did move.
        moved = 0
        for day in range(1, 31):
            first = dt.date(2026, 11, day)
            period = Period(first, first + dt.timedelta(days=1), KOLKATA)
            start, end = period.start, period.end
            raw_interactions = s.scalar(
                select(func.count()).where(
                    Interaction.occurred_at >= start, Interaction.occurred_at < end
                )
            )
            raw_concerns = s.scalar(
                select(func.count()).where(Concern.opened_at >= start, Concern.opened_at < end)
            )
            assert kpi.interactions(session=s, period=period).value == raw_interactions, day
            assert kpi.concerns_opened(session=s, period=period).value == raw_concerns, day
            ny = Period(period.first_day, period.end_day, "America/New_York")
            moved += raw_interactions != s.scalar(
                select(func.count()).where(
                    Interaction.occurred_at >= ny.start, Interaction.occurred_at < ny.end
                )
            )
        assert moved > 0  # the world has contacts that change day between the two calendars


def test_a_second_rebuild_at_the_same_time_is_refused(engine, admin, desk):
    with engine.connect() as other:
        # Another administrator's rebuild, still running: it holds the lock until it commits.
        other.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": summaries.SUMMARY_REBUILD_LOCK}
        )
        with pytest.raises(summaries.RebuildRunning):
            _change(engine, admin, "Riverside General Hospital", KOLKATA)
        other.rollback()
    with Session(engine) as s:
        assert s.get(FacilitySetting, 1) is None  # nothing stored: the whole change rolled back
        assert summaries.summary_time_zone(session=s) == "America/New_York"
    # Once it has finished, the change goes through.
    _change(engine, admin, "Riverside General Hospital", KOLKATA)
    assert _facility(engine).facility_tz_name == KOLKATA


def test_the_admin_section_saves_and_the_pages_show_the_stored_name(engine, page_as, admin):
    at = page_as("pages/admin.py", admin).run()
    at.segmented_control(key="admin_section").set_value("Facility").run()
    assert not at.exception
    at.text_input[0].set_value("X")
    at.selectbox[0].set_value(KOLKATA)
    at.button[0].click().run()
    assert "Use 2 to 120 characters." in [e.value for e in at.error]
    assert at.text_input[0].value == "X"  # what was typed stays
    at.text_input[0].set_value("Lakeside Community Hospital")
    at.button[0].click().run()
    assert not at.exception
    assert "Saved the facility settings." in [m.value for m in at.success]
    assert _facility(engine).facility_tz_name == KOLKATA
    # The sidebar every page draws reads the stored name, at once.
    sidebar = " ".join(str(h.proto) for h in at.sidebar.get("html"))
    assert "Lakeside Community Hospital" in sidebar
