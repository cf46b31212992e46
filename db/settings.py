"""Settings in one place.

Read from environment variables first, then `.streamlit/secrets.toml` (top-level keys of the same
names in lower case), then defaults. Nothing else in the app reads the environment for settings.
"""

from __future__ import annotations

import math
import os
import secrets
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_COOKIE_KEY_BYTES = 32
MIN_COOKIE_KEY_BITS = 128
# Keys that appear in docs and examples: refused so nobody ships them.
KNOWN_DEFAULT_COOKIE_KEYS = {"", "changeme", "change-me", "secret", "some_signature_key"}


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set."""


def _secrets_file() -> dict:
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    value = _secrets_file().get(name.lower())
    if value not in (None, ""):
        return str(value)
    return default


@dataclass(frozen=True)
class Settings:
    database_url: str | None  # None: demo mode on the embedded PostgreSQL
    # The role that owns the tables and runs migrations; the app connects as DATABASE_URL's.
    owner_database_url: str | None
    data_dir: Path  # embedded database, demo cookie key
    facility_name: str
    facility_tz_name: str
    cookie_key: str | None
    cookie_expiry_hours: float
    idle_timeout_minutes: int
    # However active, a session ends this long after sign-in (PRD_SESSION_LIFETIME_HOURS).
    session_lifetime_hours: float = 12.0
    server_address: str | None = None  # PRD_SERVER_ADDRESS
    # Outgoing mail for the scheduled weekly summary (python -m db.cli weekly-summary --mail-to).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_sender: str = "patient-relations@localhost"

    @property
    def bind_address(self) -> str:
        """Where the app server listens: PRD_SERVER_ADDRESS, else every interface in demo mode
        and only this machine otherwise (the reverse proxy in front is the way in: docs/)."""
        if self.server_address:
            return self.server_address
        return "0.0.0.0" if self.demo_mode else "127.0.0.1"

    @property
    def demo_mode(self) -> bool:
        """Demo mode: no DATABASE_URL, so the embedded server with demo data and demo users."""
        return self.database_url is None

    @property
    def facility_tz(self) -> ZoneInfo:
        return ZoneInfo(self.facility_tz_name)

    def require_cookie_key(self) -> str:
        """The cookie signing key; in demo mode generated once and kept in the data folder.

        Outside demo mode a missing, short or well-known key stops the app: a guessable key lets
        anyone forge a login cookie.
        """
        if self.cookie_key is not None:
            key = self.cookie_key
        elif self.demo_mode:
            key_file = self.data_dir / "cookie_key"
            if not key_file.exists():
                self.data_dir.mkdir(parents=True, exist_ok=True)
                key_file.write_text(secrets.token_urlsafe(48))
                key_file.chmod(0o600)
            key = key_file.read_text().strip()
        else:
            raise ConfigurationError(
                "PRD_COOKIE_KEY is not set. Set it to at least 32 random bytes, for example: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if (
            key.lower() in KNOWN_DEFAULT_COOKIE_KEYS
            or len(key.encode()) < MIN_COOKIE_KEY_BYTES
            or key_entropy_bits(key) < MIN_COOKIE_KEY_BITS
        ):
            raise ConfigurationError(
                f"PRD_COOKIE_KEY must be at least {MIN_COOKIE_KEY_BYTES} random bytes, "
                "not a default or repetitive value."
            )
        return key


def key_entropy_bits(key: str) -> float:
    """Shannon entropy of the key's characters times its length: about how many bits of
    randomness it holds. 40 x "a" holds 0; secrets.token_urlsafe(48) about 350; 64 hex digits
    about 250. It cannot prove randomness, only catch keys a person made up."""
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values())


def _normalise_url(url: str) -> str:
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; this project ships psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    url = _get("DATABASE_URL")
    tz_name = _get("PRD_FACILITY_TZ", "America/New_York")
    ZoneInfo(tz_name)  # fail early on a misspelt zone
    return Settings(
        database_url=_normalise_url(url) if url else None,
        owner_database_url=_normalise_url(owner) if (owner := _get("DATABASE_OWNER_URL")) else None,
        data_dir=Path(_get("PRD_DATA_DIR", str(PROJECT_ROOT / ".data"))),
        facility_name=_get("PRD_FACILITY_NAME", "Riverside General Hospital"),
        facility_tz_name=tz_name,
        cookie_key=_get("PRD_COOKIE_KEY"),
        cookie_expiry_hours=float(_get("PRD_COOKIE_EXPIRY_HOURS", "8")),
        idle_timeout_minutes=int(_get("PRD_IDLE_TIMEOUT_MINUTES", "15")),
        session_lifetime_hours=float(_get("PRD_SESSION_LIFETIME_HOURS", "12")),
        server_address=_get("PRD_SERVER_ADDRESS"),
        smtp_host=_get("PRD_SMTP_HOST"),
        smtp_port=int(_get("PRD_SMTP_PORT", "587")),
        smtp_user=_get("PRD_SMTP_USER"),
        smtp_password=_get("PRD_SMTP_PASSWORD"),
        smtp_starttls=_get("PRD_SMTP_STARTTLS", "true").lower() in ("1", "true", "yes", "on"),
        smtp_sender=_get("PRD_SMTP_SENDER", "patient-relations@localhost"),
    )
