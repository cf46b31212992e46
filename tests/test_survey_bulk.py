"""The bulk paths of a survey import: the database's own scale check per statement (as the
app's role, for INSERT, COPY and UPDATE), a used question's scale fixed, summaries equal to the
raw rows after COPY, COPY's text escaping, and the batch form of the concern-opening path giving
exactly what one-by-one gives."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import psycopg2.errors
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db import satisfaction as sat
from db import survey_import as imp
from db.intake import log_interactions
from db.models import AuditLog, Concern, ConcernEvent, Interaction, SurveyResponse
from db.summaries import summary_drift
from db.validation import InvalidInput
from tests.satisfaction_world import NOW, TZ_NAME, add_answers, build_survey_world

TZ = ZoneInfo(TZ_NAME)
DAY = dt.date(2026, 11, 2)


@pytest.fixture
def world(session):
    w = build_survey_world(session)
    session.commit()
    return w


@pytest.fixture
def app_engine(engine, app_database_url):
    app = create_engine(app_database_url)
    yield app
    app.dispose()


def _response(conn, world, response_id: int) -> None:
    conn.execute(
        text(
            "INSERT INTO survey_response (id, instrument_id, department_id, responded_on) "
            "VALUES (:id, :i, :d, :day)"
        ),
        {"id": response_id, "i": world.csat.id, "d": world.medicine, "day": DAY},
    )


@pytest.mark.parametrize("value", [0, 6, -1, 5.5])
def test_the_database_refuses_an_out_of_scale_answer_from_the_app_role(app_engine, world, value):
    q = world.csat.questions[0]  # 1..5
    with app_engine.connect() as conn, pytest.raises(DBAPIError, match="outside the scale"):
        _response(conn, world, 1)
        conn.execute(text("INSERT INTO survey_answer VALUES (1, :q, :v)"), {"q": q.id, "v": value})


def test_one_bad_answer_refuses_the_whole_statement(app_engine, engine, world):
    q = world.csat.questions[0]
    with app_engine.connect() as conn:
        _response(conn, world, 1)
        _response(conn, world, 2)
        conn.commit()
        with pytest.raises(DBAPIError, match="outside the scale"):
            conn.execute(
                text("INSERT INTO survey_answer VALUES (1, :q, 3), (2, :q, 9)"), {"q": q.id}
            )
        conn.rollback()
        with pytest.raises(psycopg2.errors.CheckViolation, match="outside the scale"):
            conn.connection.cursor().copy_expert(
                "COPY survey_answer FROM STDIN", io.StringIO(f"1\t{q.id}\t3\n2\t{q.id}\t0\n")
            )
        conn.connection.rollback()  # the COPY ran on the driver's cursor
        conn.execute(text("INSERT INTO survey_answer VALUES (1, :q, 3)"), {"q": q.id})
        conn.commit()
        with pytest.raises(DBAPIError, match="outside the scale"):
            conn.execute(text("UPDATE survey_answer SET value = 7"))
        conn.rollback()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT response_id, value FROM survey_answer")).all() == [(1, 3)]


def test_a_used_questions_scale_cannot_change(app_engine, session, world):
    used, unused = world.csat.questions[0], world.nps.questions[0]
    add_answers(session, world.csat, used.id, world.medicine, DAY, [4])
    session.commit()
    with app_engine.connect() as conn:
        with pytest.raises(DBAPIError, match="its scale 1..5 cannot change"):
            conn.execute(
                text("UPDATE survey_question SET scale_max = 7 WHERE id = :q"), {"q": used.id}
            )
        conn.rollback()
        # labels, top box and threshold may change; an unused question's scale too
        conn.execute(
            text(
                "UPDATE survey_question SET scale_labels = 'Poor..Excellent', top_box_min = 4 "
                "WHERE id = :q"
            ),
            {"q": used.id},
        )
        conn.execute(
            text(
                "UPDATE survey_question SET scale_min = 0, scale_max = 10, top_box_min = 9, "
                "is_likelihood_to_recommend = false WHERE id = :q"
            ),
            {"q": unused.id},
        )
        conn.commit()


def _vendor_file(rows: list[list[str]]) -> bytes:
    header = "SurveyID\tDepartment\tDate\tQ_OVERALL\tQ_LTR\tComment\n"
    return (header + "".join("\t".join(r) + "\n" for r in rows)).encode()


def _mapping(world) -> imp.Mapping:
    return imp.Mapping(
        instrument_id=world.hcahps.id,
        department_column="Department",
        date_column="Date",
        questions={"Q_OVERALL": "OVERALL_RATING", "Q_LTR": "WOULD_RECOMMEND"},
        external_id_column="SurveyID",
        comment_column="Comment",
    )


def test_copy_keeps_backslashes_tabs_and_line_ends_and_summaries_match(session, world, make_staff):
    comment = 'C:\\temp\\new "quoted"\ttab\r\nsecond line \\N'
    data = (
        "SurveyID,Department,Date,Q_OVERALL,Q_LTR,Comment\r\n"
        + "".join(
            f"S{i},{'Medicine' if i % 2 else 'Surgery'},2026-11-0{1 + i % 5},{i % 11},"
            f'{1 + i % 4},"{comment.replace(chr(34), chr(34) * 2) if i == 3 else ""}"\r\n'
            for i in range(40)
        )
        + "S\\N,Medicine,2026-11-02,9,4,\r\n"
    ).encode()
    result = imp.import_file(
        session=session,
        staff=make_staff("manager"),
        vendor_file=imp.read_vendor_file(data),
        mapping=_mapping(world),
        tz=TZ,
        now=NOW,
    )
    session.commit()
    assert (result.imported, result.answers) == (41, 82)
    stored = dict(
        session.execute(select(SurveyResponse.external_id, SurveyResponse.comment)).tuples().all()
    )
    assert stored["S3"] == comment
    assert stored["S\\N"] is None and stored["S4"] is None
    assert set(summary_drift(session=session).values()) == {0}


def test_import_rolled_back_leaves_summaries_and_concerns_as_they_were(session, world, make_staff):
    data = _vendor_file(
        [[f"R{i}", "Medicine", "2026-11-03", "2", "1", "Cold food"] for i in range(5)]
    )
    result = imp.import_file(
        session=session,
        staff=make_staff("manager"),
        vendor_file=imp.read_vendor_file(data),
        mapping=_mapping(world),
        tz=TZ,
        now=NOW,
    )
    assert len(result.concerns_opened) == 5
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Concern)) == 0
    assert session.scalar(text("SELECT count(*) FROM survey_answer_day")) == 0
    assert set(summary_drift(session=session).values()) == {0}


def _needs(world, session, count: int, comment: str = "Nobody called back"):
    q = world.csat.questions[0]
    ids = add_answers(session, world.csat, q.id, world.medicine, DAY, [1] * count, comment)
    return [sat.RecoveryNeeded(rid, world.medicine, None, q, 1, comment) for rid in ids]


def _concern_facts(session, concern_id):
    c = session.get(Concern, concern_id)
    events = session.scalars(select(ConcernEvent).where(ConcernEvent.concern_id == concern_id))
    interaction = session.get(Interaction, c.opened_by_interaction_id)
    audit = session.scalar(
        select(AuditLog).where(
            AuditLog.entity == "interaction", AuditLog.entity_id == str(interaction.id)
        )
    )
    return {
        "type": c.type,
        "severity": c.severity,
        "status": c.status,
        "due_at": c.due_at,
        "department": c.department_id,
        "override": c.grievance_override_reason,
        "rule": c.grievance_rule,
        "channel": interaction.channel,
        "outcome": interaction.outcome,
        "events": [(e.kind, sorted(e.data)) for e in events],
        "audit": (audit.action, sorted(audit.detail), audit.detail["outcome"]),
    }


def test_the_batch_opens_exactly_what_one_by_one_opens(session, world, make_staff):
    manager = make_staff("manager")
    one, *many = _needs(world, session, 4)
    single = sat.open_service_recovery(
        session=session,
        staff=manager,
        response_id=one.response_id,
        department_id=one.department_id,
        patient_id=None,
        question=one.question,
        answer=one.answer,
        comment=one.comment,
        tz=TZ,
        now=NOW,
    )
    batch = sat.open_service_recoveries(session=session, staff=manager, needed=many, tz=TZ, now=NOW)
    session.commit()
    assert len(set(batch)) == 3
    expected = _concern_facts(session, single)
    for concern_id in batch:
        assert _concern_facts(session, concern_id) == expected
    linked = session.scalars(
        select(Concern.source_survey_response_id).where(Concern.id.in_(batch))
    ).all()
    assert sorted(linked) == sorted(n.response_id for n in many)
    # again, batch or single: the same concerns come back, never a second one per response
    again = sat.open_service_recoveries(
        session=session, staff=manager, needed=[one, *many], tz=TZ, now=NOW
    )
    session.commit()
    assert again == [single, *batch]
    assert session.scalar(select(func.count()).select_from(Concern)) == 4


def test_the_batch_refuses_every_bad_draft_and_saves_nothing(session, world, make_staff):
    manager = make_staff("manager")
    needs = _needs(world, session, 3)
    session.commit()
    drafts = [sat._recovery_draft(n, NOW) for n in needs]
    bad = drafts[1].__class__(**{**drafts[1].__dict__, "summary": "  "})
    late = drafts[2].__class__(**{**drafts[2].__dict__, "occurred_at": NOW + dt.timedelta(days=1)})
    with pytest.raises(InvalidInput) as refused:
        log_interactions(
            session=session, staff=manager, drafts=[drafts[0], bad, late], tz=TZ, now=NOW
        )
    assert set(refused.value.errors) == {"1.summary", "2.occurred_at"}
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Interaction)) == 0
    with pytest.raises(PermissionError):
        log_interactions(
            session=session, staff=make_staff("leadership"), drafts=drafts, tz=TZ, now=NOW
        )


def test_batch_due_times_follow_the_sla_rules_in_force(engine, world, make_staff):
    """A changed target applies to the next batch, read once for all of it."""
    manager = make_staff("manager")
    with Session(engine) as session:
        needs = _needs(world, session, 2)
        session.execute(
            text(
                "UPDATE sla_target SET due_hours = 48 "
                "WHERE concern_type = 'complaint' AND severity = 'medium'"
            )
        )
        ids = sat.open_service_recoveries(
            session=session, staff=manager, needed=needs, tz=TZ, now=NOW
        )
        session.commit()
        due = set(session.scalars(select(Concern.due_at).where(Concern.id.in_(ids))))
    assert due == {NOW + dt.timedelta(hours=48)}


def test_new_responses_are_summarised_by_index_not_by_hashing_every_answer(engine):
    """At the reference size the planner hashed all 1.66 M answers for each statement that
    inserted responses (1.3 s per 5,000); the trigger function is pinned to index joins."""
    with engine.connect() as conn:
        config = conn.scalar(
            text("SELECT proconfig FROM pg_proc WHERE proname = 'dashboard_follow_survey_response'")
        )
    assert set(config) == {"enable_hashjoin=off", "enable_mergejoin=off"}
