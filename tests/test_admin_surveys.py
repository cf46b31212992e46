"""Admin › Surveys: instruments and questions edited by an administrator, each change with its
admin-change audit row (before and after); a question with answers keeps its scale and code,
refused by the function and by the database; field-by-field messages with the input kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import admin_surveys as adm
from db import satisfaction as sat
from db.admin import NotAllowed
from db.models import AuditLog, SurveyQuestion
from db.validation import InvalidInput
from tests.satisfaction_world import NOW, add_answers, build_survey_world

PAGE = "pages/admin.py"
GOOD = adm.QuestionFields("FOOD", "How was the food?", 1, 5, "Poor..Excellent", 5, recovery_max=2)


@pytest.fixture
def world(session):
    w = build_survey_world(session)
    session.commit()
    return w


@pytest.fixture
def admin(make_staff):
    return make_staff("admin", username="ada")


def _changes(session, entity):
    return list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.action == "admin-change", AuditLog.entity == entity)
            .order_by(AuditLog.id)
        )
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "food"}, "code"),
        ({"code": "CSAT"}, "code"),  # the survey already has it
        ({"wording": "  "}, "wording"),
        ({"wording": "x" * 501}, "wording"),
        ({"scale_max": 1}, "scale_max"),
        ({"scale_min": -1}, "scale_min"),
        ({"top_box_min": 6}, "top_box_min"),
        ({"recovery_max": 0}, "recovery_max"),
        ({"is_likelihood_to_recommend": True}, "is_likelihood_to_recommend"),
        ({"scale_labels": "a\x00b"}, "scale_labels"),
    ],
)
def test_question_fields_are_checked_one_by_one(change, field):
    problems = adm.question_problems(replace(GOOD, **change), other_codes={"CSAT"})
    assert set(problems) == {field}
    assert adm.question_problems(GOOD, other_codes={"CSAT"}) == {}


def test_add_a_survey_and_questions_with_audit_rows(session, world, admin):
    instrument_id = adm.add_instrument(
        session=session, actor=admin, name="  Food   survey ", description="Meals."
    )
    question_id = adm.add_question(
        session=session, actor=admin, instrument_id=instrument_id, fields=GOOD
    )
    ltr = adm.add_question(
        session=session,
        actor=admin,
        instrument_id=instrument_id,
        fields=adm.QuestionFields(
            "LTR", "Would you recommend us?", 0, 10, "", 9, is_likelihood_to_recommend=True
        ),
    )
    session.commit()
    found = {i.name: i for i in sat.instruments(session=session)}["Food survey"]
    assert [q.id for q in found.questions] == [question_id, ltr]
    assert found.questions[0].recovery_max == 2 and found.questions[1].is_likelihood_to_recommend
    (added,) = _changes(session, "survey_instrument")
    assert added.detail["after"] == {"name": "Food survey", "description": "Meals.", "active": True}
    questions = _changes(session, "survey_question")
    assert questions[0].detail["after"]["code"] == "FOOD"
    assert questions[0].detail["before"] == {}
    with pytest.raises(InvalidInput) as refused:
        adm.add_instrument(session=session, actor=admin, name="food survey", description="")
    assert set(refused.value.errors) == {"name"}


def test_an_answered_question_keeps_its_scale_but_other_fields_change(session, world, admin):
    q = world.csat.questions[0]
    add_answers(session, world.csat, q.id, world.medicine, dt.date(2026, 11, 2), [5, 4, 1])
    session.commit()
    (stored,) = [
        s for i in adm.instruments_for_admin(session=session) for s in i.questions if s.id == q.id
    ]
    assert stored.answers == 3
    with pytest.raises(InvalidInput) as refused:
        adm.update_question(
            session=session,
            actor=admin,
            question_id=q.id,
            fields=replace(stored.fields, scale_max=7, code="CSAT2"),
        )
    assert set(refused.value.errors) == {"scale_max", "code"}
    assert "cannot change" in refused.value.errors["scale_max"]
    session.rollback()
    changed = replace(
        stored.fields,
        wording="How did we do?",
        top_box_min=4,
        recovery_max=1,
        scale_labels="Bad..Good",
    )
    assert adm.update_question(session=session, actor=admin, question_id=q.id, fields=changed)
    session.commit()
    (row,) = _changes(session, "survey_question")
    assert row.detail["before"] == {
        "wording": stored.fields.wording,
        "top_box_min": 5,
        "recovery_max": 2,
        "scale_labels": stored.fields.scale_labels,
    }
    assert row.detail["after"]["top_box_min"] == 4
    # the summaries recount top box by the new rule: 5 and 4 of 3 answers
    top = session.scalar(select(SurveyQuestion.top_box_min).where(SurveyQuestion.id == q.id))
    assert top == 4
    from db.summaries import summary_drift

    assert set(summary_drift(session=session).values()) == {0}
    # unchanged: no audit row
    assert not adm.update_question(session=session, actor=admin, question_id=q.id, fields=changed)


def test_an_unanswered_question_may_change_its_scale(session, world, admin):
    q = world.nps.questions[0]
    fields = adm.QuestionFields("NPS", "Recommend?", 1, 5, "", 5)
    assert adm.update_question(session=session, actor=admin, question_id=q.id, fields=fields)
    session.commit()
    assert session.get(SurveyQuestion, q.id).scale_max == 5


def test_a_survey_with_responses_gets_new_questions_and_is_deactivated(session, world, admin):
    q = world.csat.questions[0]
    add_answers(session, world.csat, q.id, world.medicine, dt.date(2026, 11, 2), [5])
    session.commit()
    adm.add_question(session=session, actor=admin, instrument_id=world.csat.id, fields=GOOD)
    assert adm.set_instrument_active(
        session=session, actor=admin, instrument_id=world.csat.id, active=False
    )
    session.commit()
    assert world.csat.id not in {i.id for i in sat.instruments(session=session)}
    row = _changes(session, "survey_instrument")[-1]
    assert row.detail == {
        "change": "deactivate survey",
        "before": {"active": True},
        "after": {"active": False},
    }


def test_only_admins_edit_surveys(session, world, make_staff):
    with pytest.raises(NotAllowed):
        adm.add_question(
            session=session,
            actor=make_staff("manager"),
            instrument_id=world.csat.id,
            fields=GOOD,
        )


# --- the Admin page's Surveys section --------------------------------------------------------


@pytest.fixture
def page_world(engine, clock):
    clock(NOW)
    with Session(engine) as s, s.begin():
        w = build_survey_world(s)
        q = w.csat.questions[0]
        add_answers(s, w.csat, q.id, w.medicine, dt.date(2026, 11, 2), [5, 2])
        return w


def _surveys(page_as, admin, world):
    at = page_as(PAGE, admin).run()
    at.segmented_control(key="admin_section").set_value("Surveys").run()
    assert not at.exception, at.exception
    csat = world.csat.id
    at.selectbox(key="admin_survey_pick").set_value(csat).run()
    assert not at.exception, at.exception
    return at


def test_page_shows_questions_and_locks_an_answered_scale(page_as, admin, page_world):
    at = _surveys(page_as, admin, page_world)
    table = at.dataframe[0].value
    assert list(table["Code"]) == ["CSAT"] and list(table["Answers"]) == [2]
    locked = [n for n in at.number_input if n.label in ("Lowest answer", "Highest answer")]
    assert [n.disabled for n in locked][:2] == [True, True]  # the answered question's form
    assert "2 answers: the code and the scale stay as they are." in [c.value for c in at.caption]


def test_page_adds_a_question_keeping_input_on_refusal(page_as, admin, page_world, engine):
    at = _surveys(page_as, admin, page_world)

    def new(label):
        return [w for w in (*at.text_input, *at.text_area, *at.number_input) if w.label == label][
            -1
        ]

    new("Code").input("CSAT")  # taken
    new("Question").input("How quickly did we call back?")
    new("Top box: answers from").set_value(9)
    at.button(key=next(b.key for b in at.button if b.label == "Add question")).click()
    at = at.run()
    assert not at.exception, at.exception
    messages = {e.value for e in at.error}
    assert "The survey already has a question CSAT." in messages
    assert "An answer on the scale, 1 to 5." in messages
    assert new("Question").value == "How quickly did we call back?"  # kept
    new("Code").input("CALLBACK")
    new("Top box: answers from").set_value(5)
    at.button(key=next(b.key for b in at.button if b.label == "Add question")).click()
    at = at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Question added."]
    with Session(engine) as s:
        codes = s.scalars(
            select(SurveyQuestion.code).where(SurveyQuestion.instrument_id == page_world.csat.id)
        ).all()
        assert sorted(codes) == ["CALLBACK", "CSAT"]
        assert _changes(s, "survey_question")[-1].detail["after"]["code"] == "CALLBACK"
