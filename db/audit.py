"""The audit trail: every login, PHI view, search, edit, unmask and export (README: Security)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from db.models import AUDIT_ACTIONS, AuditLog


def record_audit(
    *,
    session: Session,
    action: str,
    username: str,
    user_id: int | None = None,
    entity: str | None = None,
    entity_id: int | str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to `session`; it commits with the work it describes."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditLog(
            user_id=user_id,
            username=username,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail or {},
        )
    )
