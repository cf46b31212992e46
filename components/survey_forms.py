"""The manager's survey forms: one response typed by hand, and a vendor CSV import.

Both keep what was typed or chosen when a save is refused, and show each problem next to its
field (entry) or row by row with a downloadable report (import). Writes go through
db.satisfaction.save_response and db.survey_import.import_file, in one transaction each.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from db import survey_import as imp
from db.satisfaction import Instrument, ResponseEntry, patient_by_mrn, save_response
from db.users import StaffMember
from db.validation import InvalidInput

NOT_ANSWERED = "—"
NOT_IN_FILE = "(not in the file)"
NEW_PROFILE = 0
PREVIEW_ROWS = 10


def _field_error(errors: dict[str, str], key: str) -> None:
    if key in errors:
        st.error(errors[key], icon=":material/error:")


def response_entry_form(
    *,
    engine,
    staff: StaffMember,
    instrument: Instrument,
    departments: dict[int, str],
    tz: ZoneInfo,
    now: dt.datetime,
) -> None:
    """One response with its answers; refused fields are marked and the input stays."""
    errors: dict[str, str] = st.session_state.get("survey_entry_errors", {})
    with st.form("survey_entry", clear_on_submit=False, border=True):
        st.subheader(f"Enter a response: {instrument.name}")
        left, middle, right = st.columns(3)
        department = left.selectbox(
            "Department",
            list(departments),
            format_func=departments.get,
            index=None,
            key="entry_department",
        )
        with left:
            _field_error(errors, "department_id")
        day = middle.date_input(
            "Date of the response",
            value=now.astimezone(tz).date(),
            format="YYYY-MM-DD",
            key="entry_date",
        )
        with middle:
            _field_error(errors, "responded_on")
        external_id = right.text_input("Survey id (optional)", key="entry_external_id")
        with right:
            _field_error(errors, "external_id")
        answers: dict[int, float | None] = {}
        for q in instrument.questions:
            choice = st.selectbox(
                q.wording,
                [NOT_ANSWERED, *range(q.scale_min, q.scale_max + 1)],
                key=f"entry_answer_{q.id}",
                help=f"Scale {q.scale_min}–{q.scale_max} ({q.scale_labels}); top box "
                f"{q.top_box_text}.",
            )
            answers[q.id] = None if choice == NOT_ANSWERED else float(choice)
            _field_error(errors, f"answer.{q.id}")
        _field_error(errors, "answers")
        comment = st.text_area("Comment (optional)", key="entry_comment", max_chars=4000)
        _field_error(errors, "comment")
        mrn_col, interaction_col = st.columns(2)
        mrn = mrn_col.text_input("Patient MRN (optional)", key="entry_mrn")
        with mrn_col:
            _field_error(errors, "patient_id")
        interaction = interaction_col.number_input(
            "Interaction number (optional)",
            min_value=1,
            step=1,
            value=None,
            key="entry_interaction",
        )
        with interaction_col:
            _field_error(errors, "interaction_id")
        submitted = st.form_submit_button("Save response", type="primary")
    if not submitted:
        return
    with Session(engine) as session:
        try:
            with session.begin():
                patient_id = patient_by_mrn(session=session, mrn=mrn) if mrn.strip() else None
                if mrn.strip() and patient_id is None:
                    raise InvalidInput({"patient_id": "No patient with this MRN."})
                response_id, concerns = save_response(
                    session=session,
                    staff=staff,
                    entry=ResponseEntry(
                        instrument_id=instrument.id,
                        department_id=department,
                        responded_on=day,
                        answers=answers,
                        comment=comment,
                        patient_id=patient_id,
                        interaction_id=int(interaction) if interaction else None,
                        external_id=external_id,
                    ),
                    tz=tz,
                    now=now,
                )
        except InvalidInput as refused:
            st.session_state["survey_entry_errors"] = refused.errors
            st.rerun()
    st.session_state["survey_entry_errors"] = {}
    message = f"Response {response_id} saved."
    if concerns:
        message += f" Service-recovery concern {concerns[0]} opened for follow-up."
    st.session_state["survey_entry_saved"] = message
    st.rerun()


def _mapping_widgets(vendor_file: imp.VendorFile, instrument: Instrument, start: imp.Mapping):
    columns = list(vendor_file.columns)
    optional = [NOT_IN_FILE, *columns]

    def pick(label: str, current: str | None, options: list[str], key: str) -> str:
        index = options.index(current) if current in options else 0
        return st.selectbox(label, options, index=index, key=key)

    a, b, c, d = st.columns(4)
    with a:
        department = pick("Department column", start.department_column, columns, "map_dept")
    with b:
        date_column = pick("Date column", start.date_column, columns, "map_date")
    with c:
        external = pick("Survey id column", start.external_id_column, optional, "map_ext")
    with d:
        comment = pick("Comment column", start.comment_column, optional, "map_comment")
    by_code = {code: column for column, code in start.questions.items()}
    questions = {}
    grid = st.columns(3)
    for i, q in enumerate(instrument.questions):
        with grid[i % 3]:
            column = pick(f"{q.code}", by_code.get(q.code), optional, f"map_q_{q.id}")
        if column != NOT_IN_FILE:
            questions[column] = q.code
    e, f = st.columns(2)
    missing = e.text_input(
        "Codes that mean missing (comma-separated; empty answers always count as missing)",
        value=", ".join(c for c in start.missing_codes if c),
        key="map_missing",
    )
    date_format = f.text_input(
        "Date format (ISO, or e.g. %m/%d/%Y)", value=start.date_format, key="map_date_format"
    )
    return imp.Mapping(
        instrument_id=instrument.id,
        department_column=department,
        date_column=date_column,
        questions=questions,
        external_id_column=None if external == NOT_IN_FILE else external,
        comment_column=None if comment == NOT_IN_FILE else comment,
        missing_codes=("", *(c.strip() for c in missing.split(",") if c.strip())),
        date_format=date_format.strip() or imp.ISO,
    )


def _show_report(report: imp.CheckReport) -> None:
    st.write(
        f"{report.total_rows:,} rows read: {len(report.rows):,} to import, "
        f"{report.already_imported:,} already imported, {report.blank:,} blank surveys "
        f"skipped, {len(report.problems):,} problems."
    )
    if report.unknown_departments:
        st.warning("Unknown departments (add them or fix the file; names are never guessed):")
        st.dataframe(pd.DataFrame({"Department in the file": report.unknown_departments}))
    if report.problems:
        st.error("Nothing can be imported until every row is fixed. The rows with problems:")
        st.dataframe(pd.DataFrame([p.__dict__ for p in report.problems[:500]]), hide_index=True)
        st.download_button(
            "Download the row-by-row report (CSV)",
            report.problems_csv(),
            file_name="survey-import-problems.csv",
            mime="text/csv",
            key="import_report_download",
        )


def import_section(
    *, engine, staff: StaffMember, instrument: Instrument, tz: ZoneInfo, now: dt.datetime
) -> None:
    """Upload, map (saved profiles), preview, check every row, import all or nothing."""
    st.subheader(f"Import a vendor file: {instrument.name}")
    upload = st.file_uploader(
        f"CSV file (at most {imp.MAX_FILE_BYTES // 1_000_000} MB)",
        type=["csv", "txt"],
        key="import_file",
    )
    if upload is None:
        return
    try:
        vendor_file = imp.read_vendor_file(upload.getvalue())
    except imp.FileUnreadable as unreadable:
        st.error(str(unreadable))
        return
    with Session(engine) as session:
        saved = imp.profiles(session=session, instrument_id=instrument.id)
    names = {NEW_PROFILE: "New mapping (guessed from the column names)"} | {
        p.id: p.name for p in saved
    }
    chosen = st.selectbox("Mapping profile", list(names), format_func=names.get, key="profile")
    start = next((p.mapping for p in saved if p.id == chosen), None) or imp.guess_mapping(
        vendor_file.columns, instrument
    )
    mapping = _mapping_widgets(vendor_file, instrument, start)
    problems = imp.mapping_problems(mapping, vendor_file.columns)
    for message in problems.values():
        st.error(message)
    if problems:
        return
    profile_name = st.text_input(
        "Save this mapping as (optional)",
        value=names[chosen] if chosen else "",
        key="profile_name",
    )
    with Session(engine) as session:
        report = imp.check_file(
            session=session,
            vendor_file=vendor_file,
            mapping=mapping,
            today=now.astimezone(tz).date(),
        )
    codes = {q.id: q.code for q in instrument.questions}
    st.caption("The first rows as they will be stored:")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "row": r.row,
                    "department": r.department,
                    "date": r.responded_on,
                    "survey id": r.external_id,
                    **{codes[q]: v for q, v in r.answers.items()},
                    "comment": r.comment,
                }
                for r in report.rows[:PREVIEW_ROWS]
            ]
        ),
        hide_index=True,
    )
    _show_report(report)
    if not report.ok or not report.rows:
        return
    if not st.button(f"Import {len(report.rows):,} responses", type="primary", key="do_import"):
        return
    bar = st.progress(0.0, text="Starting")
    with Session(engine) as session:
        try:
            with session.begin():
                if profile_name.strip():
                    imp.save_profile(
                        session=session, staff=staff, name=profile_name, mapping=mapping
                    )
                result = imp.import_file(
                    session=session,
                    staff=staff,
                    vendor_file=vendor_file,
                    mapping=mapping,
                    tz=tz,
                    now=now,
                    progress=lambda fraction, text: bar.progress(min(fraction, 1.0), text=text),
                )
        except imp.ImportRefused as refused:
            _show_report(refused.report)
            return
        except InvalidInput as refused:
            st.error(next(iter(refused.errors.values())))
            return
    st.success(
        f"Imported {result.imported:,} responses ({result.answers:,} answers); "
        f"{result.already_imported:,} were already there; {len(result.concerns_opened):,} "
        "service-recovery concerns opened."
    )
