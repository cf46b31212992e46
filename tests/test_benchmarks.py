"""benchmarks/common.py: one way to compute a median and p95, and the one table benchmarks.run
prints."""

from __future__ import annotations

import pytest

from benchmarks.common import Measurement, median_and_p95, print_table, time_ms


def test_median_and_p95_interpolate_between_ranks():
    samples = [float(v) for v in range(1, 21)]  # 1..20
    median, p95 = median_and_p95(samples)
    assert median == 10.5
    assert p95 == pytest.approx(19.05)
    assert median_and_p95([4.0]) == (4.0, 4.0)


def test_time_ms_warms_up_once_then_times_each_run():
    calls = []
    samples = time_ms(lambda: calls.append(1), 5)
    assert len(calls) == 6 and len(samples) == 5
    assert all(s >= 0 for s in samples)


def test_the_table_has_a_verdict_only_where_there_is_a_target(capsys):
    print_table(
        [
            Measurement("desk", "lookup", 3.21, 4.5, "p95 < 20 ms", True),
            Measurement("desk", "save", 30, 45, "p95 < 20 ms", False),
            Measurement("dashboard", "empty page", 80, 90, ""),
        ]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "| benchmark | measure | median ms | p95 ms | target | verdict |"
    assert lines[2] == "| desk | lookup | 3.2 | 4.5 | p95 < 20 ms | ok |"
    assert lines[3].endswith("| OVER |")
    assert lines[4] == "| dashboard | empty page | 80.0 | 90.0 |  |  |"
