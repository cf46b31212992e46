"""Instants to run the suite at (`make test-clocks`): a week and a year from now, the coming
23:59 in the facility's time zone, and the coming spring-forward and fall-back days there.

Printed one ISO timestamp a line; each is used as PRD_TEST_CLOCK (see tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from db.settings import get_settings


def _next_offset_change(start: dt.datetime, *, spring: bool) -> dt.datetime:
    """Just after the next spring-forward (03:30) or inside the repeated hour of the next
    fall-back (01:30, first pass), local time."""
    tz = start.tzinfo
    day = start.date()
    for _ in range(400):
        day += dt.timedelta(days=1)
        before = dt.datetime.combine(day, dt.time(0, 0), tz).utcoffset()
        after = dt.datetime.combine(day, dt.time(12, 0), tz).utcoffset()
        if before != after and (after > before) == spring:
            return dt.datetime.combine(day, dt.time(3, 30) if spring else dt.time(1, 30), tz)
    raise ValueError(f"no {'spring' if spring else 'autumn'} clock change in {tz}")


def clocks(now: dt.datetime | None = None) -> list[dt.datetime]:
    tz = get_settings().facility_tz
    now = (now or dt.datetime.now(dt.UTC)).astimezone(tz)
    late = now.replace(hour=23, minute=59, second=0, microsecond=0)
    if late <= now:
        late = (now + dt.timedelta(days=1)).replace(hour=23, minute=59, second=0, microsecond=0)
    found = [now + dt.timedelta(weeks=1), now + dt.timedelta(days=365), late]
    with contextlib.suppress(ValueError):  # a zone without daylight saving time has none
        found += [_next_offset_change(now, spring=True), _next_offset_change(now, spring=False)]
    return found


if __name__ == "__main__":
    for instant in clocks():
        print(instant.isoformat(timespec="seconds"))
