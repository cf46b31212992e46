"""Satisfaction queries on hand-computed data: weekly mean, top box, NPS, per department,
empty weeks, the period tiles from the KPI layer, comments, entry by hand, service recovery."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from db import satisfaction as sat
from db.models import Concern, Interaction
from db.periods import Period
from db.validation import InvalidInput
from tests.satisfaction_world import NOW, TODAY, TZ_NAME, add_answers, build_survey_world

TZ = ZoneInfo(TZ_NAME)
MON = dt.date(2026, 11, 2)  # Monday of 2026-W45
THREE_WEEKS = Period(MON, MON + dt.timedelta(days=21), TZ_NAME)


@pytest.fixture
def world(session):
    w = build_survey_world(session)
    session.commit()
    return w


def test_seeded_instruments_are_data(world):
    csat = world.csat.questions[0]
    assert (csat.scale_min, csat.scale_max, csat.top_box_min, csat.recovery_max) == (1, 5, 5, 2)
    ltr = world.nps.questions[0]
    assert ltr.is_likelihood_to_recommend and ltr.recovery_max == 6 and ltr.top_box_text == "9–10"
    codes = [q.code for q in world.hcahps.questions]
    assert codes[:5] == [
        "NURSE_COMMUNICATION",
        "DOCTOR_COMMUNICATION",
        "RESPONSIVENESS",
        "CLEANLINESS",
        "QUIETNESS",
    ]
    recommend = world.q(world.hcahps, "WOULD_RECOMMEND")
    assert (recommend.scale_max, recommend.top_box_min) == (4, 4)
    assert not recommend.is_likelihood_to_recommend
    assert world.q(world.hcahps, "OVERALL_RATING").top_box_min == 9


def test_seeding_twice_adds_nothing(session, world):
    assert sat.seed_standard_instruments(session=session) == 0


def test_weekly_mean_top_box_and_empty_week(session, world):
    q = world.csat.questions[0]
    add_answers(session, world.csat, q.id, world.medicine, MON, [5, 4, 3, 5])
    add_answers(session, world.csat, q.id, world.surgery, MON + dt.timedelta(days=6), [1])
    add_answers(session, world.csat, q.id, world.medicine, MON + dt.timedelta(days=14), [2, 5])
    session.commit()
    means = sat.weekly_mean_score(session=session, trend=THREE_WEEKS, question_id=q.id)
    assert [w.label for w in means] == ["2026-W45", "2026-W46", "2026-W47"]
    assert [w.n for w in means] == [5, 0, 2]
    assert means[0].value == pytest.approx(18 / 5)
    assert means[1].value is None  # an empty week is "—", not 0
    assert means[2].value == pytest.approx(3.5)
    top = sat.weekly_top_box_rate(session=session, trend=THREE_WEEKS, question_id=q.id)
    assert [(w.successes, w.n) for w in top] == [(2, 5), (0, 0), (1, 2)]
    assert top[0].value == pytest.approx(0.4)
    assert top[1].interval is None
    low, high = top[0].interval
    assert low < 0.4 < high
    medicine = sat.weekly_top_box_rate(
        session=session, trend=THREE_WEEKS, question_id=q.id, department_id=world.medicine
    )
    assert [(w.successes, w.n) for w in medicine] == [(2, 4), (0, 0), (1, 2)]


def test_instrument_wide_series_pools_its_questions(session, world):
    nurse = world.q(world.hcahps, "NURSE_COMMUNICATION")
    rating = world.q(world.hcahps, "OVERALL_RATING")
    add_answers(session, world.hcahps, nurse.id, world.medicine, MON, [4, 3])
    add_answers(session, world.hcahps, rating.id, world.medicine, MON, [10, 6])
    session.commit()
    (week, *_) = sat.weekly_top_box_rate(
        session=session, trend=THREE_WEEKS, instrument_id=world.hcahps.id
    )
    assert (week.successes, week.n) == (2, 4)  # 4 of 1-4 and 10 of 0-10 are top box


def test_nps_only_from_likelihood_to_recommend(session, world):
    ltr = world.nps.questions[0]
    rating = world.q(world.hcahps, "OVERALL_RATING")
    add_answers(session, world.nps, ltr.id, world.medicine, MON, [10, 9, 8, 7, 6, 0])
    add_answers(session, world.hcahps, rating.id, world.medicine, MON, [0, 0, 0])
    session.commit()
    (week, *_) = sat.weekly_net_promoter_score(session=session, trend=THREE_WEEKS)
    assert week.n == 6
    assert week.value == pytest.approx(100 * (2 - 2) / 6)
    add_answers(session, world.nps, ltr.id, world.medicine, MON, [10, 10])
    session.commit()
    (week, *_) = sat.weekly_net_promoter_score(session=session, trend=THREE_WEEKS)
    assert week.value == pytest.approx(100 * (4 - 2) / 8)
    (other, *_) = sat.weekly_net_promoter_score(
        session=session, trend=THREE_WEEKS, question_id=rating.id
    )
    assert other.n == 0 and other.value is None


def test_period_scores_come_from_the_kpi_layer(session, world):
    ltr = world.nps.questions[0]
    add_answers(session, world.nps, ltr.id, world.medicine, MON + dt.timedelta(days=7), [10, 5])
    add_answers(session, world.nps, ltr.id, world.medicine, MON, [9])
    session.commit()
    week = Period(MON + dt.timedelta(days=7), MON + dt.timedelta(days=14), TZ_NAME)
    scores = sat.period_scores(
        session=session,
        period=week,
        previous=week.previous(),
        department_id=None,
        question=ltr,
        instrument_id=world.nps.id,
    )
    assert (scores.mean.value, scores.mean.denominator) == (7.5, 2)
    assert (scores.top_box.value, scores.top_box.denominator) == (0.5, 2)
    assert scores.nps.value == pytest.approx(0.0)
    assert scores.nps.previous_value == pytest.approx(100.0)
    csat = sat.period_scores(
        session=session,
        period=week,
        previous=week.previous(),
        department_id=None,
        question=world.csat.questions[0],
        instrument_id=world.csat.id,
    )
    assert csat.nps is None and csat.mean.value is None and csat.mean.denominator == 0


def test_scores_by_department(session, world):
    q = world.csat.questions[0]
    add_answers(session, world.csat, q.id, world.medicine, MON, [5] * 30 + [3] * 10)
    add_answers(session, world.csat, q.id, world.surgery, MON, [5, 1])
    session.commit()
    rows = sat.scores_by_department(session=session, period=THREE_WEEKS, question_id=q.id)
    by_name = {r.name: r for r in rows}
    assert (by_name["Medicine"].n, by_name["Medicine"].top_box) == (40, 30)
    assert by_name["Medicine"].mean == pytest.approx((150 + 30) / 40)
    assert by_name["Medicine"].reliable and not by_name["Surgery"].reliable


def test_comments_search_and_junk(session, world):
    q = world.csat.questions[0]
    add_answers(session, world.csat, q.id, world.medicine, MON, [4], comment="Parking was *awful*")
    add_answers(session, world.csat, q.id, world.surgery, MON, [5], comment="Lovely nurses")
    session.commit()
    found = sat.recent_comments(session=session, period=THREE_WEEKS, instrument_id=world.csat.id)
    assert {c.comment for c in found} == {"Parking was *awful*", "Lovely nurses"}
    only = sat.recent_comments(
        session=session, period=THREE_WEEKS, instrument_id=world.csat.id, search="park"
    )
    assert [c.comment for c in only] == ["Parking was *awful*"]
    percent = sat.recent_comments(
        session=session, period=THREE_WEEKS, instrument_id=world.csat.id, search="%"
    )
    assert percent == []
    for junk in ("NULL", "#NAME?", "  ", "N/A", None):
        assert sat.clean_comment(junk) is None
    assert sat.clean_comment("  fine ") == "fine"


def _entry(world, **kw):
    q = world.csat.questions[0]
    base = {
        "instrument_id": world.csat.id,
        "department_id": world.medicine,
        "responded_on": TODAY,
        "answers": {q.id: 4},
    }
    base.update(kw)
    return sat.ResponseEntry(**base)


def test_entry_refuses_field_by_field(session, world, make_staff):
    manager = make_staff("manager")
    q = world.csat.questions[0]
    with pytest.raises(InvalidInput) as refused:
        sat.save_response(
            session=session,
            staff=manager,
            entry=_entry(
                world,
                department_id=None,
                responded_on=TODAY + dt.timedelta(days=1),
                answers={q.id: 7},
            ),
            tz=TZ,
            now=NOW,
        )
    assert set(refused.value.errors) == {"department_id", "responded_on", f"answer.{q.id}"}
    with pytest.raises(PermissionError):
        sat.save_response(
            session=session, staff=make_staff("leadership"), entry=_entry(world), tz=TZ, now=NOW
        )


def test_low_score_with_comment_opens_one_recovery_concern(session, world, make_staff):
    manager = make_staff("manager")
    q = world.csat.questions[0]
    response_id, concerns = sat.save_response(
        session=session,
        staff=manager,
        entry=_entry(world, answers={q.id: 2}, comment="Nobody called me back"),
        tz=TZ,
        now=NOW,
    )
    session.commit()
    (concern_id,) = concerns
    concern = session.get(Concern, concern_id)
    assert concern.type == "complaint" and concern.source_survey_response_id == response_id
    assert concern.due_at > NOW  # due by the SLA rules
    assert concern.status == "new"
    channel = session.scalar(
        select(Interaction.channel).where(Interaction.id == concern.opened_by_interaction_id)
    )
    assert channel == "survey-comment"
    assert sat.service_recovery_concern(session=session, response_id=response_id) == concern_id
    # opening it again for the same response returns the first concern, never a second one
    again = sat.open_service_recovery(
        session=session,
        staff=manager,
        response_id=response_id,
        department_id=world.medicine,
        patient_id=None,
        question=q,
        answer=2,
        comment="Nobody called me back",
        tz=TZ,
        now=NOW,
    )
    session.commit()
    assert again == concern_id
    assert session.scalar(select(func.count()).select_from(Concern)) == 1


@pytest.mark.parametrize(
    ("answer", "comment", "opens"),
    [(2, "Rude", True), (3, "Rude", False), (1, "", False), (1, "NULL", False)],
)
def test_recovery_threshold(session, world, make_staff, answer, comment, opens):
    q = world.csat.questions[0]
    _, concerns = sat.save_response(
        session=session,
        staff=make_staff("manager"),
        entry=_entry(world, answers={q.id: answer}, comment=comment),
        tz=TZ,
        now=NOW,
    )
    assert bool(concerns) is opens
