"""The synthetic hospital: loads under every constraint, hangs together, and is reproducible."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import numpy as np
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db import summaries
from db.demo import DEMO_USERS
from db.grievance import QUALITY_OF_CARE, ComplaintFacts, propose_grievance
from db.models import CHANNELS, Base, Concern, Department
from db.settings import get_settings
from db.sla import concern_due_at, grievance_acknowledgement_due_at, sla_targets
from db.users import authenticate
from synthetic import SIZES, STAFF, builder, generate, people

# A fixed "now" a couple of days after the spring daylight-saving change, so clocks cross it.
NOW = dt.datetime(2026, 3, 10, 15, 30, tzinfo=dt.UTC)
REFERENCE_TABLES = {"category", "sla_target"}
FILLED_TABLES = (
    "department",
    "app_user",
    "patient",
    "interaction",
    "concern",
    "concern_issue",
    "concern_event",
    "survey_instrument",
    "survey_question",
    "survey_response",
    "survey_answer",
    "encounter_volume",
)
# Content fingerprints: every column, rows in key order (app_user is left out: its password hash
# is salted afresh on every run).
FINGERPRINTED = {
    "department": "id",
    "patient": "id",
    "interaction": "id",
    "concern": "id",
    "concern_issue": "id",
    "concern_event": "id",
    "survey_response": "id",
    "survey_answer": "response_id, question_id",
    "encounter_volume": "department_id, month",
}


def _every_grievance_proposal() -> dict[str, bool]:
    """Every rule text db.grievance can propose, over every combination of the facts staff
    record, with whether it makes the complaint a grievance."""
    flags = [f.name for f in dataclasses.fields(ComplaintFacts) if f.type in (bool, "bool")]
    proposals = {}
    for channel in CHANNELS:
        for values in itertools.product((False, True), repeat=len(flags)):
            facts = ComplaintFacts(channel=channel, **dict(zip(flags, values, strict=True)))
            for category in (None, QUALITY_OF_CARE):
                proposal = propose_grievance(dataclasses.replace(facts, category_name=category))
                proposals[proposal.rule] = proposal.is_grievance
    return proposals


def _quiet(_message: str) -> None:
    pass


def _count(conn, sql: str) -> int:
    return conn.execute(text(sql), {"now": NOW}).scalar_one()


def _empty(engine) -> None:
    """Back to a freshly migrated database (the TRUNCATE of tests/conftest.py, keeping the
    seeded reference tables)."""
    tables = ", ".join(
        t.name for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES
    )
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _fingerprint(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {
            table: conn.execute(
                text(f"SELECT md5(string_agg(t::text, '|' ORDER BY {order})) FROM {table} t")
            ).scalar_one()
            for table, order in FINGERPRINTED.items()
        }


def _schema(engine) -> set[tuple[str, ...]]:
    """Every constraint, index and trigger, as the catalogue defines them."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
                " UNION ALL SELECT 'index', tablename, indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = 'public'"
                " UNION ALL SELECT 'trigger', tgrelid::regclass::text, tgname,"
                " pg_get_triggerdef(oid) || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal"
            )
        )
        return {tuple(r) for r in rows}


def test_demo_hospital_loads_under_every_constraint_and_hangs_together(engine):
    schema_before = _schema(engine)
    counts = generate(engine, size="demo", seed=7, progress=_quiet, now=NOW)
    # Keys and indexes set aside for the load are back exactly as they were.
    assert _schema(engine) == schema_before
    demo = SIZES["demo"]
    assert counts["interaction"] == demo.interactions
    assert counts["concern"] == demo.concerns
    assert counts["patient"] == demo.patients
    assert counts["survey_response"] == demo.survey_responses
    assert counts["department"] == demo.departments
    assert sum(counts.values()) < 20_000  # small enough for a first start

    with engine.connect() as conn:
        for table in FILLED_TABLES:
            assert _count(conn, f"SELECT count(*) FROM {table}") > 0, table
        # Contacts cover about six months up to now, with the expected mix.
        assert _count(conn, "SELECT count(*) FROM interaction WHERE occurred_at > :now") == 0
        first = conn.execute(text("SELECT min(occurred_at) FROM interaction")).scalar_one()
        assert dt.timedelta(days=170) < NOW - first <= dt.timedelta(days=demo.days)
        opened = _count(conn, "SELECT count(*) FROM interaction WHERE outcome='concern-opened'")
        assert 0.15 < opened / demo.interactions < 0.25
        anonymous = _count(conn, "SELECT count(*) FROM interaction WHERE patient_id IS NULL")
        assert 0.06 < anonymous / demo.interactions < 0.15
        phone = _count(conn, "SELECT count(*) FROM interaction WHERE channel = 'phone'")
        assert phone > demo.interactions / 2
        mondays = _count(
            conn,
            "SELECT count(*) FROM interaction "
            "WHERE extract(isodow FROM occurred_at AT TIME ZONE 'America/New_York') = 1",
        )
        sundays = _count(
            conn,
            "SELECT count(*) FROM interaction "
            "WHERE extract(isodow FROM occurred_at AT TIME ZONE 'America/New_York') = 7",
        )
        assert mondays > 2 * sundays
        # Every contact that opened a concern is that concern's opening contact.
        assert (
            _count(
                conn,
                "SELECT count(*) FROM interaction i JOIN concern c ON c.id = i.concern_id "
                "WHERE i.outcome = 'concern-opened' AND c.opened_by_interaction_id <> i.id",
            )
            == 0
        )
        assert (
            _count(conn, "SELECT count(*) FROM concern WHERE source_survey_response_id IS NOT NULL")
            > 0
        )
        # The worklist has open concerns, some of them overdue.
        open_overdue = _count(
            conn,
            "SELECT count(*) FROM concern "
            "WHERE status NOT IN ('resolved', 'closed') AND due_at < :now",
        )
        assert open_overdue > 0
        late = _count(conn, "SELECT count(*) FROM concern WHERE resolved_at > due_at")
        resolved = _count(
            conn,
            "SELECT count(*) FROM concern WHERE resolved_at IS NOT NULL AND due_at IS NOT NULL",
        )
        assert 0.05 < late / resolved < 0.30
        # Grievances: acknowledged, and answered in writing (the CHECK demands all four fields).
        assert (
            _count(
                conn,
                "SELECT count(*) FROM concern WHERE type = 'grievance' "
                "AND written_response_at IS NOT NULL AND response_contact_person <> '' "
                "AND response_steps_taken <> '' AND response_result <> '' "
                "AND response_completed_on IS NOT NULL",
            )
            > 0
        )
        unanswered = _count(
            conn,
            "SELECT count(*) FROM concern WHERE type = 'grievance' AND resolved_at IS NOT NULL "
            "AND written_response_at IS NULL",
        )
        grievances_resolved = _count(
            conn,
            "SELECT count(*) FROM concern WHERE type = 'grievance' AND resolved_at IS NOT NULL",
        )
        assert unanswered < 0.1 * grievances_resolved
        # A concern's category is its first issue's; issues are numbered 1.. without gaps.
        assert (
            _count(
                conn,
                "SELECT count(*) FROM concern c JOIN concern_issue i "
                "ON i.concern_id = c.id AND i.position = 1 WHERE i.category_id <> c.category_id",
            )
            == 0
        )
        assert (
            _count(
                conn,
                "SELECT count(*) FROM (SELECT concern_id, count(*) n, max(position) m "
                "FROM concern_issue GROUP BY concern_id) x WHERE n <> m",
            )
            == 0
        )
        assert _count(conn, "SELECT count(DISTINCT concern_id) FROM concern_issue") == (
            demo.concerns
        )
        issues = _count(conn, "SELECT count(*) FROM concern_issue")
        assert 1.7 < issues / demo.concerns < 2.3
        # Timelines sit inside their concern's life: opened .. resolved (closed after that).
        assert (
            _count(
                conn,
                "SELECT count(*) FROM concern_event e JOIN concern c ON c.id = e.concern_id "
                "WHERE e.occurred_at < c.opened_at OR e.occurred_at > :now "
                "OR (e.kind <> 'closed' AND e.occurred_at > coalesce(c.resolved_at, :now)) "
                "OR (e.kind = 'closed' AND e.occurred_at <> c.closed_at)",
            )
            == 0
        )
        assert (
            _count(
                conn,
                "SELECT count(*) FROM concern c WHERE NOT EXISTS (SELECT 1 FROM concern_event e "
                "WHERE e.concern_id = c.id AND e.kind = 'created')",
            )
            == 0
        )
        events = _count(conn, "SELECT count(*) FROM concern_event")
        assert 3.5 < events / demo.concerns < 5.5
        # Survey questions: NPS only on the likelihood-to-recommend question.
        assert (
            _count(conn, "SELECT count(*) FROM survey_question WHERE is_likelihood_to_recommend")
            == 1
        )
        # Encounter volumes: every department, every month of the period.
        assert (
            _count(conn, "SELECT count(DISTINCT department_id) FROM encounter_volume")
            == demo.departments
        )

    with Session(engine) as session:
        # Due times are exactly what the app's own SLA rules give.
        targets = sla_targets(session=session)
        tz = get_settings().facility_tz
        for concern in session.scalars(select(Concern)):
            assert concern.due_at == concern_due_at(
                opened_at=concern.opened_at,
                concern_type=concern.type,
                severity=concern.severity,
                targets=targets,
                tz=tz,
            ), concern.id
            if concern.type == "grievance":
                assert concern.acknowledgement_due_at == grievance_acknowledgement_due_at(
                    concern.opened_at, tz
                )
        # Grievance rule texts are ones the app's CMS rules give; a concern whose type differs
        # from what its rule proposes carries the override reason staff gave.
        proposals = _every_grievance_proposal()
        rules = set(session.scalars(select(Concern.grievance_rule).distinct())) - {None}
        assert rules <= set(proposals), rules - set(proposals)
        assert len(rules) >= 4  # the generator uses several rules, not one
        for concern in session.scalars(select(Concern).where(Concern.grievance_rule.is_not(None))):
            proposed = "grievance" if proposals[concern.grievance_rule] else "complaint"
            assert concern.type == proposed or concern.grievance_override_reason, concern.id
        # The dashboard summaries kept up with the bulk load.
        assert set(summaries.summary_drift(session=session).values()) == {0}
        # Sequences continue after the generated ids.
        session.add(Department(name="Transplant Services"))
        session.flush()
        assert session.scalar(
            select(Department.id).where(Department.name == "Transplant Services")
        ) == (demo.departments + 1)
        session.rollback()
        # Staff behind the records exist, but nobody can sign in as them; no demo accounts.
        usernames = set(session.scalars(text("SELECT username FROM app_user")))
        assert usernames == {s[0] for s in STAFF}
        assert not usernames & {u.username for u in DEMO_USERS}
        assert authenticate(session=session, username=STAFF[0][0], password="demo1234") is None

    with pytest.raises(ValueError, match="already holds data"):
        generate(engine, size="demo", seed=7, progress=_quiet, now=NOW)


def test_same_seed_gives_the_same_hospital_and_another_seed_another(engine):
    generate(engine, size="demo", seed=11, progress=_quiet, now=NOW)
    first = _fingerprint(engine)
    _empty(engine)
    generate(engine, size="demo", seed=11, progress=_quiet, now=NOW)
    assert _fingerprint(engine) == first
    _empty(engine)
    generate(engine, size="demo", seed=12, progress=_quiet, now=NOW)
    other = _fingerprint(engine)
    for table in ("patient", "interaction", "concern", "concern_event", "survey_answer"):
        assert other[table] != first[table], table


def test_unknown_size_is_refused(engine):
    with pytest.raises(ValueError, match="size"):
        generate(engine, size="huge", seed=1, progress=_quiet, now=NOW)


def test_spans_split_every_count_exactly_and_follow_the_expected_volume():
    history = dataclasses.replace(SIZES["demo"], days=100, interactions=1001, concerns=301)
    weight = np.ones(100)
    weight[60:] = 3.0  # the last 40 days carry twice the first 60 days' volume
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builder, "SPAN_DAYS", 30)
        spans = builder._spans(history, weight)
    assert [s.first for s in spans] == [0, 30, 60, 90]
    assert [s.size.days for s in spans] == [30, 30, 30, 10]
    # Shares 30 : 30 : 90 : 30 of 180.
    assert [s.size.interactions for s in spans] == [167, 167, 500, 167]
    assert sum(s.size.concerns for s in spans) == 301
    assert sum(s.size.survey_responses for s in spans) == history.survey_responses
    assert {s.size.patients for s in spans} == {history.patients}
    # A history no longer than a span is one span: the rows are the ones drawn before spans.
    assert builder._spans(history, weight) == [builder._Span(0, history)]


def test_a_history_drawn_in_spans_hangs_together(engine, monkeypatch):
    """Spans of 40 days and patient blocks of 300 over the demo's 182 days: every count as
    asked, ids with no gaps, contacts in every span, each concern's links inside the data, and
    the summaries agree with the rows."""
    monkeypatch.setattr(builder, "SPAN_DAYS", 40)
    monkeypatch.setattr(people, "PATIENT_BLOCK", 300)
    demo = SIZES["demo"]
    counts = generate(engine, size="demo", seed=5, progress=_quiet, now=NOW)
    assert counts["interaction"] == demo.interactions
    assert counts["concern"] == demo.concerns
    assert counts["patient"] == demo.patients
    assert counts["survey_response"] == demo.survey_responses
    with engine.connect() as conn:
        for table in ("patient", "interaction", "concern", "concern_issue", "concern_event"):
            n, top = conn.execute(text(f"SELECT count(*), max(id) FROM {table}")).one()
            assert n == top == counts[table], table
        assert _count(conn, "SELECT count(DISTINCT mrn) FROM patient") == demo.patients
        # Contacts in each 40-day span, none before the first day or after now.
        first, last, spans = conn.execute(
            text(
                "SELECT min(occurred_at), max(occurred_at), count(DISTINCT"
                " (occurred_at - (SELECT min(occurred_at) FROM interaction)) / 40)"
                " FROM interaction"
            )
        ).one()
        assert spans >= 5
        assert last <= NOW
        assert NOW - first <= dt.timedelta(days=demo.days + 1)
        # A contact that opened a concern, and the concern it opened, are the same day's.
        assert (
            _count(
                conn,
                "SELECT count(*) FROM concern c JOIN interaction i"
                " ON i.id = c.opened_by_interaction_id WHERE i.occurred_at <> c.opened_at"
                " OR i.concern_id <> c.id",
            )
            == 0
        )
        assert (
            _count(conn, "SELECT count(*) FROM concern WHERE source_survey_response_id IS NOT NULL")
            > 0
        )
    with Session(engine) as session:
        assert summaries.summary_drift(session=session) == dict.fromkeys(summaries.SUMMARY_KEYS, 0)
