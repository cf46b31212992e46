"""What every benchmark shares: timing, the one way a median and p95 are computed, the
reference data set, a staff member to act as, and the result rows `benchmarks.run` prints."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from db.migrate import upgrade_to_head
from db.models import AppUser, Interaction
from db.users import StaffMember, staff_member


@dataclass(frozen=True)
class Measurement:
    """One timed thing: its median and p95 in ms, and the target it is held to."""

    benchmark: str
    name: str
    median_ms: float
    p95_ms: float
    target: str  # e.g. "p95 < 20 ms"; "" when there is none
    ok: bool = True


def median_and_p95(samples_ms: Sequence[float]) -> tuple[float, float]:
    """Median and 95th percentile (linear interpolation between ranks, numpy's default)."""
    return statistics.median(samples_ms), float(np.percentile(samples_ms, 95))


def time_ms(function: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per run over `runs` runs, after one warm-up run (plans, caches)."""
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000.0)
    return samples


def prepare_reference(engine: Engine, progress: Callable[[str], object] = print) -> None:
    """Migrate; generate the reference data set (seed 1) into an empty database; VACUUM ANALYZE
    so index-only scans and the planner see the loaded data."""
    upgrade_to_head(engine, progress=lambda m: progress(f"  {m}"))
    with Session(engine) as session:
        has_data = session.scalar(select(func.count()).select_from(Interaction)) > 0
    if not has_data:
        from synthetic import generate

        progress("Generating the reference data set (seed 1)...")
        generate(engine, size="reference", seed=1, progress=lambda m: progress(f"  {m}"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        progress(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")


def first_staff_with(engine: Engine, role: str) -> StaffMember:
    """The first account holding `role` (the generated staff include every role)."""
    with Session(engine) as session:
        user = session.scalars(
            select(AppUser).where(AppUser.roles.any(role)).order_by(AppUser.id)
        ).first()
        if user is None:
            raise SystemExit(f"No {role} account in the benchmark database.")
        return staff_member(user)


def print_table(measurements: Sequence[Measurement]) -> None:
    """One Markdown table of every measurement."""
    print("\n| benchmark | measure | median ms | p95 ms | target | verdict |")
    print("|---|---|---:|---:|---|---|")
    for m in measurements:
        verdict = ("ok" if m.ok else "OVER") if m.target else ""
        print(
            f"| {m.benchmark} | {m.name} | {m.median_ms:.1f} | {m.p95_ms:.1f} | {m.target} "
            f"| {verdict} |"
        )
