"""Apply the Alembic migrations: the only way the schema changes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
# One app server migrates at a time when several start together.
_MIGRATION_LOCK_KEY = 724_153_001


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def pending_revisions(engine: Engine) -> list[str]:
    """Revisions not yet applied, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    revisions = [rev.revision for rev in script.iterate_revisions("heads", current)]
    return list(reversed(revisions))


def upgrade_to_head(engine: Engine, progress=print) -> list[str]:
    """Bring the schema to the newest revision, reporting each step; returns what was applied."""
    pending = pending_revisions(engine)
    if not pending:
        return []
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        for i, revision in enumerate(pending, start=1):
            progress(f"Applying migration {i}/{len(pending)}: {revision}")
            command.upgrade(cfg, revision)
    return pending
