"""Two database roles: the owner runs migrations, the app connects with only what it needs.

The owner of a table can TRUNCATE it, disable or drop its triggers and alter it, so an app that
connects as the owner (or as a superuser) could erase the audit trail despite its append-only
triggers. The app role therefore owns nothing: it may read and write rows, but never TRUNCATE,
never change the schema, and only read and add rows of the append-only tables.
`grant_app_privileges` is run by the owner after every migration (new tables get their grants).
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

APP_ROLE = "prd_app"
# Evidence: the audit trail and the concern timeline are only ever added to.
APPEND_ONLY_TABLES = ("audit_log", "concern_event")


def _quote(conn: Connection, identifier: str) -> str:
    return conn.scalar(text("SELECT quote_ident(:i)"), {"i": identifier})


def ensure_app_role(conn: Connection, role: str = APP_ROLE, password: str | None = None) -> None:
    """Create the app's login role if it does not exist (needs CREATEROLE); set its password."""
    quoted = _quote(conn, role)
    exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if not exists:
        conn.execute(text(f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
    if password is not None:
        literal = conn.scalar(text("SELECT quote_literal(:p)"), {"p": password})
        conn.execute(text(f"ALTER ROLE {quoted} PASSWORD {literal}"))


def grant_app_privileges(conn: Connection, role: str = APP_ROLE) -> None:
    """Give `role` row access to every table of the current database, and nothing more."""
    quoted = _quote(conn, role)
    database = _quote(conn, conn.scalar(text("SELECT current_database()")))
    for statement in (
        f"GRANT CONNECT ON DATABASE {database} TO {quoted}",
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ):
        conn.execute(text(statement))
    for table in APPEND_ONLY_TABLES:
        conn.execute(text(f"REVOKE UPDATE, DELETE ON {table} FROM {quoted}"))


def url_for_role(owner_url: str, role: str, password: str | None) -> str:
    """The owner's URL with the app role's name and password (same server and database)."""
    return (
        make_url(owner_url)
        .set(username=role, password=password)
        .render_as_string(hide_password=False)
    )
