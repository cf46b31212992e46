"""The audit log viewer: each filter, keyset paging newest first, the formula-safe export."""

import csv
import datetime as dt
import hashlib
import io

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from db import admin_audit
from db.admin import NotAllowed
from db.admin_audit import AuditFilter, audit_entries, detail_words_query, export_audit_csv
from db.csv_safe import spreadsheet_safe
from db.models import AuditLog
from db.validation import InvalidInput
from tests.helpers import NY

START = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def log(engine, make_staff):
    """60 rows an hour apart: two users, three actions, patients 1-3, one formula-like detail."""
    alice = make_staff("executive", username="alice")
    bob = make_staff("manager", username="bob")
    rows = []
    for i in range(60):
        who = alice if i % 2 == 0 else bob
        action = ("view-patient", "search-patient", "view-concern")[i % 3]
        entity = "patient" if action == "view-patient" else "concern"
        rows.append(
            {
                "occurred_at": START + dt.timedelta(hours=i),
                "user_id": who.id,
                "username": who.username,
                "action": action,
                "entity": entity,
                "entity_id": str(i % 3 + 1),
                "detail": {"query": '=HYPERLINK("x")'} if i == 59 else {"n": i},
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(AuditLog), rows)
    return {"alice": alice, "bob": bob, "rows": rows}


def _all(session, filters, limit=7):
    seen, after = [], None
    while True:
        page = audit_entries(session=session, filters=filters, tz=NY, after=after, limit=limit)
        seen += page.entries
        if page.next_after is None:
            return seen
        after = page.next_after


def test_paging_walks_every_row_newest_first_without_repeats(session, log):
    entries = _all(session, AuditFilter())
    times = [e.occurred_at for e in entries]
    assert len(entries) == 60 == len({e.id for e in entries})
    assert times == sorted(times, reverse=True)


def test_paging_with_equal_times_uses_the_id_as_tie_break(engine, session, make_staff):
    staff = make_staff("admin")
    same = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(AuditLog),
            [{"occurred_at": same, "username": staff.username, "action": "login"}] * 5,
        )
    assert len({e.id for e in _all(session, AuditFilter(), limit=2)}) == 5


@pytest.mark.parametrize(
    ("make_filter", "expected"),
    [
        (lambda w: AuditFilter(user_id=w["alice"].id), lambda r, w: r["username"] == "alice"),
        (lambda w: AuditFilter(action="view-concern"), lambda r, w: r["action"] == "view-concern"),
        (lambda w: AuditFilter(entity="patient"), lambda r, w: r["entity"] == "patient"),
        (
            lambda w: AuditFilter(entity="patient", entity_id="1", user_id=w["alice"].id),
            lambda r, w: (
                r["entity"] == "patient" and r["entity_id"] == "1" and r["username"] == "alice"
            ),
        ),
        (
            # New York days: 1 Oct 08:00 local is START; 2 Oct local ends at 3 Oct 04:00 UTC.
            lambda w: AuditFilter(since=dt.date(2026, 10, 2), until=dt.date(2026, 10, 2)),
            lambda r, w: (
                dt.datetime(2026, 10, 2, 4, tzinfo=dt.UTC)
                <= r["occurred_at"]
                < dt.datetime(2026, 10, 3, 4, tzinfo=dt.UTC)
            ),
        ),
        (lambda w: AuditFilter(text="hyperlink"), lambda r, w: "query" in r["detail"]),
    ],
)
def test_each_filter_returns_exactly_its_rows(session, log, make_filter, expected):
    filters = make_filter(log)
    got = sorted(e.occurred_at for e in _all(session, filters))
    want = sorted(r["occurred_at"] for r in log["rows"] if expected(r, log))
    assert got == want and want


def test_bad_filters_are_refused_field_by_field(session, log):
    with pytest.raises(InvalidInput) as refused:
        audit_entries(
            session=session,
            filters=AuditFilter(since=dt.date(2026, 10, 3), until=dt.date(2026, 10, 1)),
            tz=NY,
        )
    assert "until" in refused.value.errors


def test_export_is_formula_safe_and_audited(engine, log, make_staff):
    admin = make_staff("admin", username="privacy")
    filters = AuditFilter(user_id=log["bob"].id, since=dt.date(2026, 10, 1))
    with Session(engine) as s, s.begin():
        data, count, truncated = export_audit_csv(session=s, actor=admin, filters=filters, tz=NY)
    assert count == 30 and not truncated
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 31 and rows[0][0] == "When (UTC)"
    assert rows[1][6].startswith('{"query": "=HYPERLINK')  # JSON text, not a formula cell
    with Session(engine) as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "export")).one()
    assert row.username == "privacy" and row.entity == "audit_log"
    assert row.detail["row_count"] == 30 and row.detail["format"] == "csv"
    assert row.detail["filters"] == {"user_id": log["bob"].id, "since": "2026-10-01"}
    assert row.detail["sha256"] == hashlib.sha256(data).hexdigest()


def test_only_admins_export(engine, log):
    with Session(engine) as s, pytest.raises(NotAllowed):
        export_audit_csv(session=s, actor=log["bob"], filters=AuditFilter(), tz=NY)


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-2, -2),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("Smith", "smith:*"),
        ("  mrn-12 'x' | !y ", "mrn:* & 12:* & x:* & y:*"),
        ("&|!():*", None),
        ("", None),
    ],
)
def test_detail_words_never_become_query_syntax(typed, query):
    assert detail_words_query(typed) == query


def test_a_text_search_that_runs_out_of_time_reads_the_matches_through_the_words_index(
    engine, session, log, monkeypatch
):
    # 200,000 newer rows without the word: walking back in time to the one match takes far
    # longer than a 1 ms budget, so the server cancels the walk and the words index answers.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (occurred_at, username, action, detail) "
                "SELECT :t + g * interval '1 second', 'bulk', 'login', '{\"n\": 1}' "
                "FROM generate_series(1, 200000) g"
            ),
            {"t": START + dt.timedelta(days=30)},
        )
    budgets = []
    original = admin_audit._statement_timeout

    def spy(session, value):
        budgets.append(value)
        original(session, value)

    monkeypatch.setattr(admin_audit, "_statement_timeout", spy)
    monkeypatch.setattr(admin_audit, "TIME_WALK_BUDGET_MS", 1)
    page = audit_entries(session=session, filters=AuditFilter(text="hyperlink"), tz=NY)
    assert [e.detail for e in page.entries] == [{"query": '=HYPERLINK("x")'}]
    assert budgets == ["1ms"]  # cancelled: never restored, the savepoint undid it
    assert session.scalar(text("SELECT current_setting('statement_timeout')")) == "0"
    # A common word is found within the budget, and the timeout is put back.
    budgets.clear()
    monkeypatch.setattr(admin_audit, "TIME_WALK_BUDGET_MS", 5000)
    assert len(audit_entries(session=session, filters=AuditFilter(text="1"), tz=NY).entries) == 50
    assert budgets == ["5000ms", "0"]
