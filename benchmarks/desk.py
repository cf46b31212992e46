"""Desk benchmark at the reference size (targets in BENCHMARKS.md): saving an interaction,
patient lookup and the open-concerns worklist with every filter.

    PRD_DATA_DIR=/tmp/prd-bench-desk .venv/bin/python -m benchmarks.desk

Uses the embedded PostgreSQL in PRD_DATA_DIR (or DATABASE_URL): migrates it and generates the
reference data set when it is empty (synthetic, seed 1). It writes benchmark interactions
and concerns into that database: never point it at one you care about.

Targets: save p95 < 20 ms including the audit row; lookup p95 < 20 ms; worklist p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import uuid
from collections.abc import Callable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from benchmarks.common import (
    Measurement,
    first_staff_with,
    median_and_p95,
    prepare_reference,
    time_ms,
)
from db.concerns import WorklistFilters, open_concerns
from db.engine import database_url, make_engine
from db.intake import ConcernDraft, InteractionDraft, log_interaction
from db.models import Category, Department, Interaction, Patient
from db.patients import search_patients
from db.settings import get_settings


def _report(
    measured: list[Measurement], name: str, samples_ms: list[float], target_ms: float
) -> None:
    median, p95 = median_and_p95(samples_ms)
    measured.append(
        Measurement("desk", name, median, p95, f"p95 < {target_ms:.0f} ms", p95 < target_ms)
    )
    verdict = "ok" if p95 < target_ms else "OVER"
    print(
        f"  {name:<44} median {median:6.2f} ms   p95 {p95:6.2f} ms   "
        f"(target p95 < {target_ms:.0f} ms: {verdict})"
    )


def main(argv: list[str] | None = None) -> list[Measurement]:
    """Run the desk benchmarks, printing as they go; returns what was measured."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args(argv)
    measured: list[Measurement] = []
    engine = make_engine(database_url())
    prepare_reference(engine)
    tz = get_settings().facility_tz
    rng = random.Random(7)
    with Session(engine) as s:
        counts = {
            "patients": s.scalar(select(func.count()).select_from(Patient)),
            "interactions": s.scalar(select(func.count()).select_from(Interaction)),
            "concerns": s.scalar(text("SELECT count(*) FROM concern")),
        }
        departments = list(s.scalars(select(Department.id)))
        categories = list(s.scalars(select(Category.id)))
        sample = s.execute(
            select(Patient.id, Patient.mrn, Patient.family_name, Patient.phone_digits)
            .order_by(func.random())
            .limit(500)
        ).all()
    manager = first_staff_with(engine, "manager")
    exec_staff = first_staff_with(engine, "executive")
    print(
        f"Reference data: {counts['patients']:,} patients, {counts['interactions']:,} "
        f"interactions, {counts['concerns']:,} concerns; {args.runs} runs each\n"
    )

    print("Saving an interaction (one transaction: interaction [+ concern, issue, events] + audit)")

    def save(outcome: str) -> Callable[[], object]:
        def run():
            patient = rng.choice(sample)
            draft = InteractionDraft(
                client_submission_id=uuid.uuid4(),
                occurred_at=dt.datetime.now(dt.UTC),
                channel="phone",
                direction="inbound",
                summary="Benchmark call about parking and visiting hours",
                outcome=outcome,
                patient_id=patient.id,
                department_id=rng.choice(departments),
                category_id=rng.choice(categories),
                duration_minutes=4,
                concern=ConcernDraft(owner_id=manager.id),
            )
            with Session(engine) as s, s.begin():
                log_interaction(session=s, staff=manager, draft=draft, tz=tz)

        return run

    _report(
        measured,
        "resolved at first contact",
        time_ms(save("resolved-first-contact"), args.runs),
        20,
    )
    _report(measured, "opens a concern", time_ms(save("concern-opened"), args.runs), 20)

    print("\nPatient lookup (prefix search, 10 results)")

    def lookup(make_query: Callable[[], str]) -> Callable[[], object]:
        def run():
            with Session(engine) as s:
                search_patients(session=s, query=make_query())

        return run

    _report(
        measured,
        "MRN prefix (7 characters)",
        time_ms(lookup(lambda: rng.choice(sample).mrn[:7]), args.runs),
        20,
    )
    _report(
        measured,
        "family name prefix (3 letters)",
        time_ms(lookup(lambda: rng.choice(sample).family_name[:3]), args.runs),
        20,
    )
    _report(
        measured,
        'family + given name ("smith jo")',
        time_ms(lookup(lambda: rng.choice(sample).family_name[:4] + " a"), args.runs),
        20,
    )
    phones = [p.phone_digits for p in sample if p.phone_digits]
    _report(
        measured, "phone digits (6)", time_ms(lookup(lambda: rng.choice(phones)[:6]), args.runs), 20
    )

    print("\nOpen-concerns worklist (200 rows at most, soonest due first)")
    now = dt.datetime.now(dt.UTC)
    filters = {
        "manager, no filter": WorklistFilters(),
        "status in progress": WorklistFilters(statuses=("in_progress",)),
        "type grievance": WorklistFilters(types=("grievance",)),
        "severity high + critical": WorklistFilters(severities=("high", "critical")),
        "one department": WorklistFilters(department_id=departments[0]),
        "one owner": WorklistFilters(owner_id=exec_staff.id),
        "unassigned": WorklistFilters(unassigned_only=True),
        "overdue only": WorklistFilters(overdue_only=True),
        'text in summary ("wait")': WorklistFilters(text="wait"),
    }
    for name, f in filters.items():

        def run(f=f):
            with Session(engine) as s:
                open_concerns(session=s, staff=manager, filters=f, now=now)

        _report(measured, name, time_ms(run, min(args.runs, 100)), 50)

    def executive_view():
        with Session(engine) as s:
            open_concerns(session=s, staff=exec_staff, filters=WorklistFilters(), now=now)

    _report(
        measured, "executive (own + unassigned)", time_ms(executive_view, min(args.runs, 100)), 50
    )
    engine.dispose()
    return measured


if __name__ == "__main__":
    main()
