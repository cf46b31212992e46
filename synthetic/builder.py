"""The builder: `generate` draws every table in dependency order and COPYs it in, in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import psycopg2
from faker import Faker
from sqlalchemy import Engine

from db.settings import get_settings
from synthetic.arrays import (
    _dates,
    _from_local,
    _ints,
)
from synthetic.concerns import ConcernsMixin
from synthetic.contacts import ContactsMixin
from synthetic.people import PeopleMixin
from synthetic.shape import (
    _CATEGORY_DOMAINS,
    _CATEGORY_NAMES,
    _WEEKDAY_FACTOR,
    CATEGORY_KEYS,
    SIZES,
    Size,
    size_for,
)
from synthetic.surveys import (
    SurveysMixin,
)

# Entry point
# ---------------------------------------------------------------------------------------------


def generate(
    engine: Engine,
    *,
    size: str | float,
    seed: int,
    progress: Callable[[str], Any] = print,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated database with a synthetic hospital; returns rows per table.

    `size` is "demo", "reference" or a factor of the reference size (see size_for). The same
    `seed` and `now` give the same rows. Categories and SLA targets are read from the database,
    not created. Raises ValueError when the database already holds hospital data.
    """
    spec = size_for(size)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        builder = _Hospital(
            cursor=cursor,
            spec=spec,
            seed=seed,
            now=now,
            tz=get_settings().facility_tz,
            progress=progress,
        )
        counts = builder.build()
        step = time.perf_counter()
        raw.commit()
        progress(f"Committed in {time.perf_counter() - step:.1f} s")
        # Fresh statistics, so the first queries on the new data get good plans.
        step = time.perf_counter()
        cursor.execute("ANALYZE")
        raw.commit()
        progress(f"ANALYZE in {time.perf_counter() - step:.1f} s")
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    total = sum(counts.values())
    progress(
        f"Generated {total:,} rows ({size}, seed {seed}) in {time.perf_counter() - started:.1f} s"
    )
    return counts


# ---------------------------------------------------------------------------------------------


class _Hospital(PeopleMixin, SurveysMixin, ContactsMixin, ConcernsMixin):
    """Draws every table in dependency order and COPYs it in, in one transaction."""

    def __init__(self, *, cursor, spec: Size, seed: int, now: dt.datetime, tz: ZoneInfo, progress):
        self.cur = cursor
        self.spec = spec
        self.rng = np.random.default_rng(seed)
        self.faker = Faker("en_US")
        self.faker.seed_instance(seed)
        self.tz = tz
        self.progress = progress
        self.now = np.int64(int(now.timestamp()))
        today_local = now.astimezone(tz).date()
        self.today = np.datetime64(today_local, "D")
        self.first_day = self.today - np.timedelta64(spec.days - 1, "D")
        self.start = _from_local(self.first_day.astype("datetime64[s]")[None], tz)[0]
        self.counts: dict[str, int] = {}
        # The history is drawn one span at a time (see _spans); these say where the current
        # span sits: its first day's offset from the history's first day, and the ids used so far.
        self.history = spec
        self.history_first_day = self.first_day
        self.day_offset = 0
        self.id_base = dict.fromkeys(
            ("survey_response", "concern", "interaction", "concern_issue", "concern_event"), 0
        )

    # -- orchestration ---------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.cur.execute("SET LOCAL TimeZone = 'UTC'")
        self.cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        self.cur.execute("SET LOCAL synchronous_commit = off")
        self._refuse_unless_empty()
        self._read_reference_data()
        restore = self._set_aside_keys_and_indexes()
        self._departments()
        self._staff()
        self._patients()
        self._survey_questions()
        for span in _spans(self.history, self._expected_day_weights()):
            self._enter_span(span)
            self._survey_responses()
            self._plan_contacts_and_concerns()
            events = self._plan_events()
            self._copy_concerns()
            self._copy_interactions()
            self._issues()
            self._copy("concern_event", events, time.perf_counter())
            self._leave_span()
        self._encounter_volumes()
        self._restore_keys_and_indexes(restore)
        for table in (
            "department",
            "patient",
            "survey_instrument",
            "survey_question",
            "survey_response",
            "concern",
            "interaction",
            "concern_issue",
            "concern_event",
        ):
            self.cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        return self.counts

    # -- spans of history --------------------------------------------------------------------

    def _expected_day_weights(self) -> np.ndarray:
        """Each day's expected share of the contacts (the rhythm _days draws from, without its
        random day-to-day noise): what the spans' row counts are split by."""
        days = np.arange(self.history.days)
        date = self.history_first_day + days.astype("timedelta64[D]")
        weekday = (date.astype(np.int64) - 4) % 7
        day_of_year = (date - date.astype("datetime64[Y]")).astype(np.int64)
        return (
            _WEEKDAY_FACTOR[weekday]
            * (1 + 0.12 * np.cos(2 * np.pi * (day_of_year - 20) / 365.25))
            * (1 + 0.06 * days / 365)
        )

    def _enter_span(self, span: _Span) -> None:
        self.day_offset = span.first
        self.first_day = self.history_first_day + np.timedelta64(span.first, "D")
        self.spec = span.size
        if span.first:
            self.progress(
                f"History from {self.first_day} ({span.size.days} days, "
                f"{span.size.interactions:,} contacts)"
            )

    def _leave_span(self) -> None:
        """Move the id bases past this span's rows and drop its plans (the memory they hold)."""
        for table in self.id_base:
            self.id_base[table] = self.counts.get(table, 0)
        self.con = self.inter = self.added = self.survey_concerns = None
        self.spec = self.history
        self.first_day = self.history_first_day
        self.day_offset = 0

    def _set_aside_keys_and_indexes(self) -> list[str]:
        """Drop the foreign keys and plain indexes of the tables about to be loaded, and return
        the statements that put them back exactly as they were (what pg_restore does).

        Checking a foreign key row by row costs more than the COPY itself at the reference
        size; re-adding it checks every row in one join, and an index built once is quicker
        than one grown row by row. Primary keys, unique constraints, CHECKs and triggers stay.
        All of it happens in this transaction, so a failure leaves the schema untouched. Where
        the database user may not alter the tables, everything stays in place and the load is
        simply slower.
        """
        self.cur.execute("SAVEPOINT set_aside")
        try:
            self.cur.execute(
                """
                SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname),
                       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass,
                              conname, pg_get_constraintdef(oid))
                FROM pg_constraint
                WHERE contype = 'f' AND conrelid = ANY(%(tables)s::regclass[])
                ORDER BY conrelid::regclass::text, conname
                """,
                {"tables": list(LOADED_TABLES)},
            )
            keys = self.cur.fetchall()
            self.cur.execute(
                """
                SELECT format('DROP INDEX %%s', i.indexrelid::regclass),
                       pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = ANY(%(tables)s::regclass[])
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                                  AND c.conrelid = i.indrelid)
                ORDER BY i.indexrelid::regclass::text
                """,
                {"tables": list(LOADED_TABLES)},
            )
            indexes = self.cur.fetchall()
            for drop, _create in (*keys, *indexes):
                self.cur.execute(drop)
        except psycopg2.Error as error:  # e.g. not the tables' owner: load with keys in place
            self.cur.execute("ROLLBACK TO SAVEPOINT set_aside")
            self.progress(f"Loading with keys and indexes in place ({error.__class__.__name__})")
            return []
        self.cur.execute("RELEASE SAVEPOINT set_aside")
        # Indexes first: some foreign-key checks use them.
        return [create for _drop, create in indexes] + [create for _drop, create in keys]

    def _restore_keys_and_indexes(self, statements: list[str]) -> None:
        if not statements:
            return
        t0 = time.perf_counter()
        for statement in statements:
            self.cur.execute(statement)
        self.progress(
            f"Indexes rebuilt and foreign keys checked ({len(statements)}) in "
            f"{time.perf_counter() - t0:.1f} s"
        )

    def _refuse_unless_empty(self) -> None:
        for table in ("department", "patient", "interaction", "concern", "survey_instrument"):
            self.cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if self.cur.fetchone()[0]:
                raise ValueError(
                    f"The database already holds data ({table} is not empty); synthetic data "
                    "is only generated into an empty database."
                )

    def _read_reference_data(self) -> None:
        self.cur.execute(
            "SELECT id, domain, name FROM category WHERE active ORDER BY sort_order, id"
        )
        rows = self.cur.fetchall()
        if not rows:
            raise ValueError("No active categories: run the migrations first.")
        by_name = {name: cid for cid, _domain, name in rows}
        by_domain: dict[str, int] = {}
        for cid, domain, _name in rows:
            by_domain.setdefault(domain, cid)
        ids = []
        for key in CATEGORY_KEYS:
            name = next(n for n, k in _CATEGORY_NAMES.items() if k == key)
            ids.append(by_name.get(name) or by_domain.get(_CATEGORY_DOMAINS[key]) or rows[0][0])
        self.category_ids = np.array(ids, dtype=np.int64)
        self.cur.execute("SELECT concern_type, severity, due_hours FROM sla_target")
        self.sla = {(t, s): h for t, s, h in self.cur.fetchall()}

    def _encounter_volumes(self) -> None:
        t0 = time.perf_counter()
        rng = self.rng
        first_month = self.first_day.astype("datetime64[M]")
        last_month = self.today.astype("datetime64[M]")
        months = np.arange(first_month, last_month + 1)
        # Scale so complaints run at a few per 1,000 encounters at any size.
        scale = (
            self.spec.concerns
            / SIZES["reference"].concerns
            * (SIZES["reference"].days / self.spec.days)
        )
        month_of_year = months.astype(np.int64) % 12
        season = 1 + 0.08 * np.cos(2 * np.pi * (month_of_year - 0.5) / 12)
        dept = np.repeat(np.arange(len(self.dept_ids)), len(months))
        month = np.tile(np.arange(len(months)), len(self.dept_ids))
        volume = self.dept_encounters[dept] * scale * season[month] * rng.normal(1, 0.05, len(dept))
        self._copy(
            "encounter_volume",
            {
                "department_id": _ints(self.dept_ids[dept]),
                "month": _dates(months[month].astype("datetime64[D]")),
                "encounters": _ints(np.maximum(np.rint(volume), 0).astype(np.int64)),
            },
            t0,
        )

    # -- COPY --------------------------------------------------------------------------------

    def _copy(self, table: str, columns: dict[str, Any], t0: float) -> None:
        copy_started = time.perf_counter()
        n = self._copy_raw(table, columns)
        self.counts[table] = self.counts.get(table, 0) + n
        done = time.perf_counter()
        self.progress(
            f"{table}: {n:,} rows in {done - t0:.1f} s (COPY {done - copy_started:.1f} s)"
        )

    def _copy_raw(self, table: str, columns: dict[str, Any]) -> int:
        names = list(columns)
        data = [columns[c] for c in names]
        n = len(data[0])
        sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        for start in range(0, n, _CHUNK):
            rows = zip(*(col[start : start + _CHUNK] for col in data), strict=True)
            buf = io.StringIO("\n".join(map("\t".join, rows)) + "\n")
            self.cur.copy_expert(sql, buf, size=1 << 20)
        return n


_CHUNK = 100_000
# Every table generate() writes to.
LOADED_TABLES = (
    "department",
    "app_user",
    "patient",
    "survey_instrument",
    "survey_question",
    "survey_response",
    "survey_answer",
    "concern",
    "interaction",
    "concern_issue",
    "concern_event",
    "encounter_volume",
)


# Longest stretch of history drawn at once. Every plan (contacts, concerns, timelines, surveys)
# is held in memory while its span is drawn, so memory follows the span, not the history: about
# 1.7 GB at the reference size's two years. A history this long or shorter is one span, drawn
# exactly as before spans existed.
SPAN_DAYS = SIZES["reference"].days


@dataclass(frozen=True)
class _Span:
    first: int  # offset of its first day from the history's first day
    size: Size  # its days and row counts; patients and departments are the whole history's


def _spans(history: Size, day_weight: np.ndarray) -> list[_Span]:
    """Cut the history into consecutive spans of at most `span_days` days, oldest first, and
    split the contacts, concerns and survey responses between them by each span's share of the
    expected daily volume (largest remainders, so the totals are exactly the history's)."""
    span_days = SPAN_DAYS
    starts = list(range(0, history.days, span_days))
    if len(starts) == 1:
        return [_Span(0, history)]
    share = np.array([day_weight[a : a + span_days].sum() for a in starts])
    share = share / share.sum()

    def split(total: int) -> list[int]:
        exact = share * total
        counts = np.floor(exact).astype(np.int64)
        counts[np.argsort(-(exact - counts), kind="stable")[: total - counts.sum()]] += 1
        return counts.tolist()

    columns = zip(
        split(history.interactions),
        split(history.concerns),
        split(history.survey_responses),
        strict=True,
    )
    return [
        _Span(
            a,
            replace(
                history,
                days=min(span_days, history.days - a),
                interactions=i,
                concerns=c,
                survey_responses=r,
            ),
        )
        for a, (i, c, r) in zip(starts, columns, strict=True)
    ]
