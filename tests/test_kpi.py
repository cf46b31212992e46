"""Every KPI of docs/metrics.md against small fixed data with hand-computed answers
(tests/dashboard_world.py), and the trigger-kept summaries against the raw rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from db import kpi, summaries
from db.models import Concern, ConcernIssue, Interaction, SurveyQuestion, SurveyResponse
from db.periods import Period
from db.sla import grievance_response_due_at
from tests.dashboard_world import (
    NOW,
    NY,
    TZ_NAME,
    WEEK,
    add_concern,
    add_interaction,
    build_world,
    local,
)

EMPTY = Period(dt.date(2025, 1, 6), dt.date(2025, 1, 13), TZ_NAME)


@pytest.fixture
def world(engine, make_staff):
    staff = make_staff("manager")
    with Session(engine) as s, s.begin():
        built = build_world(s, staff.id)
    return built


@pytest.fixture
def db(engine, world):
    with Session(engine) as s, s.begin():
        yield s


def test_interactions_count_local_days(db, world):
    assert kpi.interactions(session=db, period=WEEK) == kpi.KpiResult(5, None, 2, None)
    result = kpi.interactions(session=db, period=WEEK, department_id=world.cardiology)
    assert (result.value, result.previous_value) == (3, 1)
    assert result.change == 2


def test_first_contact_resolution_rate(db, world):
    result = kpi.first_contact_resolution_rate(session=db, period=WEEK)
    assert result == kpi.KpiResult(0.75, 4, 0.5, 2)
    cardiology = kpi.first_contact_resolution_rate(
        session=db, period=WEEK, department_id=world.cardiology
    )
    assert (cardiology.value, cardiology.denominator) == (1.0, 3)


def test_concerns_opened_total_and_by_type(db, world):
    assert kpi.concerns_opened(session=db, period=WEEK) == kpi.KpiResult(5, None, 2, None)
    by_type = kpi.concerns_opened_by_type(session=db, period=WEEK)
    assert {t: r.value for t, r in by_type.items()} == {
        "complaint": 2,
        "grievance": 1,
        "compliment": 1,
        "suggestion": 0,
        "inquiry": 1,
    }
    assert by_type["grievance"].previous_value == 2
    complaints = kpi.concerns_opened(session=db, period=WEEK, types=("complaint", "grievance"))
    assert complaints.value == 3


def test_on_time_rate_counts_resolution_exactly_at_due_time_as_on_time(db, world):
    result = kpi.on_time_resolution_rate(session=db, period=WEEK)
    # C1 early and C2 exactly at due_at are on time, C4 late, C3 (compliment) has no clock.
    assert result.denominator == 3
    assert result.value == pytest.approx(2 / 3)
    assert (result.previous_value, result.previous_denominator) == (0.5, 2)


def test_median_days_to_resolve_uses_elapsed_time_across_dst(db, world):
    result = kpi.median_days_to_resolve(session=db, period=WEEK)
    assert (result.value, result.denominator) == (pytest.approx(2.0), 4)
    # C7 took 3 days; C9 was opened in daylight time and resolved 8 days and 1 hour later.
    assert result.previous_value == pytest.approx((3 + 8 + 1 / 24) / 2)
    assert result.previous_denominator == 2


def test_grievance_response_compliance(db, world):
    result = kpi.grievance_response_compliance(session=db, period=WEEK, now=NOW)
    assert result == kpi.KpiResult(0.5, 2, 1.0, 1)


def test_grievance_window_matches_the_sla_clock(db, world):
    c9 = db.get(Concern, world.concerns["C9"])
    window_end = db.scalar(
        select(kpi.grievance_response_window_end(TZ_NAME)).where(Concern.id == c9.id)
    )
    assert window_end == grievance_response_due_at(c9.opened_at, NY)
    assert window_end - c9.opened_at == dt.timedelta(hours=169)


def test_grievance_windows_still_running_are_not_counted(db, world):
    # On Wednesday 11 November C8's window (ends Thursday 12th) is still running.
    wednesday = local(2026, 11, 11, 12)
    result = kpi.grievance_response_compliance(session=db, period=WEEK, now=wednesday)
    assert (result.value, result.denominator) == (1.0, 1)


def test_a_window_that_ended_earlier_today_counts(db, world):
    # Thursday 12 November 13:00: C8's window ended at 12:00 today, unanswered.
    result = kpi.grievance_response_compliance(session=db, period=WEEK, now=local(2026, 11, 12, 13))
    assert (result.value, result.denominator) == (0.5, 2)
    before_noon = kpi.grievance_response_compliance(
        session=db, period=WEEK, now=local(2026, 11, 12, 11, 59)
    )
    assert (before_noon.value, before_noon.denominator) == (1.0, 1)


def test_median_of_an_odd_number_and_by_department(db, world):
    # Cardiology resolved C1 (2 days) and C3 (half a day) this week; Emergency C2 and C4.
    cardiology = kpi.median_days_to_resolve(session=db, period=WEEK, department_id=world.cardiology)
    assert (cardiology.value, cardiology.denominator) == (pytest.approx(1.25), 2)
    # From Thursday 5 November: C7 (3 days), C1 (2), C3 (0.5), not C9 (resolved the 4th).
    eleven_days = Period(dt.date(2026, 11, 5), WEEK.end_day, TZ_NAME)
    odd = kpi.median_days_to_resolve(session=db, period=eleven_days, department_id=world.cardiology)
    assert (odd.value, odd.denominator) == (pytest.approx(2.0), 3)


def test_open_and_overdue_now_with_the_week_before(db, world):
    then = NOW - dt.timedelta(days=7)
    assert kpi.open_now(session=db, now=NOW, then=then) == kpi.KpiResult(3, None, 4, None)
    assert kpi.overdue_now(session=db, now=NOW, then=then) == kpi.KpiResult(2, None, 2, None)
    cardiology = kpi.open_now(session=db, now=NOW, department_id=world.cardiology)
    assert (cardiology.value, cardiology.previous_value) == (1, None)
    assert kpi.overdue_now(session=db, now=NOW, department_id=world.cardiology).value == 0


def test_net_promoter_score_only_from_likelihood_to_recommend(db, world):
    result = kpi.net_promoter_score(session=db, period=WEEK)
    assert result.value == pytest.approx(100 / 3)
    assert result.denominator == 3
    assert (result.previous_value, result.previous_denominator) == (0.0, 1)


def test_nps_ignores_a_0_to_10_question_that_is_not_likelihood_to_recommend(db, world):
    db.execute(
        update(SurveyQuestion)
        .where(SurveyQuestion.id == world.recommend_question)
        .values(is_likelihood_to_recommend=False)
    )
    result = kpi.net_promoter_score(session=db, period=WEEK)
    assert (result.value, result.denominator) == (None, 0)


def test_mean_score_and_top_box_per_question_and_instrument(db, world):
    mean = kpi.mean_score(session=db, period=WEEK, question_id=world.overall_question)
    assert (mean.value, mean.denominator) == (pytest.approx(11 / 3), 3)
    assert mean.previous_value == pytest.approx(3.0)
    top = kpi.top_box_rate(session=db, period=WEEK, question_id=world.overall_question)
    assert (top.value, top.denominator) == (pytest.approx(1 / 3), 3)
    instrument = kpi.mean_score(session=db, period=WEEK, instrument_id=world.instrument)
    assert (instrument.value, instrument.denominator) == (pytest.approx(6.0), 6)
    with pytest.raises(ValueError):
        kpi.mean_score(session=db, period=WEEK)


def test_top_box_follows_a_changed_rule(db, world):
    db.execute(
        update(SurveyQuestion)
        .where(SurveyQuestion.id == world.overall_question)
        .values(top_box_min=4)
    )
    top = kpi.top_box_rate(session=db, period=WEEK, question_id=world.overall_question)
    assert top.value == pytest.approx(2 / 3)


def test_complaints_per_thousand_encounters_only_where_volumes_cover_the_period(db, world):
    result = kpi.complaints_per_thousand_encounters(session=db, period=WEEK)
    # Cardiology: C1 over 3000 x 7/30 = 700 encounters. Emergency has no volumes: left out.
    assert result.value == pytest.approx(1000 / 700)
    assert result.denominator == 700
    assert result.previous_value == pytest.approx(1000 / 700)  # C7 in the week before
    emergency = kpi.complaints_per_thousand_encounters(
        session=db, period=WEEK, department_id=world.emergency
    )
    assert (emergency.value, emergency.denominator) == (None, 0)
    # A period reaching into October, for which there are no volumes, shows no rate.
    two_months = Period(dt.date(2026, 10, 26), dt.date(2026, 11, 9), TZ_NAME)
    partial = kpi.complaints_per_thousand_encounters(session=db, period=two_months)
    assert (partial.value, partial.denominator) == (None, 0)


def test_an_empty_period_has_zero_counts_and_no_rates(db, world):
    assert kpi.interactions(session=db, period=EMPTY) == kpi.KpiResult(0, None, 0, None)
    assert kpi.concerns_opened(session=db, period=EMPTY).value == 0
    for function in (
        kpi.first_contact_resolution_rate,
        kpi.on_time_resolution_rate,
        kpi.median_days_to_resolve,
        kpi.grievance_response_compliance,
        kpi.net_promoter_score,
        kpi.complaints_per_thousand_encounters,
    ):
        result = function(session=db, period=EMPTY)
        assert (result.value, result.denominator) == (None, 0), function.__name__
        assert (result.previous_value, result.previous_denominator) == (None, 0)
        assert result.change is None


def test_period_across_spring_forward(engine, make_staff):
    staff = make_staff("manager")
    week = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 9), TZ_NAME)
    assert week.end - week.start == dt.timedelta(hours=167)
    with Session(engine) as s, s.begin():
        for when in (
            local(2026, 3, 1, 23, 59),  # Sunday before: out
            local(2026, 3, 2, 0, 0),  # Monday 00:00 EST: in
            local(2026, 3, 8, 23, 30),  # Sunday 23:30 EDT = Monday 03:30 UTC: in
            local(2026, 3, 9, 0, 0),  # Monday 00:00 EDT = 04:00 UTC: out
        ):
            add_interaction(s, staff.id, when, None, "information-only")
        add_concern(
            s,
            staff.id,
            type="complaint",
            severity="low",
            department_id=None,
            opened_at=local(2026, 3, 7, 12),
            due_at=local(2026, 3, 21, 12),
            resolved_at=local(2026, 3, 8, 12),
        )
    with Session(engine) as s:
        assert kpi.interactions(session=s, period=week).value == 2
        median = kpi.median_days_to_resolve(session=s, period=week)
        assert median.value == pytest.approx(23 / 24)  # a 23-hour day


def test_period_across_fall_back(engine, make_staff):
    staff = make_staff("manager")
    week = Period(dt.date(2026, 10, 26), dt.date(2026, 11, 2), TZ_NAME)
    assert week.end - week.start == dt.timedelta(hours=169)
    with Session(engine) as s, s.begin():
        for when in (
            local(2026, 10, 26, 0, 0),  # Monday 00:00 EDT: in
            local(2026, 11, 1, 1, 30),  # the first 01:30 (EDT): in
            local(2026, 11, 1, 23, 30),  # Sunday 23:30 EST = Monday 04:30 UTC: in
            local(2026, 11, 2, 0, 0),  # Monday 00:00 EST: out
        ):
            add_interaction(s, staff.id, when, None, "information-only")
    with Session(engine) as s:
        assert kpi.interactions(session=s, period=week).value == 3


def _assert_no_drift(engine):
    with Session(engine) as s:
        assert summaries.summary_drift(session=s) == dict.fromkeys(summaries.SUMMARY_KEYS, 0)


def test_summaries_follow_every_kind_of_write(engine, world):
    _assert_no_drift(engine)
    with Session(engine) as s, s.begin():
        # Escalated to another department and reopened.
        s.execute(
            update(Concern)
            .where(Concern.id == world.concerns["C1"])
            .values(
                department_id=world.emergency,
                status="in_progress",
                resolved_at=None,
                resolution=None,
                version=Concern.version + 1,
            )
        )
        # An issue recoded and another removed.
        s.execute(
            update(ConcernIssue)
            .where(ConcernIssue.concern_id == world.concerns["C4"])
            .values(category_id=world.categories["environment"])
        )
        s.execute(
            delete(ConcernIssue).where(
                ConcernIssue.concern_id == world.concerns["C1"], ConcernIssue.position == 2
            )
        )
        # A call re-dated and one deleted; a survey response moved and one deleted.
        first = s.scalar(select(Interaction.id).order_by(Interaction.id).limit(1))
        s.execute(
            update(Interaction)
            .where(Interaction.id == first)
            .values(occurred_at=local(2026, 11, 1, 9), outcome="information-only")
        )
        s.execute(delete(Interaction).where(Interaction.id == first + 3))
        responses = list(s.scalars(select(SurveyResponse.id).order_by(SurveyResponse.id)))
        s.execute(
            update(SurveyResponse)
            .where(SurveyResponse.id == responses[0])
            .values(department_id=world.emergency, responded_on=dt.date(2026, 11, 10))
        )
        s.execute(delete(SurveyResponse).where(SurveyResponse.id == responses[1]))
        s.execute(
            update(SurveyQuestion)
            .where(SurveyQuestion.id == world.overall_question)
            .values(top_box_min=3)
        )
    _assert_no_drift(engine)
    with Session(engine) as s, s.begin():
        # A concern deleted with its issues (one without timeline events can be).
        doomed = add_concern(
            s,
            world.staff_id,
            type="suggestion",
            severity="low",
            department_id=world.cardiology,
            opened_at=local(2026, 11, 12, 9),
            due_at=local(2026, 11, 26, 9),
            issues=(world.categories["quality"], world.categories["safety"]),
        ).id
    _assert_no_drift(engine)
    with Session(engine) as s, s.begin():
        s.execute(delete(Concern).where(Concern.id == doomed))
    _assert_no_drift(engine)


def test_a_rolled_back_write_leaves_the_summaries_alone(engine, world):
    before_version = _version(engine)
    with Session(engine) as s:
        add_interaction(s, world.staff_id, local(2026, 11, 10, 9), None, "information-only")
        s.rollback()
    _assert_no_drift(engine)
    with Session(engine) as s:
        assert kpi.interactions(session=s, period=WEEK).value == 5
    assert _version(engine) >= before_version


def _version(engine) -> int:
    with Session(engine) as s:
        return kpi.data_version(session=s)


def test_every_write_moves_the_data_version(engine, world):
    before = _version(engine)
    with Session(engine) as s, s.begin():
        add_interaction(s, world.staff_id, local(2026, 11, 10, 9), None, "information-only")
    assert _version(engine) > before


def test_a_new_facility_time_zone_rebuilds_the_summaries(engine, world):
    with Session(engine) as s, s.begin():
        assert not summaries.ensure_summary_time_zone(session=s, tz_name=TZ_NAME)
        assert summaries.ensure_summary_time_zone(session=s, tz_name="UTC")
    _assert_no_drift(engine)
    utc_week = Period(WEEK.first_day, WEEK.end_day, "UTC")
    with Session(engine) as s, s.begin():
        # In UTC the Sunday 23:30 call moves out to Monday 16th and the call at 23:59 on
        # Sunday 8th moves in: still 5 this week, but only 1 the week before.
        assert kpi.interactions(session=s, period=utc_week) == kpi.KpiResult(5, None, 1, None)
        assert summaries.ensure_summary_time_zone(session=s, tz_name=TZ_NAME)
        assert kpi.interactions(session=s, period=WEEK).value == 5


def test_rebuild_gives_the_same_summaries(engine, world):
    with Session(engine) as s:
        before = s.execute(text("SELECT * FROM concern_day ORDER BY 1, 2, 3")).all()
    with Session(engine) as s, s.begin():
        summaries.rebuild_summaries(session=s)
    with Session(engine) as s:
        after = s.execute(text("SELECT * FROM concern_day ORDER BY 1, 2, 3")).all()
    assert before == after and before


def test_a_statement_inserting_many_rows_is_summarised_once(engine, world):
    # COPY-style bulk loads arrive as one statement: the statement trigger sees them together.
    with Session(engine) as s, s.begin():
        s.execute(
            text(
                "INSERT INTO interaction (occurred_at, channel, direction, summary, outcome, "
                "logged_by, client_submission_id) "
                "SELECT TIMESTAMPTZ '2026-11-10 15:00+00' + g * interval '1 minute', 'phone', "
                "'inbound', 'bulk', 'information-only', :staff, gen_random_uuid() "
                "FROM generate_series(1, 500) g"
            ),
            {"staff": world.staff_id},
        )
    _assert_no_drift(engine)
    with Session(engine) as s:
        assert kpi.interactions(session=s, period=WEEK).value == 505


def test_weekly_rollups_give_the_same_numbers_as_raw_rows_for_any_period(engine, world):
    import random

    with Session(engine) as s, s.begin():
        # Three calls a day for four months, at 00:30, 12:00 and 23:30 local time; the ones
        # that "opened a concern" point at C1.
        s.execute(
            text(
                "INSERT INTO interaction (occurred_at, channel, direction, department_id, summary,"
                " outcome, concern_id, logged_by, client_submission_id) "
                "SELECT at_local AT TIME ZONE 'America/New_York', 'phone', 'inbound',"
                " 1 + n % 2, 'x', outcome,"
                " CASE WHEN outcome = 'concern-opened' THEN CAST(:concern AS bigint) END,"
                " :staff, gen_random_uuid() "
                "FROM (SELECT d + t AS at_local, extract(doy FROM d)::int AS n,"
                " (ARRAY['resolved-first-contact', 'concern-opened', 'information-only'])"
                "[1 + extract(doy FROM d)::int % 3] AS outcome"
                " FROM generate_series(DATE '2026-09-01', DATE '2026-12-31', interval '1 day') d,"
                " unnest(ARRAY[interval '30 minutes', interval '12 hours',"
                " interval '23 hours 30 minutes']) t) AS calls"
            ),
            {"staff": world.staff_id, "concern": world.concerns["C1"]},
        )
    _assert_no_drift(engine)
    rng = random.Random(7)
    with Session(engine) as s:
        for _ in range(25):
            first = dt.date(2026, 9, 1) + dt.timedelta(days=rng.randrange(0, 100))
            period = Period(first, first + dt.timedelta(days=rng.randrange(1, 40)), TZ_NAME)
            previous = Period(
                period.first_day - dt.timedelta(days=period.days),
                period.first_day - dt.timedelta(days=rng.choice([0, 0, 3])),
                TZ_NAME,
            )
            department = rng.choice([None, world.cardiology])
            raw = [
                s.scalar(
                    select(func.count()).where(
                        Interaction.occurred_at >= p.start,
                        Interaction.occurred_at < p.end,
                        Interaction.department_id == department
                        if department
                        else Interaction.id.is_not(None),
                    )
                )
                for p in (period, previous)
            ]
            result = kpi.interactions(
                session=s, period=period, previous=previous, department_id=department
            )
            assert (result.value, result.previous_value) == tuple(raw), (period, previous)
