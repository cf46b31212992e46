"""Every benchmark, one after the other, then one table of all they measured.

    PRD_DATA_DIR=/tmp/prd-bench .venv/bin/python -m benchmarks.run

They run on the reference data set in PRD_DATA_DIR (or DATABASE_URL), generating it first when
the database is empty (about a minute). The desk benchmark writes interactions and concerns:
never point it at a database you care about. Exit status 1 when a measurement misses its target.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import audit_viewer, dashboard, desk, satisfaction
from benchmarks.common import print_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs per measurement (a smoke run)"
    )
    args = parser.parse_args(argv)
    # The dashboard first: the desk benchmark adds rows that a fresh VACUUM ANALYZE has not seen.
    dashboard_args = ["--runs", "3", "--page-runs", "2", "--pandas-runs", "1"] if args.quick else []
    desk_args = ["--runs", "20"] if args.quick else []
    print("== Dashboard ==", flush=True)
    measured = dashboard.measure(dashboard_args)
    print("\n== Satisfaction ==", flush=True)
    measured += satisfaction.measure(["--runs", "3", "--page-runs", "2"] if args.quick else [])
    print("\n== Desk ==", flush=True)
    measured += desk.main(desk_args)
    # Adds 5 M generated audit rows to the database the first time (about 3 minutes).
    print("\n== Audit log viewer ==", flush=True)
    measured += audit_viewer.main(["--runs", "20"] if args.quick else [])
    print_table(measured)
    return 0 if all(m.ok for m in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
