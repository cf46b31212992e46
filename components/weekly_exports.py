"""The weekly summary's files: a one-page landscape PDF brief, an XLSX workbook and CSV files of
the week's interactions and concerns. Pure functions from a `Brief` (and the week's rows) to
bytes, shared by the page's download buttons and the scheduled command, so both hand out the
same files.

Choices, on purpose:
- PDF with fpdf2 (pure Python, no browser, no network); the two charts are Altair specs rendered
  to PNG offline by vl-convert-python. fpdf2 writes text as text: nothing typed by staff is
  interpreted as markup (no `markdown=True`, no HTML).
- XLSX with xlsxwriter, with `strings_to_formulas`, `strings_to_urls` and `strings_to_numbers`
  off, so a text cell stays text whatever it starts with.
- Every text cell of CSV and XLSX is neutralised as well (a leading = + - @ tab or CR gets a
  '), because a CSV has no cell types and a reader may paste XLSX text elsewhere.
- File dates are the summary's data cut-off, not the time the file was written, so the same
  summary gives the same bytes (and the same SHA-256) from the page and from the command line.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import vl_convert as vlc
import xlsxwriter
from fpdf import FPDF
from sqlalchemy.orm import Session

from components.kpi_tiles import NO_VALUE
from components.weekly_brief import COLUMNS, Brief, brief, instrument_rows
from db.csv_safe import spreadsheet_safe
from db.periods import Period
from db.settings import Settings
from db.weekly_summary import week_concerns, week_interactions, weekly_summary

PDF_MIME = "application/pdf"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
FORMATS = ("pdf", "xlsx", "csv")
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PDF_LIST_ROWS = 5  # rows of each short list on the one-page brief (all rows in the XLSX)
CHART_SCALE = 2.5  # PNG pixels per chart pixel: sharp when printed, quick to render


@dataclass(frozen=True)
class ExportFile:
    """One file handed out: its name, bytes, type, and how many data rows it holds."""

    name: str
    data: bytes
    mime: str
    file_format: str
    rows: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def write(self, folder: Path) -> Path:
        path = Path(folder) / self.name
        path.write_bytes(self.data)
        return path


def file_stem(brief: Brief) -> str:
    return f"weekly-summary-{brief.summary.label}"


# --- CSV ---------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    # pandas turns a missing date into NaT and a missing number into NaN.
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _cell_text(value: Any) -> Any:
    if _missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)  # an id in a column with gaps, which pandas made a float
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return spreadsheet_safe(value)


def csv_file(frame: pd.DataFrame, name: str) -> ExportFile:
    """`frame` as CSV (UTF-8 with a byte-order mark, which Excel needs to read accents), every
    text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([_cell_text(v) for v in row])
    return ExportFile(name, buffer.getvalue().encode("utf-8-sig"), CSV_MIME, "csv", len(frame))


def csv_files(
    brief: Brief, interactions: pd.DataFrame, concerns: pd.DataFrame, *, identified: bool = False
) -> list[ExportFile]:
    """The week's interactions and concerns, one CSV each."""
    suffix = "-identified" if identified else ""
    stem = file_stem(brief)
    return [
        csv_file(interactions, f"{stem}-interactions{suffix}.csv"),
        csv_file(concerns, f"{stem}-concerns{suffix}.csv"),
    ]


# --- XLSX --------------------------------------------------------------------------------------

_NUMBER_FORMATS = {
    "count": "#,##0",
    "share": "0.0%",
    "days": '0.0" d"',
    "points": "+0;-0;0",
    "per_thousand": "0.00",
}


def xlsx_file(brief: Brief, interactions: pd.DataFrame, concerns: pd.DataFrame) -> ExportFile:
    """A Summary sheet for reading (the KPI table with numbers as numbers, widths, frozen
    header) and one data sheet each for the week's interactions and concerns."""
    summary = brief.summary
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
        },
    )
    created = summary.cutoff.astimezone(dt.UTC).replace(tzinfo=None)
    book.set_properties({"title": f"Weekly summary {summary.label}", "created": created})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bottom": 1, "bg_color": "#E7E6E6", "text_wrap": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    number = {kind: book.add_format({"num_format": f}) for kind, f in _NUMBER_FORMATS.items()}
    count = number["count"]
    average = book.add_format({"num_format": "#,##0.0"})
    right = book.add_format({"align": "right"})

    sheet = book.add_worksheet("Summary")
    sheet.write(0, 0, spreadsheet_safe(brief.header[0]), title)
    sheet.write(1, 0, spreadsheet_safe(brief.header[1]))
    sheet.write(2, 0, "Week", bold)
    sheet.write_datetime(2, 1, dt.datetime.combine(summary.week.first_day, dt.time()), date_format)
    sheet.write_datetime(2, 2, dt.datetime.combine(summary.week.last_day, dt.time()), date_format)
    sheet.write(3, 0, "Data cut-off", bold)
    cutoff = summary.cutoff.astimezone(summary.week.tz).replace(tzinfo=None)
    sheet.write_datetime(3, 1, cutoff, time_format)
    heads = [
        "Measure", "This week", "n", "Previous week", "n", "4 weeks before", "n", "Change",
        "Variation (26 weeks)",
    ]  # fmt: skip
    top = 5
    sheet.write_row(top, 0, heads, header)
    sheet.freeze_panes(top + 1, 1)

    def put(row: int, col: int, value: float | None, fmt: Any) -> None:
        if value is None:
            sheet.write_string(row, col, NO_VALUE, right)
        else:
            sheet.write_number(row, col, value, fmt)

    def put_n(row: int, col: int, n: int | None) -> None:
        if n is not None:
            sheet.write_number(row, col, n, count)

    for i, table_row in enumerate(brief.table, start=top + 1):
        line, r = table_row.line, table_row.line.this_week
        fmt = number[line.kind]
        sheet.write_string(i, 0, spreadsheet_safe(line.label))
        put(i, 1, r.value, fmt)
        put_n(i, 2, r.denominator)
        put(i, 3, r.previous_value, fmt)
        put_n(i, 4, r.previous_denominator)
        put(i, 5, line.baseline_value, average if line.kind == "count" else fmt)
        put_n(i, 6, line.baseline_denominator)
        sheet.write_string(i, 7, table_row.cells[4], right)
        sheet.write_string(i, 8, spreadsheet_safe(table_row.cells[5]))
    row = top + len(brief.table) + 2
    sheet.write(row, 0, "What changed", bold)
    for sentence in brief.sentences:
        row += 1
        sheet.write_string(row, 0, spreadsheet_safe(sentence))
    for heading, columns, rows in _lists(brief):
        row += 2
        sheet.write(row, 0, heading, bold)
        row += 1
        sheet.write_row(row, 0, columns, header)
        for cells in rows:
            row += 1
            for col, value in enumerate(cells):
                if isinstance(value, int | float):
                    sheet.write_number(
                        row, col, value, count if isinstance(value, int) else average
                    )
                else:
                    sheet.write_string(row, col, spreadsheet_safe(str(value)))
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 8, 14)
    sheet.set_column(8, 8, 22)

    for name, frame in (("Interactions", interactions), ("Concerns", concerns)):
        data = book.add_worksheet(name)
        data.write_row(0, 0, list(frame.columns), header)
        data.freeze_panes(1, 0)
        for c_index, column in enumerate(frame.columns):
            _write_column(data, c_index, frame[column], time_format)
        data.set_column(0, len(frame.columns) - 1, 16)
        data.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    book.close()
    rows = len(interactions) + len(concerns)
    return ExportFile(f"{file_stem(brief)}.xlsx", buffer.getvalue(), XLSX_MIME, "xlsx", rows)


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _write_column(sheet: Any, col: int, values: pd.Series, time_format: Any) -> None:
    """One data column from row 1 down, typed once for the whole column (a cell-by-cell type
    check costs more than the writing): dates as Excel date-times, numbers as numbers, anything
    else as neutralised text; empty cells left empty."""
    if pd.api.types.is_datetime64_any_dtype(values):
        serials = ((values - _EXCEL_EPOCH) / pd.Timedelta(days=1)).tolist()
        for row, serial in enumerate(serials, start=1):
            if serial == serial:  # NaN (a missing date) is not equal to itself
                sheet.write_number(row, col, serial, time_format)
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        for row, number in enumerate(values.tolist(), start=1):
            if number == number and number is not None:
                sheet.write_number(row, col, number)
    else:
        for row, value in enumerate(values.tolist(), start=1):
            if not _missing(value):
                sheet.write_string(row, col, spreadsheet_safe(str(value)))


def _lists(brief: Brief) -> list[tuple[str, list[str], list[tuple]]]:
    """The lists under the KPI table: (heading, column names, rows), shared by XLSX and PDF."""
    summary = brief.summary
    movers = [(m.name, m.this_week, m.median_before) for m in summary.top_categories]
    departments = [(m.name, m.this_week, m.median_before) for m in summary.top_departments]
    return [
        ("Top categories (issues)", ["Category", "This week", "4-week median"], movers),
        ("Top departments (concerns opened)", ["Department", "This week", "4-week median"],
         departments),
        ("Overdue at week end, by department", ["Department", "Overdue"],
         [(d, int(n)) for d, n in summary.overdue_by_department.itertuples(index=False)]),
        ("Complaints per 1,000 encounters, by department",
         ["Department", "Complaints", "Encounters", "Per 1,000"],
         [(d, int(c), round(e), round(float(p), 2))
          for d, c, e, p in summary.complaint_rates.itertuples(index=False)]),
        ("Satisfaction (unadjusted)", ["Measure", "This week", "Previous week"],
         instrument_rows(summary)),
    ]  # fmt: skip


# --- PDF ---------------------------------------------------------------------------------------


def chart_png(chart: Any) -> bytes:
    """An Altair chart as PNG, rendered offline (no browser, no network)."""
    return vlc.vegalite_to_png(chart.to_json(), scale=CHART_SCALE)


class _Brief(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="landscape", unit="mm", format="letter")
        self.set_auto_page_break(False)
        self.set_margins(10, 9, 10)
        if (_FONT_DIR / "DejaVuSans.ttf").exists():
            self.add_font("brief", "", str(_FONT_DIR / "DejaVuSansCondensed.ttf"))
            self.add_font("brief", "B", str(_FONT_DIR / "DejaVuSansCondensed-Bold.ttf"))
            self.family = "brief"
        else:  # the core font: replace what latin-1 lacks rather than fail
            self.family = "helvetica"

    def text_of(self, value: str) -> str:
        # Control characters (a tab or CR typed into a name) have no glyph: print a space.
        value = "".join(" " if ord(c) < 32 else c for c in value)
        if self.family == "helvetica":
            value = value.replace("—", "-").replace("–", "-").replace("·", "|").replace("≥", ">=")
            return value.encode("latin-1", "replace").decode("latin-1")
        return value

    def style(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def table_block(
        self, x: float, y: float, widths: list[float], rows: list[tuple], size: float, line: float
    ) -> float:
        """A small table: first row bold with a rule under it; returns the y below it."""
        for index, cells in enumerate(rows):
            self.set_xy(x, y)
            self.style(size, bold=index == 0)
            for col, (width, value) in enumerate(zip(widths, cells, strict=True)):
                align = "L" if col == 0 else "R"
                text = self.text_of(str(value))
                while text and self.get_string_width(text) > width - 1:
                    text = text[:-2] + "…" if self.family == "brief" else text[:-1]
                self.cell(width, line, text, align=align)
            y += line
            if index == 0:
                self.set_draw_color(90)
                self.line(x, y, x + sum(widths), y)
        return y


def pdf_file(brief: Brief, *, charts: tuple[bytes, bytes] | None = None) -> ExportFile:
    """The one-page landscape brief: header, KPI table, what changed, the two charts and the
    short lists. Black text on white, shades of grey only, so it prints in black and white."""
    summary = brief.summary
    volume, nps = charts or (chart_png(brief.volume_chart()), chart_png(brief.nps_chart()))
    pdf = _Brief()
    pdf.set_creation_date(summary.cutoff.astimezone(dt.UTC))
    pdf.set_title(f"Weekly summary {summary.label}")
    pdf.set_creator("Patient Relations Desk")
    pdf.add_page()
    left, width = pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin
    pdf.style(15, bold=True)
    pdf.set_xy(left, 8)
    pdf.cell(width, 7, pdf.text_of(brief.header[0]))
    pdf.style(8.5)
    pdf.set_xy(left, 15)
    pdf.cell(width, 5, pdf.text_of(brief.header[1]))

    # KPI table on the left, charts on the right.
    widths = [48, 27, 27, 28, 24, 25]
    table_width = sum(widths)
    rows = [COLUMNS, *(r.cells for r in brief.table)]
    y = pdf.table_block(left, 23, widths, rows, 8.5, 6)
    y += 3
    pdf.style(10, bold=True)
    pdf.set_xy(left, y)
    pdf.cell(table_width, 5, "What changed")
    pdf.style(8.5)
    pdf.set_xy(left, y + 6)
    paragraph = " ".join(brief.sentences)
    pdf.multi_cell(table_width, 4.2, pdf.text_of(paragraph), align="L")
    y = pdf.get_y() + 4

    chart_x, chart_w = left + table_width + 5, width - table_width - 5
    chart_h = chart_w * 0.62
    pdf.image(io.BytesIO(volume), x=chart_x, y=23, w=chart_w, keep_aspect_ratio=True, h=chart_h)
    pdf.image(
        io.BytesIO(nps), x=chart_x, y=27 + chart_h, w=chart_w, keep_aspect_ratio=True, h=chart_h
    )
    y = max(y, 31 + 2 * chart_h)

    # The short lists along the bottom, in three columns.
    lists = _lists(brief)
    # Two lists stack in a column: fewer rows each when a long paragraph pushed them down.
    list_rows = PDF_LIST_ROWS if y < 150 else 3
    column_w = (width - 8) / 3
    spots = [(left, y), (left + column_w + 4, y), (left + 2 * (column_w + 4), y)]
    heights = [y, y, y]
    for heading, columns, items in lists:
        col = heights.index(min(heights))
        x, y0 = spots[col][0], heights[col]
        pdf.style(9, bold=True)
        pdf.set_xy(x, y0)
        pdf.cell(column_w, 5, pdf.text_of(heading))
        cells = [tuple(columns), *[tuple(_pdf_cell(v) for v in r) for r in items[:list_rows]]]
        if not items:
            cells.append(("None", *[""] * (len(columns) - 1)))
        elif len(items) > list_rows:
            more = f"+{len(items) - list_rows} more in the XLSX"
            cells.append((more, *[""] * (len(columns) - 1)))
        pdf.style(8)
        numbers_w = [
            max(pdf.get_string_width(pdf.text_of(str(r[i]))) + 3 for r in cells)
            for i in range(1, len(columns))
        ]
        widths = [column_w - sum(numbers_w), *numbers_w]
        heights[col] = pdf.table_block(x, y0 + 5, widths, cells, 8, 4.3) + 3
    pdf.style(6.5)
    pdf.set_xy(left, pdf.h - 8)
    pdf.cell(
        width,
        4,
        pdf.text_of(
            "Counts and rates only; no patient-identifying data. n = what a rate was measured "
            "on; — = nothing to measure. Variation: control chart of the last 26 weeks "
            "(Making Data Count rules). Satisfaction scores are internal and unadjusted."
        ),
    )
    data = bytes(pdf.output())
    return ExportFile(f"{file_stem(brief)}.pdf", data, PDF_MIME, "pdf", len(brief.table))


def _pdf_cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# --- everything for one request ------------------------------------------------------------------


def export_files(
    brief: Brief,
    interactions: pd.DataFrame,
    concerns: pd.DataFrame,
    formats: tuple[str, ...] = FORMATS,
) -> list[ExportFile]:
    """The files of `formats` (pdf, xlsx, csv), de-identified, in that order."""
    files: list[ExportFile] = []
    if "pdf" in formats:
        files.append(pdf_file(brief))
    if "xlsx" in formats:
        files.append(xlsx_file(brief, interactions, concerns))
    if "csv" in formats:
        files += csv_files(brief, interactions, concerns)
    return files


@dataclass(frozen=True)
class WeeklyPackage:
    """The brief of a week and its de-identified rows: what the page previews and every file
    is made from."""

    brief: Brief
    interactions: pd.DataFrame
    concerns: pd.DataFrame

    def files(self, formats: tuple[str, ...] = FORMATS) -> list[ExportFile]:
        return export_files(self.brief, self.interactions, self.concerns, formats)


def weekly_brief(*, session: Session, week: Period, now: dt.datetime, settings: Settings) -> Brief:
    """Read the week's summary (figures as at `now`) and make its brief."""
    summary = weekly_summary(session=session, week=week, now=now, facility=settings.facility_name)
    return brief(summary, tz_label=settings.facility_tz_name)


def weekly_package(
    *, session: Session, week: Period, now: dt.datetime, settings: Settings
) -> WeeklyPackage:
    """Read the week's summary (figures as at `now`) and rows, de-identified."""
    return WeeklyPackage(
        weekly_brief(session=session, week=week, now=now, settings=settings),
        week_interactions(session=session, week=week),
        week_concerns(session=session, week=week),
    )


def mail_body(package: WeeklyPackage) -> str:
    """The text of the mailed summary: the header, what changed, and what is attached."""
    b = package.brief
    return "\n\n".join(
        [
            *b.header,
            "What changed: " + " ".join(b.sentences),
            "Attached: the one-page brief (PDF) and the workbook (XLSX). Counts and rates only; "
            "no patient-identifying data.",
        ]
    )
