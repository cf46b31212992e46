"""The weekly summary's files, read back: CSV parsed, XLSX opened with openpyxl (no formula from
user text, dates as dates), the PDF has one page with the KPI labels and the week and renders to
PNG; formula-injection payloads are neutralised; the command line writes the same files as the
page and mails the PDF and XLSX to a local SMTP server; every file is audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import socket
import subprocess
from pathlib import Path

import openpyxl
import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

import db.settings
from components.weekly_exports import (
    csv_files,
    export_files,
    pdf_file,
    weekly_package,
    xlsx_file,
)
from db import cli
from db.csv_safe import spreadsheet_safe
from db.models import AuditLog, Department
from db.settings import get_settings
from db.weekly_summary import week_concerns, week_interactions
from tests.dashboard_world import (
    NOW,
    PATIENT_MRNS,
    PATIENT_NAMES,
    WEEK,
    add_concern,
    add_interaction,
    build_world,
    local,
)

PAYLOADS = ('=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)", "\tTAB", "\rCR")


@pytest.fixture
def world(engine, make_staff):
    staff = make_staff("manager", username="builder")
    with Session(engine) as s, s.begin():
        return build_world(s, staff.id)


@pytest.fixture
def package(world, session):
    return weekly_package(session=session, week=WEEK, now=NOW, settings=get_settings())


def test_spreadsheet_safe():
    for payload in PAYLOADS:
        assert spreadsheet_safe(payload) == "'" + payload
    assert spreadsheet_safe("Cardiology") == "Cardiology"
    assert spreadsheet_safe(5) == 5


def test_csv_reads_back_de_identified(package):
    interactions, concerns = csv_files(package.brief, package.interactions, package.concerns)
    assert interactions.name == "weekly-summary-2026-W46-interactions.csv"
    rows = list(csv.DictReader(io.StringIO(interactions.data.decode("utf-8-sig"))))
    assert len(rows) == interactions.rows == 5
    assert rows[-1]["occurred_at"] == "2026-11-15 23:30"
    concern_rows = list(csv.DictReader(io.StringIO(concerns.data.decode("utf-8-sig"))))
    assert len(concern_rows) == concerns.rows == 5
    text = interactions.data.decode("utf-8-sig") + concerns.data.decode("utf-8-sig")
    for secret in (*PATIENT_NAMES, *PATIENT_MRNS):
        assert secret not in text


def test_xlsx_reads_back(package):
    file = xlsx_file(package.brief, package.interactions, package.concerns)
    book = openpyxl.load_workbook(io.BytesIO(file.data))
    assert book.sheetnames == ["Summary", "Interactions", "Concerns"]
    summary = book["Summary"]
    assert summary.freeze_panes == "B7"
    labels = [summary.cell(row=r, column=1).value for r in range(7, 18)]
    assert labels == [line.label for line in package.brief.summary.lines]
    interactions_row = 7
    assert summary.cell(row=interactions_row, column=2).value == 5
    on_time = labels.index("On-time resolution") + 7
    assert summary.cell(row=on_time, column=2).value == pytest.approx(2 / 3)
    assert summary.cell(row=on_time, column=2).number_format == "0.0%"
    assert summary.cell(row=on_time, column=3).value == 3
    assert summary.cell(row=on_time, column=6).value == "—"  # nothing resolved before
    assert summary.cell(row=3, column=2).value == dt.datetime(2026, 11, 9)
    data = book["Interactions"]
    assert data.max_row == 6
    assert isinstance(data.cell(row=2, column=2).value, dt.datetime)
    text = " ".join(
        str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value
    )
    for secret in (*PATIENT_NAMES, *PATIENT_MRNS):
        assert secret not in text


def test_pdf_is_one_page_with_the_kpis_and_the_week(package, tmp_path):
    file = pdf_file(package.brief)
    reader = PdfReader(io.BytesIO(file.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "2026-W46" in text and "9 Nov 2026" in text
    for line in package.brief.summary.lines:
        assert line.label in text
    assert "What changed" in text
    for secret in (*PATIENT_NAMES, *PATIENT_MRNS):
        assert secret not in text
    if shutil.which("pdftoppm"):
        path = tmp_path / "brief.pdf"
        path.write_bytes(file.data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True
        )
        assert [p.name for p in tmp_path.glob("page*.png")] == ["page-1.png"]


def test_the_same_summary_gives_the_same_bytes(world, session):
    first = weekly_package(session=session, week=WEEK, now=NOW, settings=get_settings()).files()
    second = weekly_package(session=session, week=WEEK, now=NOW, settings=get_settings()).files()
    assert [f.sha256 for f in first] == [f.sha256 for f in second]


def test_formula_payloads_are_neutralised_everywhere(world, session, engine):
    departments = []
    for payload in PAYLOADS:
        department = Department(name=payload)
        session.add(department)
        session.flush()
        departments.append(department.id)
        add_interaction(
            session, world.staff_id, local(2026, 11, 10, 12), department.id, "information-only"
        )
        concern = add_concern(
            session,
            world.staff_id,
            type="complaint",
            severity="low",
            department_id=department.id,
            opened_at=local(2026, 11, 10, 13),
            due_at=local(2026, 11, 24, 13),
        )
        concern.summary = payload
    session.commit()
    package = weekly_package(session=session, week=WEEK, now=NOW, settings=get_settings())
    xlsx = xlsx_file(package.brief, package.interactions, package.concerns)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    seen = set()
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                # openpyxl leaves a CR as the XML escape xlsxwriter wrote for it.
                value = cell.value.replace("_x000D_", "\r") if isinstance(cell.value, str) else ""
                if value.lstrip("'") in PAYLOADS:
                    assert value.startswith("'")
                    seen.add(value[1:])
    assert seen == set(PAYLOADS)
    identified = csv_files(
        package.brief,
        week_interactions(session=session, week=WEEK, identified=True),
        week_concerns(session=session, week=WEEK, identified=True),
        identified=True,
    )
    for file in identified:
        for row in csv.reader(io.StringIO(file.data.decode("utf-8-sig"), newline="")):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'=HYPERLINK" in identified[1].data.decode("utf-8-sig")
    # The PDF shows department names as plain text.
    text = PdfReader(io.BytesIO(pdf_file(package.brief).data)).pages[0].extract_text()
    assert any(payload.strip() in text for payload in PAYLOADS)


# --- the command line ----------------------------------------------------------------------------


def _audits(engine) -> list[AuditLog]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditLog).order_by(AuditLog.id)))


def test_the_command_line_writes_what_the_page_offers(world, engine, session, tmp_path):
    with time_machine.travel(NOW, tick=False):
        code = cli.main(["weekly-summary", "--week", "2026-W46", "--out", str(tmp_path)])
    assert code == 0
    package = weekly_package(session=session, week=WEEK, now=NOW, settings=get_settings())
    expected = {f.name: f for f in package.files()}
    written = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(written) == set(expected)
    for name, file in expected.items():
        assert written[name] == file.data, name
    audits = _audits(engine)
    assert [a.action for a in audits] == ["export"] * 4
    for audit in audits:
        assert audit.entity_id == "2026-W46"
        assert audit.detail["filters"] == {"week": "2026-W46"}
        file = expected[audit.detail["file"]]
        assert (audit.detail["format"], audit.detail["rows"], audit.detail["sha256"]) == (
            file.file_format,
            file.rows,
            file.sha256,
        )


def test_last_week_for_cron(world, tmp_path):
    with time_machine.travel(NOW, tick=False):
        assert (
            cli.main(
                ["weekly-summary", "--week", "last", "--format", "pdf", "--out", str(tmp_path)]
            )
            == 0
        )
    assert [p.name for p in tmp_path.iterdir()] == ["weekly-summary-2026-W46.pdf"]


@pytest.mark.parametrize(
    "args",
    [["--week", "2026-W99"], ["--format", "docx"], ["--mail-to", "not an address"]],
)
def test_bad_arguments_write_nothing(world, tmp_path, args, capsys):
    assert cli.main(["weekly-summary", "--out", str(tmp_path / "out"), *args]) == 2
    assert not (tmp_path / "out").exists()
    assert "Not written" in capsys.readouterr().err


@pytest.fixture
def smtp_server(monkeypatch):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:  # a free port (the controller cannot be given port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PRD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PRD_SMTP_PORT", str(port))
    monkeypatch.setenv("PRD_SMTP_STARTTLS", "false")
    monkeypatch.setenv("PRD_SMTP_SENDER", "desk@riverside.example")
    db.settings.get_settings.cache_clear()
    yield received
    controller.stop()
    db.settings.get_settings.cache_clear()


def test_mail_arrives_with_the_pdf_and_the_xlsx(world, engine, tmp_path, smtp_server):
    with time_machine.travel(NOW, tick=False):
        code = cli.main(
            [
                "weekly-summary", "--week", "2026-W46", "--format", "csv", "--out", str(tmp_path),
                "--mail-to", "director@riverside.example,coo@riverside.example",
            ]
        )  # fmt: skip
    assert code == 0
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "director@riverside.example, coo@riverside.example"
    assert "2026-W46" in message["Subject"]
    attachments = {
        part.get_filename(): part.get_payload(decode=True)
        for part in message.walk()
        if part.get_filename()
    }
    assert set(attachments) == {"weekly-summary-2026-W46.pdf", "weekly-summary-2026-W46.xlsx"}
    assert attachments["weekly-summary-2026-W46.pdf"].startswith(b"%PDF")
    # Only the CSV files were asked for on disk.
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".csv", ".csv"]
    mailed = [a for a in _audits(engine) if a.detail.get("via") == "mail"]
    assert {a.detail["format"] for a in mailed} == {"pdf", "xlsx"}
    assert mailed[0].detail["mailed_to"] == ["director@riverside.example", "coo@riverside.example"]


def test_no_smtp_host_keeps_the_files_and_says_so(world, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PRD_SMTP_HOST", raising=False)
    db.settings.get_settings.cache_clear()
    code = cli.main(
        ["weekly-summary", "--week", "2026-W46", "--format", "pdf", "--out", str(tmp_path),
         "--mail-to", "director@riverside.example"]
    )  # fmt: skip
    assert code == 3
    assert "mail not sent" in capsys.readouterr().err
    assert [p.name for p in Path(tmp_path).iterdir()] == ["weekly-summary-2026-W46.pdf"]


def test_export_files_in_order(package):
    files = export_files(package.brief, package.interactions, package.concerns, ("xlsx", "pdf"))
    assert [f.file_format for f in files] == ["pdf", "xlsx"]
