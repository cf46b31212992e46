"""Importing a survey vendor's CSV file: all rows or none.

1. `read_vendor_file(data)` decodes and parses the file with Python's csv module (a UTF-8 byte
   order mark, `;` `,` or tab separators, CRLF, blank lines and quoted fields with newlines are
   all handled there, not by splitting strings).
2. A `Mapping` (saved as a profile, `save_profile` / `profiles`) says which column holds which
   question, the department, the date, the vendor's survey id and the comment, which codes mean
   "missing" (N/A, M, 98/99 don't know/refused, Not Available, empty...) and the date format.
3. `check_file(...)` validates every row (`check_row`, a plain function) and returns the rows as
   they will be stored, the row-by-row problems, the unknown department names (listed, never
   guessed) and the surveys already imported (same vendor id: re-delivered, skipped).
4. `import_file(...)` stores everything in the caller's transaction, or raises `ImportRefused`
   with the report when any row has a problem: nothing is stored then. Service-recovery concerns
   for low scores with a comment are opened in the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.audit import record_audit
from db.models import Department, SurveyImportProfile, SurveyResponse
from db.permissions import Permission, require
from db.satisfaction import (
    Instrument,
    Question,
    RecoveryNeeded,
    clean_comment,
    instruments,
    lowest_recovery_answer,
    open_service_recoveries,
)
from db.users import StaffMember
from db.validation import text_problem

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_ROWS = 200_000
DEFAULT_MISSING_CODES = ("", "N/A", "NA", "M", "98", "99", "Not Available", "NULL", ".")
SEPARATORS = ",;\t"
ISO = "ISO"  # the date format "ISO 8601" (2026-10-31, also 2026-10-31T14:05:00)
COPY_BYTES = 1 << 20  # sent to the database per read
WHOLE_NUMBER = re.compile(r"([+-]?[0-9]{1,6})(?:[.,]0+)?")


class ImportRefused(Exception):  # noqa: N818 - named for what the user is told
    """The file cannot be imported as it is; `report` says why, row by row."""

    def __init__(self, report: CheckReport):
        super().__init__(f"{len(report.problems)} problems")
        self.report = report


class FileUnreadable(ValueError):
    """The file is not a CSV file we can read (too large, not text, no header)."""


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorFile:
    """A parsed file: its columns, its data rows (row number as in a spreadsheet, header = 1,
    and the values by column), and the separator found."""

    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]
    separator: str
    sha256: str


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older vendor exports are Windows-1252; every byte decodes there, so try it second.
        return data.decode("cp1252")


def _separator(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        return max(SEPARATORS, key=header.count)


def read_vendor_file(data: bytes) -> VendorFile:
    """Parse a vendor CSV file. Raises FileUnreadable with a message for the user."""
    if len(data) > MAX_FILE_BYTES:
        raise FileUnreadable(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB. "
            "Split it into smaller files."
        )
    if b"\x00" in data[:4096]:
        raise FileUnreadable("This is not a text (CSV) file.")
    content = _decode(data).replace("\x00", "")
    separator = _separator(content[:20_000])
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=separator)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    record = 0
    for values in reader:
        if not values or all(not v.strip() for v in values):
            continue  # blank line
        record += 1
        if header is None:
            header = [v.strip() for v in values]
            if len(set(header)) != len(header) or not all(header):
                raise FileUnreadable("The header row has empty or repeated column names.")
            continue
        if len(rows) >= MAX_ROWS:
            raise FileUnreadable(f"More than {MAX_ROWS:,} rows: split the file.")
        row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}
        if len(values) > len(header):
            row["\x00extra"] = separator.join(values[len(header) :])
        rows.append((record, row))
    if header is None:
        raise FileUnreadable("The file is empty.")
    return VendorFile(tuple(header), tuple(rows), separator, hashlib.sha256(data).hexdigest())


# --- the mapping -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """Which file column holds what. `questions` maps a column to a question code."""

    instrument_id: int
    department_column: str
    date_column: str
    questions: dict[str, str]
    external_id_column: str | None = None
    comment_column: str | None = None
    missing_codes: tuple[str, ...] = DEFAULT_MISSING_CODES
    date_format: str = ISO

    def to_json(self) -> dict:
        return {
            "department_column": self.department_column,
            "date_column": self.date_column,
            "questions": dict(self.questions),
            "external_id_column": self.external_id_column,
            "comment_column": self.comment_column,
            "missing_codes": list(self.missing_codes),
            "date_format": self.date_format,
        }

    @classmethod
    def from_json(cls, instrument_id: int, data: dict) -> Mapping:
        return cls(
            instrument_id=instrument_id,
            department_column=data["department_column"],
            date_column=data["date_column"],
            questions=dict(data.get("questions", {})),
            external_id_column=data.get("external_id_column"),
            comment_column=data.get("comment_column"),
            missing_codes=tuple(data.get("missing_codes", DEFAULT_MISSING_CODES)),
            date_format=data.get("date_format", ISO),
        )


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def guess_mapping(columns: Sequence[str], instrument: Instrument) -> Mapping:
    """A first mapping for a new profile: columns named like a question code, "department",
    "date", "survey id" or "comment". The user checks and corrects it before importing."""
    by_norm = {_norm(c): c for c in columns}

    def first(*names: str) -> str | None:
        return next((by_norm[n] for n in names if n in by_norm), None)

    questions = {
        by_norm[_norm(q.code)]: q.code for q in instrument.questions if _norm(q.code) in by_norm
    }
    return Mapping(
        instrument_id=instrument.id,
        department_column=first("department", "dept", "unit", "departmentname") or "",
        date_column=first("date", "surveydate", "respondedon", "responsedate", "visitdate") or "",
        questions=questions,
        external_id_column=first("surveyid", "externalid", "responseid", "id"),
        comment_column=first("comment", "comments", "freetext", "verbatim"),
    )


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    mapping: Mapping


def profiles(*, session: Session, instrument_id: int | None = None) -> list[Profile]:
    """Saved mapping profiles, by name."""
    query = select(SurveyImportProfile).order_by(SurveyImportProfile.name)
    if instrument_id is not None:
        query = query.where(SurveyImportProfile.instrument_id == instrument_id)
    return [
        Profile(p.id, p.name, Mapping.from_json(p.instrument_id, p.mapping))
        for p in session.scalars(query)
    ]


def save_profile(*, session: Session, staff: StaffMember, name: str, mapping: Mapping) -> int:
    """Create or replace the profile called `name`; returns its id."""
    require(staff, Permission.ENTERS_SURVEYS)
    name = name.strip()
    if not 1 <= len(name) <= 200:
        from db.validation import InvalidInput

        raise InvalidInput({"profile_name": "Give the profile a name (at most 200 characters)."})
    existing = session.scalar(select(SurveyImportProfile).where(SurveyImportProfile.name == name))
    if existing is None:
        existing = SurveyImportProfile(name=name, created_by=staff.id, mapping={})
        session.add(existing)
    existing.instrument_id = mapping.instrument_id
    existing.mapping = mapping.to_json()
    session.flush()
    record_audit(
        session=session,
        action="admin-change",
        username=staff.username,
        user_id=staff.id,
        entity="survey_import_profile",
        entity_id=existing.id,
        detail={"name": name, "mapping": mapping.to_json()},
    )
    return existing.id


# --- checking rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedRow:
    """A row as it will be stored."""

    row: int
    department_id: int
    department: str
    responded_on: dt.date
    external_id: str | None
    comment: str | None
    answers: dict[int, int]  # question id -> answer


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


def parse_date(raw: str, date_format: str) -> dt.date | None:
    """The date in `raw` (ISO, or `date_format` in strptime notation), or None."""
    value = raw.strip()
    try:
        if date_format == ISO:
            return (
                dt.datetime.fromisoformat(value).date()
                if "T" in value or " " in value
                else (dt.date.fromisoformat(value))
            )
        return dt.datetime.strptime(value, date_format).date()
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _missing_set(codes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(c.strip().lower() for c in codes)


def check_row(
    row_no: int,
    values: dict[str, str],
    mapping: Mapping,
    questions: dict[str, Question],
    departments: dict[str, tuple[int, str]],
    today: dt.date,
) -> tuple[CheckedRow | None, list[Problem]]:
    """Validate one data row. `questions` maps a question code to the question, `departments`
    a lower-cased department name to (id, name). Returns the row to store, or the problems;
    (None, []) for a blank survey (no answer, no comment), which is skipped. An answer that is
    a missing code is skipped, never stored as 0."""
    problems: list[Problem] = []
    missing = _missing_set(tuple(mapping.missing_codes))
    if "\x00extra" in values:
        problems.append(Problem(row_no, "", "More values than columns: check the quoting."))

    raw_department = values.get(mapping.department_column, "").strip()
    department = departments.get(raw_department.lower())
    if not raw_department:
        problems.append(Problem(row_no, mapping.department_column, "No department."))
    elif department is None:
        problems.append(
            Problem(row_no, mapping.department_column, f"Unknown department: {raw_department}")
        )

    raw_date = values.get(mapping.date_column, "")
    day = parse_date(raw_date, mapping.date_format)
    if day is None:
        shown = "YYYY-MM-DD" if mapping.date_format == ISO else mapping.date_format
        problems.append(
            Problem(row_no, mapping.date_column, f"Not a date in the form {shown}: {raw_date!r}")
        )
    elif day > today:
        problems.append(Problem(row_no, mapping.date_column, f"A date in the future: {day}"))
    elif day < dt.date(2000, 1, 1):
        problems.append(Problem(row_no, mapping.date_column, f"A date before 2000: {day}"))

    answers: dict[int, int] = {}
    for column, code in mapping.questions.items():
        question = questions.get(code)
        if question is None:
            problems.append(Problem(row_no, column, f"The survey has no question {code}."))
            continue
        raw = values.get(column, "").strip()
        if raw.lower() in missing:
            continue
        # Whole numbers only ("4", "4.0", "4,0"): not "inf", "1e3" or "4.5". Most answers are
        # one plain digit or two, read without the pattern.
        if raw.isascii() and raw.isdigit() and len(raw) <= 6:
            number = int(raw)
        else:
            whole = WHOLE_NUMBER.fullmatch(raw)
            number = int(whole.group(1)) if whole else None
        if number is None:
            problems.append(Problem(row_no, column, f"Not a whole number: {raw!r}"))
        elif not question.scale_min <= number <= question.scale_max:
            problems.append(
                Problem(
                    row_no,
                    column,
                    f"{raw} is outside the scale {question.scale_min}–{question.scale_max}.",
                )
            )
        else:
            answers[question.id] = int(number)

    external_id = None
    if mapping.external_id_column:
        external_id = values.get(mapping.external_id_column, "").strip() or None
        if external_id is None:
            problems.append(Problem(row_no, mapping.external_id_column, "No survey id."))
        elif problem := text_problem(external_id, 200):
            problems.append(Problem(row_no, mapping.external_id_column, problem))
    comment = (
        clean_comment(values.get(mapping.comment_column, "")) if mapping.comment_column else None
    )
    if comment is not None and len(comment) > 4000:
        problems.append(Problem(row_no, mapping.comment_column, "Comment over 4,000 characters."))
    if problems:
        return None, problems
    if not answers and comment is None:
        return None, []  # a blank survey (every answer missing): skipped and counted
    return (
        CheckedRow(row_no, department[0], department[1], day, external_id, comment, answers),
        [],
    )


def mapping_problems(mapping: Mapping, columns: Sequence[str]) -> dict[str, str]:
    """Field -> what to fix in the mapping itself, before any row is read."""
    errors: dict[str, str] = {}
    for key, column in (
        ("department_column", mapping.department_column),
        ("date_column", mapping.date_column),
    ):
        if not column:
            errors[key] = "Choose the column."
        elif column not in columns:
            errors[key] = f"The file has no column {column!r}."
    for key, column in (
        ("external_id_column", mapping.external_id_column),
        ("comment_column", mapping.comment_column),
    ):
        if column and column not in columns:
            errors[key] = f"The file has no column {column!r}."
    if not mapping.questions:
        errors["questions"] = "Map at least one column to a question."
    missing = [c for c in mapping.questions if c not in columns]
    if missing:
        errors["questions"] = "The file has no column " + ", ".join(repr(c) for c in missing)
    return errors


@dataclass
class CheckReport:
    """What a file would import: rows to store, problems, unknown departments, re-deliveries."""

    rows: list[CheckedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_departments: list[str] = field(default_factory=list)
    already_imported: int = 0
    blank: int = 0  # surveys with every answer missing and no comment: skipped
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def problems_csv(self) -> bytes:
        """The row-by-row report as CSV, spreadsheet formulas neutralised."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "column", "problem"])
        for p in self.problems:
            writer.writerow([p.row, _safe_cell(p.column), _safe_cell(p.message)])
        return out.getvalue().encode("utf-8-sig")


def _safe_cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _departments(session: Session) -> dict[str, tuple[int, str]]:
    return {
        name.strip().lower(): (dept_id, name)
        for dept_id, name in session.execute(
            select(Department.id, Department.name).where(Department.active.is_(True))
        )
    }


def _instrument(session: Session, instrument_id: int) -> Instrument:
    found = next((i for i in instruments(session=session) if i.id == instrument_id), None)
    if found is None:
        raise FileUnreadable("That survey is not active.")
    return found


def check_file(
    *, session: Session, vendor_file: VendorFile, mapping: Mapping, today: dt.date
) -> CheckReport:
    """Validate every row of the file against `mapping` without storing anything."""
    instrument = _instrument(session, mapping.instrument_id)
    questions = {q.code: q for q in instrument.questions}
    departments = _departments(session)
    report = CheckReport(total_rows=len(vendor_file.rows))
    seen: dict[str, int] = {}
    unknown: dict[str, None] = {}
    for row_no, values in vendor_file.rows:
        checked, problems = check_row(row_no, values, mapping, questions, departments, today)
        for p in problems:
            if p.column == mapping.department_column and p.message.startswith("Unknown"):
                unknown[values.get(mapping.department_column, "").strip()] = None
        if checked is not None and checked.external_id is not None:
            first = seen.setdefault(checked.external_id, row_no)
            if first != row_no:
                problems = [
                    Problem(
                        row_no,
                        mapping.external_id_column or "",
                        f"Same survey id as row {first}.",
                    )
                ]
                checked = None
        report.problems.extend(problems)
        if checked is None and not problems:
            report.blank += 1
        if checked is not None:
            report.rows.append(checked)
    report.unknown_departments = sorted(unknown)
    ids = [r.external_id for r in report.rows if r.external_id]
    if ids:
        already = set(
            session.scalars(
                text("SELECT external_id FROM survey_response WHERE external_id = ANY(:ids)"),
                {"ids": ids},
            )
        )
        report.already_imported = len(already)
        report.rows = [r for r in report.rows if r.external_id not in already]
    return report


# --- storing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    imported: int
    answers: int
    already_imported: int
    concerns_opened: list[int]
    total_rows: int
    blank: int


def import_file(
    *,
    session: Session,
    staff: StaffMember,
    vendor_file: VendorFile,
    mapping: Mapping,
    tz: ZoneInfo,
    now: dt.datetime,
    progress: Callable[[float, str], None] = lambda _f, _m: None,
) -> ImportResult:
    """Store every row of the file, or nothing (raises ImportRefused with the report).

    Runs in the caller's transaction: the caller commits. Rows whose survey id is already
    stored are skipped and counted. Low scores with a comment open one service-recovery concern
    per response, in this same transaction."""
    require(staff, Permission.ENTERS_SURVEYS)
    progress(0.0, "Checking every row")
    report = check_file(
        session=session, vendor_file=vendor_file, mapping=mapping, today=now.astimezone(tz).date()
    )
    if not report.ok:
        raise ImportRefused(report)
    rows = report.rows
    # Ids first, so answers can be written with their response id; then each table in one
    # COPY. One statement each matters: the database's statement triggers check the scales and
    # add to the day summaries once per statement, and a file spread over many days and
    # departments touches most summary rows in every chunk it would be cut into.
    ids = list(
        session.scalars(
            text("SELECT nextval('survey_response_id_seq') FROM generate_series(1, :n)"),
            {"n": len(rows)},
        )
    )
    responses = io.StringIO()
    stored = io.StringIO()
    answers = 0
    for response_id, r in zip(ids, rows, strict=True):
        responses.write(
            f"{response_id}\t{mapping.instrument_id}\t{r.department_id}\t"
            f"{r.responded_on.isoformat()}\t{_copy_text(r.comment)}\t"
            f"{_copy_text(r.external_id)}\t{staff.id}\n"
        )
        for question_id, value in r.answers.items():
            stored.write(f"{response_id}\t{question_id}\t{value}\n")
        answers += len(r.answers)
    cursor = session.connection().connection.cursor()
    progress(0.1, f"Storing {len(rows):,} responses")
    cursor.copy_expert(
        "COPY survey_response (id, instrument_id, department_id, responded_on, comment, "
        "external_id, entered_by) FROM STDIN",
        _Reading(responses, lambda part: progress(0.1 + 0.2 * part, "Storing responses")),
        size=COPY_BYTES,
    )
    cursor.copy_expert(
        "COPY survey_answer (response_id, question_id, value) FROM STDIN",
        _Reading(stored, lambda part: progress(0.3 + 0.5 * part, f"Storing {answers:,} answers")),
        size=COPY_BYTES,
    )
    progress(0.8, "Summaries updated")

    instrument = _instrument(session, mapping.instrument_id)
    needed = [
        RecoveryNeeded(rid, r.department_id, None, question, answer, r.comment or "")
        for rid, r in zip(ids, rows, strict=True)
        if (low := lowest_recovery_answer(instrument.questions, r.answers, r.comment)) is not None
        for question, answer in (low,)
    ]
    if needed:
        progress(0.85, f"Opening {len(needed):,} service-recovery concerns")
    concerns = open_service_recoveries(session=session, staff=staff, needed=needed, tz=tz, now=now)
    record_audit(
        session=session,
        action="create",
        username=staff.username,
        user_id=staff.id,
        entity="survey_import",
        entity_id=None,
        detail={
            "instrument_id": mapping.instrument_id,
            "rows": report.total_rows,
            "imported": len(rows),
            "already_imported": report.already_imported,
            "blank": report.blank,
            "concerns_opened": len(concerns),
            "sha256": vendor_file.sha256,
        },
    )
    session.flush()
    progress(1.0, "Done")
    return ImportResult(
        len(rows), answers, report.already_imported, concerns, report.total_rows, report.blank
    )


class _Reading:
    """A text buffer read by COPY, reporting each further 5 % of it sent."""

    def __init__(self, buffer: io.StringIO, report: Callable[[float], None]):
        self.size = max(buffer.tell(), 1)
        buffer.seek(0)
        self.buffer = buffer
        self.report = report
        self.reported = 0.0

    def read(self, size: int = -1) -> str:
        chunk = self.buffer.read(size)
        sent = min(self.buffer.tell() / self.size, 1.0)
        if sent - self.reported >= 0.05 or (sent == 1.0 and self.reported < 1.0):
            self.reported = sent
            self.report(sent)
        return chunk

    def readline(self, size: int = -1) -> str:
        return self.buffer.readline(size)


def _copy_text(value: str | None) -> str:
    """`value` as a field of COPY's text format: backslash, tab and line ends escaped."""
    if value is None:
        return "\\N"
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def responses_stored(*, session: Session) -> int:
    """How many survey responses are stored (for tests and the page's counts)."""
    return session.scalar(select(func.count()).select_from(SurveyResponse))
