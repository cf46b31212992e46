"""Form drafts: what a staff member typed and has not saved yet, kept per person and form.

A draft is replaced on every change, deleted when the form is saved or the draft discarded, and
no longer offered a day after its last change (expired drafts are deleted when that person's
drafts are next written). Only its owner's id ever selects it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from db.models import FormDraft

DRAFT_LIFETIME = dt.timedelta(days=1)
MAX_DRAFT_TEXT = 20_000  # characters per field: more than any form accepts


@dataclass(frozen=True)
class Draft:
    fields: dict[str, str]
    saved_at: dt.datetime


def _clean(fields: dict[str, object]) -> dict[str, str]:
    """Text fields only, NUL removed (PostgreSQL text cannot hold it), long text cut."""
    cleaned = {}
    for name, value in fields.items():
        if value is None:
            continue
        text = str(value).replace("\x00", "")[:MAX_DRAFT_TEXT]
        if text.strip():
            cleaned[str(name)[:100]] = text
    return cleaned


def save_draft(
    *, session: Session, user_id: int, form: str, fields: dict[str, object], now: dt.datetime
) -> bool:
    """Keep `fields` as `form`'s draft for `user_id` (a form with nothing typed has no draft).
    Returns whether a draft is now kept."""
    cleaned = _clean(fields)
    session.execute(
        delete(FormDraft).where(
            FormDraft.user_id == user_id, FormDraft.saved_at < now - DRAFT_LIFETIME
        )
    )
    if not cleaned:
        discard_draft(session=session, user_id=user_id, form=form)
        return False
    statement = insert(FormDraft).values(user_id=user_id, form=form, fields=cleaned, saved_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[FormDraft.user_id, FormDraft.form],
            set_={"fields": statement.excluded.fields, "saved_at": statement.excluded.saved_at},
        )
    )
    return True


def load_draft(*, session: Session, user_id: int, form: str, now: dt.datetime) -> Draft | None:
    """`user_id`'s draft of `form`, unless it is older than DRAFT_LIFETIME."""
    row = session.execute(
        select(FormDraft.fields, FormDraft.saved_at).where(
            FormDraft.user_id == user_id,
            FormDraft.form == form,
            FormDraft.saved_at >= now - DRAFT_LIFETIME,
        )
    ).first()
    return Draft(dict(row.fields), row.saved_at) if row else None


def discard_draft(*, session: Session, user_id: int, form: str) -> None:
    """Forget `form`'s draft for `user_id` (after a save, or when the user discards it)."""
    session.execute(delete(FormDraft).where(FormDraft.user_id == user_id, FormDraft.form == form))


def latest_draft_form(
    *, session: Session, user_id: int, prefix: str, now: dt.datetime
) -> str | None:
    """The most recently changed of `user_id`'s live drafts whose form name starts with `prefix`
    (the page opens that form first, so the draft is in view)."""
    return session.scalar(
        select(FormDraft.form)
        .where(
            FormDraft.user_id == user_id,
            FormDraft.form.startswith(prefix, autoescape=True),
            FormDraft.saved_at >= now - DRAFT_LIFETIME,
        )
        .order_by(FormDraft.saved_at.desc())
        .limit(1)
    )
