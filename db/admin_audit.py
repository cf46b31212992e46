"""The audit log viewer: filters, newest first, keyset paging, and an audited CSV export.

Paging is by the last row seen, (occurred_at, id), never OFFSET, and every filter has an index
ending in (occurred_at, id) (migration 0008), so a page costs the same at row 50 and at row
5,000,000. Dates are days on the facility's calendar, both ends included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.admin import require_admin
from db.audit import record_audit
from db.csv_safe import csv_bytes
from db.models import AUDIT_DETAIL_WORDS, AuditLog
from db.users import StaffMember
from db.validation import InvalidInput

PAGE_SIZE = 50
# How long a text search may walk back in time for matches before it reads them through the
# words index instead (see _newest_first).
TIME_WALK_BUDGET_MS = 25
QUERY_CANCELED = "57014"
# An export is one file a person opens in a spreadsheet; larger pulls narrow the filters.
EXPORT_MAX_ROWS = 100_000
# Records the app writes audit rows about, for the filter's picker.
AUDIT_ENTITIES = (
    "patient",
    "concern",
    "interaction",
    "app_user",
    "department",
    "category",
    "sla_target",
    "sla_rule",
    "public_holiday",
    "audit_log",
)
EXPORT_HEADER = ("When (UTC)", "Username", "User id", "Action", "Record", "Record id", "Detail")


@dataclass(frozen=True)
class AuditFilter:
    """What the privacy officer narrowed the log to; empty fields do not filter."""

    user_id: int | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    text: str = ""

    def problems(self) -> dict[str, str]:
        """Field -> what to fix (an empty dict when the filters make sense)."""
        errors = {}
        if self.since and self.until and self.since > self.until:
            errors["until"] = "The end date is before the start date."
        if self.entity_id and not self.entity:
            errors["entity_id"] = "Choose which kind of record this id belongs to."
        return errors


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: dt.datetime
    user_id: int | None
    username: str
    action: str
    entity: str | None
    entity_id: str | None
    detail: dict


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    # Pass back as `after` for the next (older) page; None on the last page.
    next_after: tuple[dt.datetime, int] | None


def _start_of_day(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def _filtered(stmt, filters: AuditFilter, tz: ZoneInfo):
    if filters.user_id is not None:
        stmt = stmt.where(AuditLog.user_id == filters.user_id)
    if filters.action:
        stmt = stmt.where(AuditLog.action == filters.action)
    if filters.entity:
        stmt = stmt.where(AuditLog.entity == filters.entity)
    if filters.entity_id:
        stmt = stmt.where(AuditLog.entity_id == filters.entity_id.strip())
    if filters.since:
        stmt = stmt.where(AuditLog.occurred_at >= _start_of_day(filters.since, tz))
    if filters.until:
        next_day = filters.until + dt.timedelta(days=1)
        stmt = stmt.where(AuditLog.occurred_at < _start_of_day(next_day, tz))
    query = detail_words_query(filters.text)
    if query:
        stmt = stmt.where(
            text(AUDIT_DETAIL_WORDS + " @@ to_tsquery('simple', :words)").bindparams(words=query)
        )
    return stmt


def _newest_first(session: Session, stmt, limit: int, words: str | None) -> list[AuditLog]:
    """The first `limit` rows of `stmt`, newest first.

    With words to find, walking the time index backwards is quick when they are common and
    takes seconds when they are rare; reading every match through the words index is the
    reverse. So the walk gets a short time budget, and when it runs out the matches are read
    through the words index instead (the same order, as an expression no index has)."""
    by_time = stmt.order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc()).limit(limit)
    if words is None:
        return list(session.scalars(by_time))
    previous = session.scalar(text("SELECT current_setting('statement_timeout')"))
    try:
        with session.begin_nested():
            _statement_timeout(session, f"{TIME_WALK_BUDGET_MS}ms")
            rows = list(session.scalars(by_time))
    except OperationalError as error:
        if getattr(error.orig, "pgcode", None) != QUERY_CANCELED:
            raise
    else:
        _statement_timeout(session, previous)
        return rows
    by_words = stmt.order_by(
        (AuditLog.occurred_at + text("interval '0 s'")).desc(), AuditLog.id.desc()
    ).limit(limit)
    return list(session.scalars(by_words))


def _statement_timeout(session: Session, value: str) -> None:
    # Local to the transaction (and undone with a rolled-back savepoint).
    session.execute(text("SELECT set_config('statement_timeout', :value, true)"), {"value": value})


def detail_words_query(typed: str) -> str | None:
    """A tsquery where every typed word must begin a word of the detail ("smi" finds "Smith").

    Words are what the index holds (letters, digits), so punctuation typed in the box only
    separates words and can never become query syntax."""
    words = re.findall(r"[^\W_]+", typed.lower())
    return " & ".join(f"{w}:*" for w in words) or None


def audit_entries(
    *,
    session: Session,
    filters: AuditFilter,
    tz: ZoneInfo,
    after: tuple[dt.datetime, int] | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """One page of audit rows matching `filters`, newest first, older than `after`."""
    errors = filters.problems()
    if errors:
        raise InvalidInput(errors)
    stmt = _filtered(select(AuditLog), filters, tz)
    if after is not None:
        stmt = stmt.where(tuple_(AuditLog.occurred_at, AuditLog.id) < tuple_(*after))
    rows = _newest_first(session, stmt, limit + 1, detail_words_query(filters.text))
    entries = [_entry(r) for r in rows[:limit]]
    more = len(rows) > limit
    return AuditPage(
        entries, (entries[-1].occurred_at, entries[-1].id) if more and entries else None
    )


def _entry(row: AuditLog) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        occurred_at=row.occurred_at,
        user_id=row.user_id,
        username=row.username,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        detail=row.detail or {},
    )


def export_audit_csv(
    *, session: Session, actor: StaffMember, filters: AuditFilter, tz: ZoneInfo
) -> tuple[bytes, int, bool]:
    """CSV of the filtered rows (newest first, at most EXPORT_MAX_ROWS), formula-safe.

    Returns (file, rows written, whether the limit cut it short). The export itself is audited
    with the filters, row count, format and the file's SHA-256."""
    require_admin(actor)
    errors = filters.problems()
    if errors:
        raise InvalidInput(errors)
    stmt = _filtered(
        select(
            AuditLog.occurred_at,
            AuditLog.username,
            AuditLog.user_id,
            AuditLog.action,
            AuditLog.entity,
            AuditLog.entity_id,
            AuditLog.detail,
        ),
        filters,
        tz,
    ).order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc())
    rows = session.execute(stmt.limit(EXPORT_MAX_ROWS + 1)).all()
    truncated = len(rows) > EXPORT_MAX_ROWS
    data, count = csv_bytes(
        EXPORT_HEADER,
        (
            (
                r.occurred_at.astimezone(dt.UTC).isoformat(),
                r.username,
                r.user_id,
                r.action,
                r.entity,
                r.entity_id,
                json.dumps(r.detail, sort_keys=True),
            )
            for r in rows[:EXPORT_MAX_ROWS]
        ),
    )
    record_audit(
        session=session,
        action="export",
        username=actor.username,
        user_id=actor.id,
        entity="audit_log",
        detail={
            "filters": {
                k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in asdict(filters).items()
                if v not in (None, "")
            },
            "row_count": count,
            "truncated": truncated,
            "format": "csv",
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return data, count, truncated
