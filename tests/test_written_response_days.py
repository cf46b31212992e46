"""The administrator's written-response days reach the grievance KPI: each grievance keeps the
days in force when it was opened, and the worklist's due time and the KPI read the same ones.
Answers worked out by hand in the comments (facility calendar America/New_York, EST in November).
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from db import concerns as c
from db import kpi
from db.admin_sla import update_grievance_rule
from db.intake import ConcernDraft
from db.models import Concern
from db.periods import Period
from db.sla import as_opened, grievance_clock, grievance_response_due_at
from tests.helpers import NY, log_contact, version_of

TZ_NAME = "America/New_York"
WEEK = Period(dt.date(2026, 11, 9), dt.date(2026, 11, 16), TZ_NAME)  # Mon 9 to Sun 15 Nov


def est(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A November 2026 time in New York (EST, UTC-5) as a UTC instant."""
    return dt.datetime(2026, 11, day, hour + 5, minute, tzinfo=dt.UTC)


def _set_days(engine, admin, days: int) -> None:
    with Session(engine) as s, s.begin():
        update_grievance_rule(
            session=s,
            actor=admin,
            acknowledgement_business_days=1,
            written_response_days=days,
            business_weekdays=[1, 2, 3, 4, 5],
        )


def _grievance(engine, world, staff, opened: dt.datetime) -> int:
    """A grievance (not resolved by staff present), low severity: its 14-day resolution target
    is later than the written-response deadline, so the due time is that deadline."""
    saved = log_contact(
        engine,
        world,
        staff,
        outcome="concern-opened",
        concern=ConcernDraft(severity="low"),
        occurred_at=opened,
    )
    with Session(engine) as s:
        assert s.get(Concern, saved.concern_id).type == "grievance"
    return saved.concern_id


def _window_end(engine, concern_id) -> dt.datetime:
    with Session(engine) as s:
        return s.scalar(
            select(kpi.grievance_response_window_end(TZ_NAME)).where(Concern.id == concern_id)
        )


def _compliance(engine, now: dt.datetime) -> tuple[float | None, int]:
    with Session(engine) as s:
        result = kpi.grievance_response_compliance(session=s, period=WEEK, now=now)
    return result.value, result.denominator


def _answer(engine, concern_id, sent_at) -> None:
    with Session(engine) as s, s.begin():
        s.execute(
            update(Concern)
            .where(Concern.id == concern_id)
            .values(
                written_response_at=sent_at,
                response_contact_person="Patient Relations Manager",
                response_steps_taken="Reviewed the wait with the ED",
                response_result="Apology and a change to the triage updates",
                response_completed_on=sent_at.date(),
            )
        )


@pytest.fixture
def two_grievances(engine, world, make_staff, monkeypatch):
    """G1 opened under the 7-day rule, then the administrator sets 10 days, then G2."""
    monkeypatch.setattr("tests.helpers.NOW", est(3, 12))  # log_contact logs at this moment
    admin = make_staff("admin")
    manager = make_staff("manager")
    g1 = _grievance(engine, world, manager, est(3, 10))  # Tue 3 Nov 10:00
    _set_days(engine, admin, 10)
    g2 = _grievance(engine, world, manager, est(3, 11))  # Tue 3 Nov 11:00
    return {"g1": g1, "g2": g2, "manager": manager, "admin": admin}


def test_each_grievance_keeps_the_days_in_force_when_it_was_opened(engine, two_grievances):
    g1, g2 = two_grievances["g1"], two_grievances["g2"]
    with Session(engine) as s:
        first, second = s.get(Concern, g1), s.get(Concern, g2)
        assert (first.written_response_days, second.written_response_days) == (7, 10)
        # G1: Tue 3 Nov 10:00 + 7 days = Tue 10 Nov 10:00; G2: 11:00 + 10 days = Fri 13 Nov 11:00.
        clock = grievance_clock(session=s)
        responses = [
            grievance_response_due_at(g.opened_at, NY, as_opened(clock, g.written_response_days))
            for g in (first, second)
        ]
        assert responses == [est(10, 10), est(13, 11)]
        # The worklist's due time is the earlier of the resolution target (a grievance's is at
        # most 168 hours) and the written-response deadline.
        assert (first.due_at, second.due_at) == (est(10, 10), est(10, 11))
    # The KPI's window end is the same deadline, for each.
    assert _window_end(engine, g1) == est(10, 10)
    assert _window_end(engine, g2) == est(13, 11)


def test_fewer_days_bring_the_worklist_due_time_forward(engine, world, make_staff, monkeypatch):
    monkeypatch.setattr("tests.helpers.NOW", est(3, 12))
    _set_days(engine, make_staff("admin"), 3)
    g = _grievance(engine, world, make_staff("manager"), est(3, 10))
    with Session(engine) as s:
        # Tue 3 Nov 10:00 + 3 days = Fri 6 Nov 10:00, before the 168-hour target.
        assert s.get(Concern, g).due_at == est(6, 10) == _window_end(engine, g)


def test_regrading_keeps_the_rule_of_the_opening(engine, two_grievances):
    g1, manager = two_grievances["g1"], two_grievances["manager"]
    for severity in ("high", "low"):
        with Session(engine) as s, s.begin():
            c.change_severity(
                session=s,
                staff=manager,
                concern_id=g1,
                seen_version=version_of(engine, g1),
                severity=severity,
                tz=NY,
            )
    with Session(engine) as s:
        assert s.get(Concern, g1).due_at == est(10, 10)  # not Fri 13 Nov: the 7 days stay


def test_the_kpi_counts_each_window_by_its_own_days(engine, two_grievances):
    g1, g2 = two_grievances["g1"], two_grievances["g2"]
    _answer(engine, g1, est(12, 10))  # Thu 12 Nov: two days after G1's window ended: late
    _answer(engine, g2, est(12, 10))  # the same moment: a day before G2's window ends: in time
    # Both windows end in the week of 9 Nov: 1 of 2. (Seven days for both: 0 of 2; ten days for
    # both: 2 of 2.) From the summaries, now a week later:
    assert _compliance(engine, est(20, 12)) == (0.5, 2)
    # On Friday 13 Nov itself G2's window ends at 11:00 and is read from the raw rows.
    assert _compliance(engine, est(13, 10, 30)) == (0.0, 1)
    assert _compliance(engine, est(13, 12)) == (0.5, 2)


def test_a_later_change_moves_neither_the_due_time_nor_the_kpi(engine, two_grievances):
    g1, g2 = two_grievances["g1"], two_grievances["g2"]
    _answer(engine, g2, est(12, 10))
    before = _compliance(engine, est(20, 12))
    _set_days(engine, two_grievances["admin"], 3)
    with Session(engine) as s:
        assert grievance_clock(session=s).written_response_days == 3
        assert [s.get(Concern, g).written_response_days for g in (g1, g2)] == [7, 10]
    assert _compliance(engine, est(20, 12)) == before == (0.5, 2)  # G1 late, G2 in time


@pytest.mark.parametrize("days", [1, 7, 10, 60])
def test_sql_and_python_agree_for_any_days_around_a_clock_change(session, days):
    from db.sla import GrievanceClock, grievance_response_due_at

    # Every half hour of the 3 days around the autumn change (1 Nov 2026), shifted back `days`.
    start = dt.datetime(2026, 10, 30, 0, 0, tzinfo=NY) - dt.timedelta(days=days)
    opened = [start.astimezone(dt.UTC) + dt.timedelta(minutes=30 * i) for i in range(3 * 48)]
    in_sql = session.scalars(
        text("SELECT grievance_response_window_end(o, :tz, :days) FROM unnest(:opened) AS o"),
        {"opened": opened, "tz": TZ_NAME, "days": days},
    ).all()
    clock = GrievanceClock(written_response_days=days)
    assert in_sql == [grievance_response_due_at(o, NY, clock) for o in opened]


def test_the_database_refuses_days_outside_the_rule(engine, two_grievances):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), Session(engine) as s, s.begin():
        s.execute(
            update(Concern)
            .where(Concern.id == two_grievances["g1"])
            .values(written_response_days=61)
        )


def test_the_upgrade_takes_existing_concerns_days_from_the_recorded_changes(engine, two_grievances):
    """Migration 0013's backfill: the last recorded change at or before the opening, else 7."""
    migration = importlib.import_module("db.migrations.versions.0013_response_days_facility")
    g1, g2 = two_grievances["g1"], two_grievances["g2"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE concern SET written_response_days = 7"))
        # The change to 10 days was recorded just now; pretend it happened Tue 3 Nov 10:30.
        conn.execute(
            text(
                "INSERT INTO audit_log (occurred_at, username, action, entity, entity_id, detail)"
                " VALUES (:at, 'admin', 'admin-change', 'sla_rule', '1',"
                ' \'{"before": {"written_response_days": 7},'
                ' "after": {"written_response_days": 12}}\')'
            ),
            {"at": est(3, 10, 30)},
        )
        conn.execute(text(migration.BACKFILL))
    with Session(engine) as s:
        # G1 opened 10:00, before the 10:30 change; G2 opened 11:00, after it.
        assert [s.get(Concern, g).written_response_days for g in (g1, g2)] == [7, 12]
