"""What every administrator change shares: the `admin-change` audit row with before and after.

The admin areas live next to this module: db.admin_users (staff accounts), db.admin_reference
(departments and categories), db.admin_sla (SLA targets, grievance clocks, public holidays) and
db.admin_audit (the audit log viewer). Each change is a plain function taking the session (the
caller owns the transaction) and the administrator making it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from db.audit import record_audit
from db.permissions import NotPermitted, Permission, allows
from db.users import StaffMember


class NotAllowed(NotPermitted):
    """The signed-in person may not make this change (the message says why)."""


def require_admin(actor: StaffMember) -> None:
    """Every admin write checks the permission again, whatever the page showed."""
    if not allows(actor, Permission.ADMINISTERS):
        raise NotAllowed("Only an administrator can change this.")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list | set | frozenset):
        return [_plain(v) for v in (sorted(value) if isinstance(value, set | frozenset) else value)]
    return value


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """The fields whose value differs, as (before, after) dicts of JSON-ready values.

    A field absent from `before` (a record being created) is left out of the before side."""
    keys = [k for k in after if k not in before or _plain(before[k]) != _plain(after[k])]
    return (
        {k: _plain(before[k]) for k in keys if k in before},
        {k: _plain(after[k]) for k in keys},
    )


def record_admin_change(
    *,
    session: Session,
    actor: StaffMember,
    entity: str,
    entity_id: int | str,
    change: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> bool:
    """Write one `admin-change` row with the changed fields only; False if nothing changed."""
    old, new = changed_fields(before, after)
    if not new and not old:
        return False
    record_audit(
        session=session,
        action="admin-change",
        username=actor.username,
        user_id=actor.id,
        entity=entity,
        entity_id=entity_id,
        detail={"change": change, "before": old, "after": new},
    )
    return True
