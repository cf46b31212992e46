"""Every write path applies the same ownership rule: an executive writes only to their own or
unassigned concerns; managers to all. One table lists every path that writes to a concern."""

import dataclasses
import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import concerns as c
from db.intake import ADDS_TO_CONCERN, log_interaction
from db.models import Concern, ConcernEvent, Interaction
from db.validation import InvalidInput
from tests.helpers import NOW, NY, draft, open_concern, seed_world, version_of


def _add_contact(session, staff, concern_id, seen_version, world):
    d = dataclasses.replace(
        draft(world, outcome=ADDS_TO_CONCERN, summary="Called again"),
        add_to_concern_id=concern_id,
        client_submission_id=uuid.uuid4(),
    )
    log_interaction(session=session, staff=staff, draft=d, tz=NY, now=NOW)


WRITE_PATHS = {
    "add a contact (Log interaction)": _add_contact,
    "note": lambda s, st, cid, v, w: c.add_note(
        session=s, staff=st, concern_id=cid, seen_version=v, note="x"
    ),
    "assign": lambda s, st, cid, v, w: c.assign(
        session=s, staff=st, concern_id=cid, seen_version=v, owner_id=st.id
    ),
    "status": lambda s, st, cid, v, w: c.change_status(
        session=s, staff=st, concern_id=cid, seen_version=v, status="in_progress"
    ),
    "escalate": lambda s, st, cid, v, w: c.escalate(
        session=s, staff=st, concern_id=cid, seen_version=v, department_id=w["cardio"], reason="x"
    ),
    "follow-up": lambda s, st, cid, v, w: c.record_follow_up(
        session=s,
        staff=st,
        concern_id=cid,
        seen_version=v,
        channel="phone",
        direction="outbound",
        summary="x",
        occurred_at=NOW,
    ),
    "acknowledge": lambda s, st, cid, v, w: c.record_acknowledgement(
        session=s, staff=st, concern_id=cid, seen_version=v, acknowledged_at=NOW
    ),
    "written response": lambda s, st, cid, v, w: c.record_written_response(
        session=s,
        staff=st,
        concern_id=cid,
        seen_version=v,
        contact_person="x",
        steps_taken="x",
        result="x",
        completed_on=NOW.date(),
        sent_at=NOW,
    ),
    "still working": lambda s, st, cid, v, w: c.record_still_working(
        session=s,
        staff=st,
        concern_id=cid,
        seen_version=v,
        new_date=(NOW + dt.timedelta(days=20)).date(),
        note="x",
        today=NOW.date(),
    ),
    "issue": lambda s, st, cid, v, w: c.save_issue(
        session=s,
        staff=st,
        concern_id=cid,
        seen_version=v,
        category_id=w["categories"]["Environment"],
        hcat_severity=1,
        harm_level=None,
        description="x",
    ),
    "severity": lambda s, st, cid, v, w: c.change_severity(
        session=s, staff=st, concern_id=cid, seen_version=v, severity="high", tz=NY
    ),
    "resolve": lambda s, st, cid, v, w: c.resolve(
        session=s, staff=st, concern_id=cid, seen_version=v, resolution="x", resolved_at=NOW
    ),
    "close": lambda s, st, cid, v, w: c.close(
        session=s, staff=st, concern_id=cid, seen_version=v, closed_at=NOW
    ),
    "reopen": lambda s, st, cid, v, w: c.reopen(
        session=s, staff=st, concern_id=cid, seen_version=v, reason="x"
    ),
}


def _footprint(engine, concern_id):
    with Session(engine) as s:
        return (
            s.get(Concern, concern_id).version,
            s.scalar(select(func.count()).select_from(ConcernEvent)),
            s.scalar(select(func.count()).select_from(Interaction)),
        )


@pytest.mark.parametrize("write", list(WRITE_PATHS.values()), ids=list(WRITE_PATHS))
def test_an_executive_cannot_write_to_another_executives_concern(engine, make_staff, write):
    world = seed_world(engine)
    owner = make_staff("executive")
    other = make_staff("executive")
    concern_id = open_concern(engine, world, owner, owner_id=owner.id)
    before = _footprint(engine, concern_id)
    seen = version_of(engine, concern_id)
    with pytest.raises((PermissionError, InvalidInput)) as refused, Session(engine) as s, s.begin():
        write(s, other, concern_id, seen, world)
    if isinstance(refused.value, InvalidInput):
        assert "another executive" in refused.value.errors.get("add_to_concern_id", ""), (
            refused.value.errors
        )
    assert _footprint(engine, concern_id) == before


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_the_owner_and_managers_may_add_a_contact(engine, make_staff, who):
    world = seed_world(engine)
    owner = make_staff("executive")
    staff = owner if who == "owner" else make_staff("manager")
    concern_id = open_concern(engine, world, owner, owner_id=owner.id)
    with Session(engine) as s, s.begin():
        _add_contact(s, staff, concern_id, None, world)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).where(Interaction.concern_id == concern_id)) == 2
