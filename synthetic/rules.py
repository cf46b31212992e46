"""The app's own rules, applied to the generator's arrays.

Due times, business days and the CMS grievance rules exist once, in db/sla.py and
db/grievance.py; the generator calls them here instead of keeping a copy, so demo and benchmark
data hold only due times and rule texts the app itself would produce. Times are int64 UTC epoch
seconds, as everywhere in the generator; NULL marks "no value".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np

from db.grievance import ComplaintFacts, propose_grievance
from db.models import WRITTEN_CHANNELS
from db.sla import concern_due_at, grievance_acknowledgement_due_at, grievance_response_due_at
from synthetic.arrays import _NULL

# What staff record about a complaint, for each way a synthetic concern came to be (or not be) a
# grievance. The rule text a concern carries is what db.grievance proposes for these facts.
FACTS: dict[str, ComplaintFacts] = {
    "written": ComplaintFacts(channel=WRITTEN_CHANNELS[0]),
    "abuse": ComplaintFacts(channel="phone", abuse_or_neglect=True),
    "not_resolved": ComplaintFacts(channel="phone"),
    "after_discharge": ComplaintFacts(channel="phone", after_discharge=True),
    "written_response": ComplaintFacts(channel="phone", written_response_requested=True),
}
# How often each rule makes a complaint made in person or by phone a grievance.
VERBAL_GRIEVANCE_MIX = (
    ("not_resolved", 0.45),
    ("after_discharge", 0.30),
    ("written_response", 0.25),
)


def grievance_rule(scenario: str) -> str:
    """The rule db.grievance names for a scenario of FACTS, e.g. "written complaint"."""
    return propose_grievance(FACTS[scenario]).rule


def _instant(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC)


def _epoch(instant: dt.datetime | None) -> int:
    return _NULL if instant is None else int(instant.timestamp())


def _each(opened: np.ndarray, rule: Callable[[dt.datetime], dt.datetime | None]) -> np.ndarray:
    return np.fromiter((_epoch(rule(_instant(t))) for t in opened), np.int64, len(opened))


def due_times(
    opened: np.ndarray,
    types: np.ndarray,
    severities: np.ndarray,
    targets: dict[tuple[str, str], int | None],
    tz: ZoneInfo,
) -> np.ndarray:
    """db.sla.concern_due_at for every concern (NULL where the type has no clock)."""
    return np.fromiter(
        (
            _epoch(
                concern_due_at(
                    opened_at=_instant(t),
                    concern_type=kind,
                    severity=severity,
                    targets=targets,
                    tz=tz,
                )
            )
            for t, kind, severity in zip(opened, types, severities, strict=True)
        ),
        np.int64,
        len(opened),
    )


def acknowledgement_due_times(opened: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """db.sla.grievance_acknowledgement_due_at for every instant in `opened`."""
    return _each(opened, lambda t: grievance_acknowledgement_due_at(t, tz))


def response_due_times(opened: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """db.sla.grievance_response_due_at (the 7-day written response) for every instant."""
    return _each(opened, lambda t: grievance_response_due_at(t, tz))
