"""The dashboard summaries cannot drift silently: TRUNCATE is followed in the database, a load
that bypasses triggers is found by the cheap start-up check and by `db.cli check-summaries`,
which prints what differs, repairs on request and exits non-zero on drift."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from db import cli, kpi, summaries
from tests.dashboard_world import NOW, WEEK, add_interaction, build_world, local


@pytest.fixture
def world(engine, make_staff):
    staff = make_staff("manager")
    with Session(engine) as s, s.begin():
        return build_world(s, staff.id)


def _drift(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {t: n for t, n in summaries.summary_drift(session=s).items() if n}


def _version(engine) -> int:
    with Session(engine) as s:
        return kpi.data_version(session=s)


def _load_bypassing_triggers(engine, staff_id: int, calls: int = 40) -> None:
    """What a restore tool does: rows written with session_replication_role = replica, which
    fires no ordinary trigger (needs a superuser, as such tools run)."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text(
                "INSERT INTO interaction (occurred_at, channel, direction, department_id, "
                "summary, outcome, logged_by, client_submission_id) "
                "SELECT TIMESTAMPTZ '2026-11-10 15:00+00' + g * interval '1 minute', 'phone', "
                "'inbound', NULL, 'restored', 'information-only', :staff, gen_random_uuid() "
                "FROM generate_series(1, :calls) g"
            ),
            {"staff": staff_id, "calls": calls},
        )


def test_truncate_empties_the_summaries_and_moves_the_data_version(engine, world):
    before = _version(engine)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE interaction CASCADE"))  # concerns point at calls
    assert _drift(engine) == {}
    assert _version(engine) > before  # the dashboard cache key moves
    with Session(engine) as s:
        assert kpi.interactions(session=s, period=WEEK).value == 0
        assert kpi.first_contact_resolution_rate(session=s, period=WEEK).denominator == 0


def test_truncate_then_new_rows_leaves_the_dashboard_right(engine, world):
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE concern, interaction, survey_response CASCADE"))
    with Session(engine) as s, s.begin():
        add_interaction(s, world.staff_id, local(2026, 11, 10, 9), None, "information-only")
        add_interaction(s, world.staff_id, local(2026, 11, 11, 9), None, "resolved-first-contact")
    assert _drift(engine) == {}
    with Session(engine) as s:
        assert kpi.interactions(session=s, period=WEEK).value == 2
        assert kpi.concerns_opened(session=s, period=WEEK).value == 0
        assert kpi.grievance_response_compliance(session=s, period=WEEK, now=NOW).denominator == 0
        assert kpi.net_promoter_score(session=s, period=WEEK).denominator == 0


def test_truncating_a_day_summary_refills_its_weekly_rollup(engine, world):
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE interaction_day"))
    # The rollup follows the (now empty) day summary; the day summary itself has drifted.
    assert set(_drift(engine)) == {"interaction_day"}


def test_a_trigger_bypassing_load_is_found_by_both_checks_and_repaired(engine, world):
    _load_bypassing_triggers(engine, world.staff_id)
    assert set(_drift(engine)) == {"interaction_day"}
    with Session(engine) as s:
        assert s.scalar(text("SELECT count(*) FROM interaction")) == 48
        (difference,) = summaries.totals_differ(session=s)
        assert "interaction_day" in difference and "48" in difference
        assert kpi.interactions(session=s, period=WEEK).value == 5  # the silent drift
    with Session(engine) as s, s.begin():
        assert summaries.repair_summaries(session=s, progress=lambda _m: None) == [
            "interaction_day"
        ]
    assert _drift(engine) == {}
    with Session(engine) as s:
        assert summaries.totals_differ(session=s) == []
        assert kpi.interactions(session=s, period=WEEK).value == 45


def test_a_drifted_weekly_rollup_alone_is_found_and_repaired(engine, world):
    with engine.begin() as conn:
        conn.execute(text("UPDATE concern_week SET opened = opened + 1"))
    assert set(_drift(engine)) == {"concern_week"}
    with Session(engine) as s, s.begin():
        assert summaries.repair_summaries(session=s, progress=lambda _m: None) == ["concern_week"]
    assert _drift(engine) == {}


def test_check_summaries_prints_the_difference_and_exits_non_zero(engine, world, capsys):
    assert cli.main(["check-summaries"]) == 0
    assert "All summaries agree" in capsys.readouterr().out

    _load_bypassing_triggers(engine, world.staff_id, calls=3)
    assert cli.main(["check-summaries"]) == cli.DRIFT_FOUND
    out = capsys.readouterr().out
    # The day of the restored calls (10 November), no department, information-only: 1 row.
    assert "interaction_day: 1 differing row(s)" in out
    assert "day=2026-11-10, department_id=0, outcome=information-only" in out
    assert "interactions 0 (rows give 3)" in out
    assert "--repair" in out
    assert set(_drift(engine)) == {"interaction_day"}  # nothing changed without --repair

    assert cli.main(["check-summaries", "--repair"]) == cli.DRIFT_FOUND
    out = capsys.readouterr().out
    assert "Refilling interaction_day..." in out and "refilled in" in out
    assert "Repaired: interaction_day" in out
    assert _drift(engine) == {}
    assert cli.main(["check-summaries"]) == 0


def test_prepare_checks_the_summaries_cheaply_and_repairs_them(engine, world, capsys):
    cli.prepare("8501")
    assert "Summaries: totals agree" in capsys.readouterr().out
    _load_bypassing_triggers(engine, world.staff_id)
    cli.prepare("8501")
    out = capsys.readouterr().out
    assert "Summaries: totals differ" in out and "Refilling interaction_day" in out
    assert _drift(engine) == {}


def test_prepare_re_keys_the_summaries_to_the_facility_zone(engine, world, capsys):
    with Session(engine) as s, s.begin():
        summaries.ensure_summary_time_zone(session=s, tz_name="UTC")
    cli.prepare("8501")
    assert "rebuilt to count days in America/New_York" in capsys.readouterr().out
    with Session(engine) as s:
        assert summaries.summary_time_zone(session=s) == "America/New_York"


def test_a_dashboard_view_never_rebuilds_the_summaries(engine, world):
    from db.dashboard_queries import dashboard_numbers

    with Session(engine) as s, s.begin():
        summaries.ensure_summary_time_zone(session=s, tz_name="UTC")
    before = _version(engine)
    with Session(engine) as s, s.begin():
        numbers = dashboard_numbers(
            session=s,
            period=WEEK,
            comparison=WEEK.previous(),
            trend=WEEK,
            department_id=None,
            now=NOW,
        )
    assert numbers.summaries_tz == "UTC"  # the page warns; prepare re-keys
    assert _version(engine) == before
    with Session(engine) as s:
        assert summaries.summary_time_zone(session=s) == "UTC"


def test_refresh_refuses_a_table_that_is_not_a_summary(engine):
    with Session(engine) as s, pytest.raises(ValueError):
        summaries.refresh_summary(session=s, table="interaction")


def test_the_cheap_check_is_quiet_on_an_empty_database(engine):
    with Session(engine) as s:
        assert summaries.totals_differ(session=s) == []
