"""The Satisfaction page in AppTest: hand-computed tiles, filters in the URL, signals named
under the chart, departments never ranked below n = 30, presentation mode without comments or
patient identifiers, roles, and a response entered by hand opening a recovery concern."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Concern, Patient, SurveyResponse
from tests.helpers import rendered_text
from tests.satisfaction_world import NOW, add_answers, build_survey_world

PAGE = "pages/satisfaction.py"
WEEK = dt.date(2026, 11, 16)  # Monday of NOW's week


@pytest.fixture
def world(engine, clock):
    clock(NOW)
    with Session(engine) as s, s.begin():
        w = build_survey_world(s)
        patient = Patient(mrn="MRN-778899", family_name="Quigley", given_name="Zelda")
        s.add(patient)
        s.flush()
        q = w.csat.questions[0]
        # 26 weeks of steady answers, then the last 8 weeks clearly better: a shift.
        for i in range(26):
            monday = WEEK - dt.timedelta(weeks=25 - i)
            values = [5, 5, 4, 3, 5, 4] if i < 18 else [5, 5, 5, 5, 5, 4]
            add_answers(s, w.csat, q.id, w.medicine, monday, values * 6)
        add_answers(s, w.csat, q.id, w.surgery, WEEK, [5, 1])
        (rid,) = add_answers(
            s,
            w.csat,
            q.id,
            w.surgery,
            WEEK + dt.timedelta(days=1),
            [2],
            comment="Zelda Quigley waited four hours",
        )
        s.get(SurveyResponse, rid).patient_id = patient.id
        return w


def _open(page_as, staff, **params):
    at = page_as(PAGE, staff)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_manager_sees_hand_computed_tiles_and_signals(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"), survey=str(world.csat.id), period="this_week")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # this week: Medicine 36 answers (five 5s and one 4, six times), Surgery 5, 1, 2
    assert metrics["Top-box %"] == f"{100 * (30 + 1) / 39:.1f}%"
    assert metrics["Mean score"] == f"{(6 * 29 + 5 + 1 + 2) / 39:.2f}"
    text = rendered_text(at)
    assert "of 39 answers" in text
    assert "unadjusted (not HCAHPS-adjusted for patient mix)" in text
    signals = [t.value for t in at.text]
    assert any("weeks above the mean" in s and "improvement" in s for s in signals), signals
    assert "Latest week: Special cause: improvement" in text


def test_filters_live_in_the_url(page_as, make_staff, world):
    q = world.csat.questions[0]
    at = _open(
        page_as,
        make_staff("manager"),
        survey=str(world.csat.id),
        question=str(q.id),
        measure="mean",
        dept=str(world.medicine),
        trend="13",
    )
    assert not at.exception
    assert at.query_params["question"] == [str(q.id)] or at.query_params["question"] == str(q.id)
    assert at.selectbox(key="sat_dept").value == world.medicine
    assert at.selectbox(key="sat_trend").value == 13
    assert at.selectbox(key=f"sat_measure_{world.csat.id}_{q.id}").value == "mean"
    assert "Mean score per week" in rendered_text(at)


def test_small_departments_are_never_ranked(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"), survey=str(world.csat.id), period="this_week")
    table = at.dataframe[0].value
    ranks = dict(zip(table["Department"], table["Rank"], strict=True))
    assert ranks == {"Medicine": "1", "Surgery": "—"}
    assert "too few responses to judge" in set(table["Funnel (99.8%)"])


@pytest.mark.parametrize("who", ["manager presenting", "leadership"])
def test_presentation_mode_shows_no_comments_or_patients(page_as, make_staff, world, who):
    if who == "leadership":
        at = _open(page_as, make_staff("leadership"), survey=str(world.csat.id))
    else:
        at = _open(page_as, make_staff("manager"), survey=str(world.csat.id), present="1")
    assert not at.exception
    text = rendered_text(at)
    assert "Top-box %" in text  # the walk saw the page
    for secret in ("waited four hours", "Zelda", "Quigley", "778899"):
        assert secret not in text
    assert "Import a file" not in text  # no editing controls


def test_manager_sees_comments_as_plain_text(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"), survey=str(world.csat.id))
    comments = at.dataframe[1].value
    assert "Zelda Quigley waited four hours" in set(comments["comment"])


@pytest.mark.parametrize("typed", ["wait\x00", "x" * 201])
def test_a_refused_comment_search_says_why_and_keeps_the_text(page_as, make_staff, world, typed):
    at = _open(page_as, make_staff("manager"), survey=str(world.csat.id))
    at.text_input(key="sat_comment_search").input(typed).run()
    assert not at.exception
    assert at.text_input(key="sat_comment_search").value == typed
    assert any("NUL" in e.value or "At most 200" in e.value for e in at.error)


def test_executive_cannot_open_the_page(page_as, make_staff, world):
    at = _open(page_as, make_staff("executive"))
    assert "Top-box %" not in rendered_text(at)


def test_response_entered_by_hand_opens_a_recovery_concern(page_as, make_staff, world, engine):
    q = world.csat.questions[0]
    at = _open(
        page_as, make_staff("manager"), survey=str(world.csat.id), section="Enter a response"
    )
    assert not at.exception
    at.selectbox(key="entry_department").set_value(world.surgery)
    at.selectbox(key=f"entry_answer_{q.id}").set_value(1)
    at.text_area(key="entry_comment").input("Nobody answered the phone")
    at.button[0].click().run()
    assert not at.exception
    assert any("Service-recovery concern" in s.value for s in at.success)
    with Session(engine) as s:
        concern = s.scalar(select(Concern).where(Concern.source_survey_response_id.is_not(None)))
        assert concern is not None and "Nobody answered the phone" in concern.summary


def test_entry_refused_keeps_the_input(page_as, make_staff, world, engine):
    q = world.csat.questions[0]
    at = _open(
        page_as, make_staff("manager"), survey=str(world.csat.id), section="Enter a response"
    )
    at.selectbox(key=f"entry_answer_{q.id}").set_value(4)
    at.text_area(key="entry_comment").input("Kept after refusal")
    at.button[0].click().run()
    assert any("department" in e.value for e in at.error)
    assert at.text_area(key="entry_comment").value == "Kept after refusal"
    with Session(engine) as s:
        before = s.scalar(select(func.count()).select_from(SurveyResponse))
    assert before == 26 * 36 + 3


def test_custom_dates_from_the_url(page_as, make_staff, world):
    at = _open(
        page_as,
        make_staff("manager"),
        survey=str(world.csat.id),
        period="custom",
        **{"from": "2026-11-16", "to": "2026-11-17"},
    )
    assert not at.exception
    assert at.date_input(key="sat_from").value == dt.date(2026, 11, 16)
    assert at.date_input(key="sat_to").value == dt.date(2026, 11, 17)
    # Medicine's 36 answers on Monday, Surgery's 5, 1 and the 2 on Tuesday
    assert "of 39 answers" in rendered_text(at)
    assert at.query_params["period"] == "custom"


def test_custom_dates_the_wrong_way_round_keep_the_input_and_say_so(page_as, make_staff, world):
    at = _open(
        page_as,
        make_staff("manager"),
        survey=str(world.csat.id),
        period="custom",
        **{"from": "2026-11-17", "to": "2026-11-10"},
    )
    assert not at.exception
    assert [e.value for e in at.error] == ["The last day must be on or after the first day."]
    assert at.date_input(key="sat_to").value == dt.date(2026, 11, 10)  # as typed
    assert at.query_params["to"] == "2026-11-10"
    assert not at.metric  # no scores for dates that make no period
    at.date_input(key="sat_to").set_value(dt.date(2026, 11, 20)).run()
    assert not at.error and at.metric
    assert at.query_params["to"] == "2026-11-20"


def test_choosing_custom_starts_from_the_days_on_screen(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"), survey=str(world.csat.id), period="this_week")
    at.selectbox(key="sat_period").set_value("custom").run()
    assert not at.exception
    assert at.date_input(key="sat_from").value == WEEK
    assert at.date_input(key="sat_to").value == WEEK + dt.timedelta(days=6)
    assert at.query_params["from"] == WEEK.isoformat()
