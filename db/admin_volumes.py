"""Encounter volumes: patient encounters per department per month, the denominator of complaint
rates per 1,000 encounters. Typed in a grid or imported from CSV (all rows or none)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.admin import record_admin_change, require_admin
from db.models import Department, EncounterVolume
from db.users import StaffMember
from db.validation import InvalidInput

MAX_ENCOUNTERS = 10_000_000  # a month of one department; anything above is a typing slip
CSV_COLUMNS = ("department", "month", "encounters")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")


@dataclass(frozen=True)
class VolumeCell:
    department_id: int
    month: dt.date  # first of the month
    encounters: int | None  # None: remove the figure


def encounter_volumes(*, session: Session, year: int) -> dict[tuple[int, dt.date], int]:
    """(department id, first of month) -> encounters, for one calendar year."""
    rows = session.execute(
        select(EncounterVolume.department_id, EncounterVolume.month, EncounterVolume.encounters)
        .where(EncounterVolume.month >= dt.date(year, 1, 1))
        .where(EncounterVolume.month < dt.date(year + 1, 1, 1))
    ).all()
    return {(d, m): n for d, m, n in rows}


def _label(names: dict[int, str], cell: VolumeCell) -> str:
    return f"{names.get(cell.department_id, cell.department_id)} {cell.month:%Y-%m}"


def save_encounter_volumes(
    *, session: Session, actor: StaffMember, cells: list[VolumeCell], change: str = "grid"
) -> int:
    """Write the cells (a None figure removes that month); one audit row lists every change.

    Returns how many figures changed. Raises InvalidInput keyed by "<department> <YYYY-MM>"."""
    require_admin(actor)
    names = dict(session.execute(select(Department.id, Department.name)).all())
    errors = {}
    for cell in cells:
        if cell.department_id not in names:
            errors[_label(names, cell)] = "Unknown department."
        elif cell.month.day != 1:
            errors[_label(names, cell)] = "Months are stored by their first day."
        elif cell.encounters is not None and not 0 <= cell.encounters <= MAX_ENCOUNTERS:
            errors[_label(names, cell)] = f"Use a whole number from 0 to {MAX_ENCOUNTERS:,}."
    if errors:
        raise InvalidInput(errors)
    before, after = {}, {}
    for cell in cells:
        row = session.get(EncounterVolume, (cell.department_id, cell.month), with_for_update=True)
        old = row.encounters if row else None
        if old == cell.encounters:
            continue
        if cell.encounters is None:
            session.delete(row)
        elif row is None:
            session.add(
                EncounterVolume(
                    department_id=cell.department_id, month=cell.month, encounters=cell.encounters
                )
            )
        else:
            row.encounters = cell.encounters
        before[_label(names, cell)] = old
        after[_label(names, cell)] = cell.encounters
    if after:
        record_admin_change(
            session=session,
            actor=actor,
            entity="encounter_volume",
            entity_id=change,
            change=f"encounter volumes ({change})",
            before=before,
            after=after,
        )
    return len(after)


def parse_encounter_csv(*, session: Session, data: bytes) -> list[VolumeCell]:
    """Rows of department (name), month (YYYY-MM), encounters. Every bad row is reported
    (InvalidInput keyed "row N", counting the header as row 1); nothing is returned partly."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": "Save the file as UTF-8 CSV."}) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if header[:3] != list(CSV_COLUMNS):
        raise InvalidInput({"file": f"The first line must be: {','.join(CSV_COLUMNS)}"})
    departments = {
        name.lower(): dept_id
        for dept_id, name in session.execute(select(Department.id, Department.name))
    }
    cells, errors, seen = [], {}, {}
    for number, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        dept_id = departments.get(row.get("department", "").lower())
        match = MONTH_PATTERN.match(row.get("month", ""))
        problems = []
        if dept_id is None:
            problems.append(f"unknown department {row.get('department', '')!r}")
        month = None
        if not match or not 1 <= int(match.group(2)) <= 12:
            problems.append("month must look like 2026-01")
        else:
            month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        figure = row.get("encounters", "").replace(",", "")
        if not figure.isdigit() or int(figure) > MAX_ENCOUNTERS:
            problems.append(f"encounters must be a whole number from 0 to {MAX_ENCOUNTERS:,}")
        if not problems and (dept_id, month) in seen:
            problems.append(f"same department and month as row {seen[(dept_id, month)]}")
        if problems:
            errors[f"row {number}"] = "; ".join(problems)
            continue
        seen[(dept_id, month)] = number
        cells.append(VolumeCell(dept_id, month, int(figure)))
    if errors:
        raise InvalidInput(errors)
    if not cells:
        raise InvalidInput({"file": "The file has no rows under its header."})
    return cells


def volume_years(*, session: Session, this_year: int) -> list[int]:
    """Years offered in the grid: those with figures, and this year and last, newest first."""
    first = session.scalar(select(func.min(EncounterVolume.month)))
    start = min(first.year if first else this_year - 1, this_year - 1)
    return list(range(this_year, start - 1, -1))
