"""Where the database is, and the one engine that talks to it.

With DATABASE_URL set, that server is used as it is. Without it (demo mode) an embedded
PostgreSQL from the `pgserver` wheel runs with its data in `<data_dir>/pg`, which survives
restarts.
"""

from __future__ import annotations

import secrets
import warnings
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.roles import APP_ROLE, url_for_role
from db.settings import Settings, get_settings

EMBEDDED_DATABASE = "patient_relations"


def embedded_server_url(pgdata: Path, database: str = EMBEDDED_DATABASE) -> str:
    """Start (or reuse) the embedded PostgreSQL in `pgdata` and return a psycopg2 URL for
    `database`, creating that database on first use."""
    pgdata.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp serves.
        warnings.simplefilter("ignore")
        import pgserver  # imported here: only demo mode and tests need it

        # cleanup_mode=None: the server outlives this process, so the app, the launcher and a
        # second `make run` all share one server and one data folder.
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    base = make_url(server.get_uri()).set(drivername="postgresql+psycopg2")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        admin.dispose()
    return base.set(database=database).render_as_string(hide_password=False)


def database_url(settings: Settings | None = None) -> str:
    """The owner's URL, for migrations and grants: DATABASE_OWNER_URL, else DATABASE_URL, or
    the embedded server's superuser in demo mode."""
    settings = settings or get_settings()
    if settings.owner_database_url:
        return settings.owner_database_url
    if settings.database_url:
        return settings.database_url
    return embedded_server_url(settings.data_dir / "pg")


def app_database_url(settings: Settings | None = None) -> str:
    """The URL the app connects with: DATABASE_URL, or in demo mode the embedded server as the
    least-privilege app role (`python -m db.cli prepare` creates it)."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    owner = embedded_server_url(settings.data_dir / "pg")
    return url_for_role(owner, APP_ROLE, demo_app_role_password(settings))


def demo_app_role_password(settings: Settings) -> str:
    """The embedded app role's password, generated once and kept in the data folder."""
    path = settings.data_dir / "app_role_password"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def make_engine(url: str) -> Engine:
    """An engine with short timeouts, so an unreachable database gives a message, not a hang."""
    return create_engine(
        url,
        pool_pre_ping=True,  # recover by itself when the database comes back
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 5, "application_name": "patient-relations-desk"},
    )
