"""Audit log viewer benchmark: every filter at 5,000,000 audit rows, newest-first pages.

    PRD_DATA_DIR=/tmp/prd-bench-audit .venv/bin/python -m benchmarks.audit_viewer

Uses the embedded PostgreSQL in PRD_DATA_DIR (or DATABASE_URL): migrates it and, when the audit
log holds fewer than --rows rows, adds generated ones (200 staff, two years, view/search/login/
export/admin rows about 100,000 patients and 50,000 concerns). The audit log is append-only, so
never point this at a database you care about.

Target: p95 < 100 ms for one page (50 rows) under each filter, including a page deep in the log
(keyset paging) and the privacy officer's question "everything user X did to patient Y".
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from benchmarks.common import Measurement, median_and_p95, time_ms
from db.admin_audit import AuditFilter, audit_entries
from db.engine import database_url, make_engine
from db.migrate import upgrade_to_head
from db.models import AuditLog
from db.settings import get_settings

STAFF = 200
PATIENTS = 100_000
CONCERNS = 50_000
BATCH = 500_000
END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
SPAN_DAYS = 730

# Rows are made in SQL so 5 M take minutes, not hours. Actions roughly as a desk sees them.
GENERATE_BATCH = """
INSERT INTO audit_log (occurred_at, user_id, username, action, entity, entity_id, detail)
SELECT t.at, u.id, u.username, a.action,
       CASE WHEN a.action IN ('view-patient','unmask') THEN 'patient'
            WHEN a.action IN ('view-concern','update','create') THEN 'concern'
            WHEN a.action = 'admin-change' THEN 'app_user' END,
       CASE WHEN a.action IN ('view-patient','unmask') THEN (1 + (g * 7919) % :patients)::text
            WHEN a.action IN ('view-concern','update','create')
                THEN (1 + (g * 104729) % :concerns)::text
            WHEN a.action = 'admin-change' THEN u.id::text END,
       CASE WHEN a.action = 'search-patient' THEN jsonb_build_object('query', 'MRN' || (g % 9973))
            WHEN a.action = 'export' THEN jsonb_build_object('format', 'csv', 'row_count', g % 500)
            ELSE '{}'::jsonb END
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
CROSS JOIN LATERAL (
    SELECT :end - (g::double precision / :total) * :span * interval '1 day' AS at
) t
CROSS JOIN LATERAL (
    SELECT (ARRAY['view-patient','view-patient','view-patient','view-concern','view-concern',
                  'search-patient','search-patient','update','create','login','logout',
                  'login-failed','export','unmask','admin-change'])[1 + (g * 31) % 15] AS action
) a
JOIN bench_staff u ON u.n = 1 + (g * 13) % :staff
"""


def ensure_rows(engine, rows: int) -> int:
    """Top the audit log up to `rows` generated rows; returns the count."""
    with engine.begin() as conn:
        have = conn.scalar(select(func.count()).select_from(AuditLog))
        if have >= rows:
            return have
        conn.execute(
            text(
                "INSERT INTO app_user (username, display_name, password_hash, roles) "
                "SELECT 'bench' || n, 'Bench ' || n, '$2b$04$benchmarkbenchmarkbenchmark', "
                "ARRAY['executive'] FROM generate_series(1, :staff) n "
                "ON CONFLICT (username) DO NOTHING"
            ),
            {"staff": STAFF},
        )
        conn.execute(
            text(
                "CREATE TEMP TABLE bench_staff ON COMMIT DROP AS SELECT id, username, "
                "row_number() OVER (ORDER BY id) AS n FROM app_user WHERE username LIKE 'bench%'"
            )
        )
        first = have + 1
        while first <= rows:
            last = min(rows, first + BATCH - 1)
            started = time.perf_counter()
            conn.execute(
                text(GENERATE_BATCH),
                {
                    "first": first,
                    "last": last,
                    "total": rows,
                    "end": END,
                    "span": SPAN_DAYS,
                    "patients": PATIENTS,
                    "concerns": CONCERNS,
                    "staff": STAFF,
                },
            )
            print(f"  audit rows {last:>9,} ({time.perf_counter() - started:.1f} s)", flush=True)
            first = last + 1
    with engine.begin() as conn:
        conn.execute(text("ANALYZE audit_log"))
        return conn.scalar(select(func.count()).select_from(AuditLog))


TARGET_MS = 100


def main(argv: list[str] | None = None) -> list[Measurement]:
    """Time one page under each filter, printing as it goes; returns what was measured."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args(argv)
    engine = make_engine(database_url())
    upgrade_to_head(engine)
    count = ensure_rows(engine, args.rows)
    tz = get_settings().facility_tz
    rng = random.Random(7)
    with Session(engine) as s:
        staff_ids = list(s.scalars(text("SELECT id FROM app_user WHERE username LIKE 'bench%'")))
        # A real (user, patient) pair from the log, for the privacy officer's question.
        pair = s.execute(
            text(
                "SELECT user_id, entity_id FROM audit_log WHERE action = 'view-patient' "
                "AND occurred_at < :end - interval '30 days' ORDER BY occurred_at DESC LIMIT 1"
            ),
            {"end": END},
        ).one()
        deep = audit_entries(session=s, filters=AuditFilter(), tz=tz, limit=5000).entries[-1]
    month_end = (END - dt.timedelta(days=1)).date()
    month_start = month_end.replace(day=1)
    cases: dict[str, Callable[[], dict]] = {
        "no filter (newest page)": lambda: {},
        "user": lambda: {"user_id": rng.choice(staff_ids)},
        "action (view-patient)": lambda: {"action": "view-patient"},
        "action (rare: admin-change)": lambda: {"action": "admin-change"},
        "record kind (concern)": lambda: {"entity": "concern"},
        "record kind and id (one patient)": lambda: {
            "entity": "patient",
            "entity_id": str(rng.randint(1, PATIENTS)),
        },
        "date range (one month)": lambda: {"since": month_start, "until": month_end},
        "user + date range (last month)": lambda: {
            "user_id": rng.choice(staff_ids),
            "since": month_start,
            "until": month_end,
        },
        "user X and patient Y, two years": lambda: {
            "user_id": pair.user_id,
            "entity": "patient",
            "entity_id": pair.entity_id,
        },
        "action + date range (exports, a month)": lambda: {
            "action": "export",
            "since": month_start,
            "until": month_end,
        },
        "text + one week": lambda: {
            "text": f"MRN{rng.randint(1, 9972)}",
            "since": month_end - dt.timedelta(days=6),
            "until": month_end,
        },
        "text, rare word, any date": lambda: {"text": f"MRN{rng.randint(1, 9972)}"},
        "text, common word, any date": lambda: {"text": "csv"},
        # The worst case for text: nothing matches, so the whole month's rows are read.
        "text, no match, one month": lambda: {
            "text": "no-such-text",
            "since": month_start,
            "until": month_end,
        },
    }
    print(f"audit log rows: {count:,}; {args.runs} runs per filter; one page = 50 rows")
    measured: list[Measurement] = []
    with Session(engine) as s:

        def page(after=None, **filters):
            return audit_entries(session=s, filters=AuditFilter(**filters), tz=tz, after=after)

        for name, make in cases.items():
            measured.append(_measure(name, time_ms(lambda make=make: page(**make()), args.runs)))
        after = (deep.occurred_at, deep.id)
        measured.append(
            _measure("page 101 (keyset, no filter)", time_ms(lambda: page(after), args.runs))
        )
    engine.dispose()
    return measured


def _measure(name: str, samples_ms: list[float]) -> Measurement:
    median, p95 = median_and_p95(samples_ms)
    ok = p95 < TARGET_MS
    print(f"  {name:<40} median {median:6.2f} ms   p95 {p95:6.2f} ms   {'ok' if ok else 'OVER'}")
    return Measurement("audit viewer", name, median, p95, f"p95 < {TARGET_MS} ms", ok)


if __name__ == "__main__":
    sys.exit(0 if all(m.ok for m in main()) else 1)
