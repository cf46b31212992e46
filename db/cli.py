"""Command line for running and administering Patient Relations Desk.

python -m db.cli prepare                 # what `make run` does before serving the app
python -m db.cli migrate                 # apply pending migrations
python -m db.cli server-address          # 127.0.0.1 unless demo mode or PRD_SERVER_ADDRESS
python -m db.cli create-user USERNAME --name "Full Name" --role manager [--role admin]
python -m db.cli set-password USERNAME   # asks for the password (or PRD_NEW_PASSWORD)
python -m db.cli generate --size demo|reference|FACTOR [--seed N]   # FACTOR x reference
python -m db.cli check-summaries [--repair]   # exit 1 when a summary disagrees with its rows
python -m db.cli weekly-summary --week 2026-W47|last --format pdf,xlsx,csv --out DIR
                                [--mail-to a@x,b@y]
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.admin_facility import with_stored_facility
from db.demo import DEMO_PASSWORD, DEMO_USERS, ensure_demo_accounts
from db.engine import database_url, demo_app_role_password, make_engine
from db.migrate import upgrade_to_head
from db.models import ROLES, Interaction
from db.roles import APP_ROLE, ensure_app_role, grant_app_privileges
from db.settings import get_settings
from db.summaries import (
    SUMMARY_KEYS,
    ensure_summary_time_zone,
    repair_summaries,
    summary_differences,
    totals_differ,
)
from db.users import create_user, set_password

DEMO_SEED = 20261124
DRIFT_FOUND = 1  # check-summaries: a summary disagreed with its raw rows (repaired or not)
DRIFT_REMAINS = 3  # check-summaries --repair: still disagreeing after the repair


def _engine():
    return make_engine(database_url())


def _seed_instruments(engine) -> None:
    """The standard survey instruments, on any database, after any demo data (whose own
    instruments keep their ids); existing ones are left as they are."""
    from db.satisfaction import seed_standard_instruments

    with Session(engine) as session, session.begin():
        seed_standard_instruments(session=session)


def _grant_app_role(engine) -> None:
    """After migrating as the owner: the app role may use the (possibly new) tables. In demo
    mode the role is created here; in production the DBA creates it (README)."""
    settings = get_settings()
    if settings.demo_mode:
        with engine.begin() as conn:
            ensure_app_role(conn, APP_ROLE, demo_app_role_password(settings))
            grant_app_privileges(conn, APP_ROLE)
    elif settings.owner_database_url:
        role = make_url(settings.database_url).username
        with engine.begin() as conn:
            grant_app_privileges(conn, role)
        print(f"App role: {role} (row access only)")
    else:
        print("App role: none (DATABASE_OWNER_URL unset: the app connects as the owner)")


def prepare(port: str) -> None:
    """Start the database, migrate, load demo data on first start, and say how to sign in."""
    settings = get_settings()
    where = (
        "embedded PostgreSQL in " + str(settings.data_dir / "pg")
        if settings.demo_mode
        else ("DATABASE_URL")
    )
    print(f"Database: {where}", flush=True)
    engine = _engine()
    applied = upgrade_to_head(engine)
    print(f"Schema: {len(applied)} migration(s) applied" if applied else "Schema: up to date")
    _grant_app_role(engine)
    if settings.demo_mode:
        settings.require_cookie_key()
        with Session(engine) as session:
            has_data = session.scalar(select(func.count()).select_from(Interaction)) > 0
        if not has_data:
            from synthetic import generate

            print("Loading demo data (first start only)...", flush=True)
            generate(engine, size="demo", seed=DEMO_SEED, progress=print)
        with Session(engine) as session, session.begin():
            ensure_demo_accounts(session=session)
    _seed_instruments(engine)
    with Session(engine) as session:
        # The administrator's stored time zone, else the environment's.
        tz_name = with_stored_facility(session=session, defaults=settings).facility_tz_name
    _summaries_at_start(engine, tz_name)
    if settings.demo_mode:
        print()
        print(f"Patient Relations Desk: http://localhost:{port}")
        print(f"Sign in as one of: {', '.join(u.username for u in DEMO_USERS)}", end="")
        print(f"  (password: {DEMO_PASSWORD})")
        for user in DEMO_USERS:
            print(f"  {user.username:<8} {', '.join(user.roles)}")
        print()
    else:
        settings.require_cookie_key()
        print(f"Patient Relations Desk: http://localhost:{port}")
    engine.dispose()


def _summaries_at_start(engine, tz_name: str) -> None:
    """The dashboard summaries on the facility's calendar and in step with their rows, checked
    cheaply at start (so no page view ever rebuilds them); refilled here when they are not."""
    with Session(engine) as session, session.begin():
        if ensure_summary_time_zone(session=session, tz_name=tz_name):
            print(f"Summaries: rebuilt to count days in {tz_name}")
        differ = totals_differ(session=session)
        if differ:
            print("Summaries: totals differ from the rows they count:")
            for line in differ:
                print(f"  {line}")
            repair_summaries(session=session, progress=print)
        else:
            print("Summaries: totals agree with the rows they count")


def check_summaries(engine, *, repair: bool, shown: int = 10) -> int:
    """Compare every summary with its raw rows, print what differs, refill on request; the
    exit status says whether anything differed (0: nothing; DRIFT_FOUND; DRIFT_REMAINS)."""
    drifted = []
    with Session(engine) as session, session.begin():
        for table in SUMMARY_KEYS:
            started = time.perf_counter()
            count, rows = summary_differences(session=session, table=table, limit=shown)
            took = time.perf_counter() - started
            print(f"{table}: {count:,} differing row(s) ({took:.1f} s)", flush=True)
            for row in rows:
                key = ", ".join(f"{k}={v}" for k, v in row.key.items())
                measures = ", ".join(
                    f"{m} {row.in_summary[m]} (rows give {row.from_raw_rows[m]})"
                    for m in row.in_summary
                    if row.in_summary[m] != row.from_raw_rows[m]
                )
                print(f"  {key}: {measures}")
            if count > len(rows):
                print(f"  ... and {count - len(rows):,} more")
            if count:
                drifted.append(table)
        if not drifted:
            print("All summaries agree with their rows.")
            return 0
        if not repair:
            print(f"Drift in {len(drifted)} summary table(s); run again with --repair to refill.")
            return DRIFT_FOUND
        repair_summaries(session=session, tables=drifted, progress=lambda m: print(m, flush=True))
    with Session(engine) as session:
        remaining = [t for t in SUMMARY_KEYS if summary_differences(session=session, table=t)[0]]
    if remaining:
        print(f"Still differing after the repair: {', '.join(remaining)}")
        return DRIFT_REMAINS
    print(f"Repaired: {', '.join(drifted)}. All summaries now agree with their rows.")
    return DRIFT_FOUND


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.cli", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="database, migrations, demo data; prints sign-in help")
    p.add_argument("--port", default=os.environ.get("PORT", "8501"))
    sub.add_parser("migrate", help="apply pending migrations")
    sub.add_parser("server-address", help="print the address the app server should listen on")
    p = sub.add_parser("create-user", help="add a staff account")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--email")
    p.add_argument("--role", action="append", choices=ROLES, required=True)
    p = sub.add_parser("set-password", help="set a password; ends that user's sessions")
    p.add_argument("username")
    p = sub.add_parser("generate", help="load synthetic data (empty database recommended)")
    p.add_argument(
        "--size",
        default="demo",
        help="demo, reference, or a factor of the reference size (0.1, 3, 10: years of history)",
    )
    p.add_argument("--seed", type=int, default=DEMO_SEED)
    p = sub.add_parser(
        "check-summaries",
        help="compare the dashboard summaries with their rows; exit 1 on drift",
    )
    p.add_argument("--repair", action="store_true", help="refill the summaries that differ")
    p = sub.add_parser(
        "weekly-summary", help="write the weekly summary's files (and mail them) for a cron job"
    )
    p.add_argument("--week", default="last", help="ISO week such as 2026-W47, or 'last'")
    p.add_argument("--format", default="pdf,xlsx,csv", help="any of pdf,xlsx,csv")
    p.add_argument("--out", required=True, help="folder for the files (created if missing)")
    p.add_argument("--mail-to", help="comma-separated addresses: mails the PDF and the XLSX")
    args = parser.parse_args(argv)

    if args.command == "prepare":
        prepare(args.port)
    elif args.command == "server-address":
        print(get_settings().bind_address)
    elif args.command == "migrate":
        engine = _engine()
        applied = upgrade_to_head(engine)
        print(f"{len(applied)} migration(s) applied" if applied else "Schema is up to date")
        _grant_app_role(engine)
    elif args.command in ("create-user", "set-password"):
        password = os.environ.get("PRD_NEW_PASSWORD") or getpass.getpass("New password: ")
        engine = _engine()
        try:
            with Session(engine) as session, session.begin():
                if args.command == "create-user":
                    create_user(
                        session=session,
                        username=args.username,
                        display_name=args.name,
                        email=args.email,
                        password=password,
                        roles=args.role,
                    )
                else:
                    set_password(session=session, username=args.username, password=password)
        except ValueError as error:
            print(f"Not saved: {error}", file=sys.stderr)
            return 2
        except IntegrityError:
            print(f"Not saved: a user named {args.username!r} already exists.", file=sys.stderr)
            return 2
        print("Saved.")
    elif args.command == "generate":
        from synthetic import generate, size_for

        try:
            size_for(args.size)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        engine = _engine()
        upgrade_to_head(engine)
        generate(engine, size=args.size, seed=args.seed, progress=print)
    elif args.command == "check-summaries":
        engine = _engine()
        try:
            return check_summaries(engine, repair=args.repair)
        finally:
            engine.dispose()
    elif args.command == "weekly-summary":
        return weekly_summary_command(args)
    return 0


def weekly_summary_command(args: argparse.Namespace) -> int:
    """Write the weekly summary's files as the page offers them (the same functions, so the
    same numbers), audit each file, and mail the PDF and XLSX when asked."""
    from components.weekly_exports import FORMATS, mail_body, weekly_package
    from db.mail import MailNotConfigured, parse_recipients, send_mail
    from db.weekly_summary import (
        last_complete_week,
        parse_week,
        record_weekly_export,
        week_label,
    )

    MAILED = ("pdf", "xlsx")
    engine = _engine()
    with Session(engine) as session:
        settings = with_stored_facility(session=session, defaults=get_settings())
    now = dt.datetime.now(dt.UTC)
    try:
        if args.week == "last":
            week = last_complete_week(now=now, tz_name=settings.facility_tz_name)
        else:
            week = parse_week(args.week, tz_name=settings.facility_tz_name)
        formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
        unknown = [f for f in formats if f not in FORMATS]
        if unknown or not formats:
            raise ValueError(f"formats are any of {', '.join(FORMATS)}")
        recipients = parse_recipients(args.mail_to) if args.mail_to else []
    except ValueError as error:
        print(f"Not written: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    username = f"cli:{getpass.getuser()}"
    with Session(engine) as session, session.begin():
        package = weekly_package(session=session, week=week, now=now, settings=settings)
        wanted = tuple(f for f in FORMATS if f in formats or (recipients and f in MAILED))
        made = package.files(wanted)
        mailed = [f for f in made if f.file_format in MAILED] if recipients else []
        for file in (f for f in made if f.file_format in formats):
            path = file.write(out)
            record_weekly_export(
                session=session, username=username, user_id=None, week=week,
                file_format=file.file_format, rows=file.rows, sha256=file.sha256,
                extra={"file": file.name, "via": "command line"},
            )  # fmt: skip
            print(f"{path}  {file.rows} rows  sha256 {file.sha256}")
    if recipients:
        try:
            send_mail(
                settings=settings,
                recipients=recipients,
                subject=f"{settings.facility_name}: weekly summary {week_label(week)}",
                body=mail_body(package),
                attachments=[(f.name, f.data, f.mime) for f in mailed],
            )
        except (MailNotConfigured, OSError) as error:
            print(f"Files written, mail not sent: {error}", file=sys.stderr)
            return 3
        with Session(engine) as session, session.begin():
            for file in mailed:
                record_weekly_export(
                    session=session, username=username, user_id=None, week=week,
                    file_format=file.file_format, rows=file.rows, sha256=file.sha256,
                    extra={"file": file.name, "via": "mail", "mailed_to": recipients},
                )  # fmt: skip
        print(f"Mailed {', '.join(f.name for f in mailed)} to {', '.join(recipients)}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
