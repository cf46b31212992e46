"""Helpers on numpy arrays: time on the facility calendar, drawing, and COPY text format."""

from __future__ import annotations

import re
from collections.abc import Sequence
from statistics import NormalDist
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

_NULL = np.int64(-(2**62))  # "no value" in int64 timestamp arrays
_DAY = 86_400
_HOUR = 3_600


def _to_local(ts: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """UTC epoch seconds -> naive local datetime64[s]."""
    idx = pd.DatetimeIndex(ts.astype("datetime64[s]")).tz_localize("UTC").tz_convert(tz)
    return idx.tz_localize(None).values.astype("datetime64[s]")


def _from_local(local: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Naive local datetime64 -> UTC epoch seconds, resolving DST like db.sla does: a repeated
    wall-clock time is the first (daylight) one, a skipped one moves an hour later."""
    idx = pd.DatetimeIndex(local.astype("datetime64[s]")).tz_localize(
        tz, ambiguous=np.ones(len(local), dtype=bool), nonexistent=pd.Timedelta(hours=1)
    )
    return idx.tz_convert("UTC").tz_localize(None).values.astype("datetime64[s]").astype(np.int64)


def _local_dates(ts: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    return _to_local(ts, tz).astype("datetime64[D]")


def _into_office_hours(ts: np.ndarray, tz: ZoneInfo, rng: np.random.Generator) -> np.ndarray:
    """Staff work days: a time outside 07:00-19:00 local moves to the next morning."""
    if not len(ts):
        return ts
    local = _to_local(ts, tz)
    hour = (local - local.astype("datetime64[D]")).astype(np.int64) // _HOUR
    day = local.astype("datetime64[D]")
    night = (hour < 7) | (hour >= 19)
    morning = np.where(hour >= 19, day + np.timedelta64(1, "D"), day).astype("datetime64[s]")
    moved = morning + (8 * _HOUR + rng.integers(0, 2 * _HOUR, len(ts))).astype("timedelta64[s]")
    out = ts.copy()
    if night.any():
        out[night] = _from_local(moved[night], tz)
    return out


def _month_index(days: np.ndarray, first_day: np.datetime64) -> np.ndarray:
    return (days.astype("datetime64[M]") - first_day.astype("datetime64[M]")).astype(np.int64)


def _cutpoints(base: Sequence[float]) -> np.ndarray:
    """Ordered-probit cut points that give `base` answer shares at a latent score of 0."""
    p = np.asarray(base, dtype=float)
    cum = np.cumsum(p / p.sum())[:-1]
    # Thresholds for a latent variable with unit variance (0.8^2 + 0.6^2 = 1).
    return np.array([NormalDist().inv_cdf(min(max(c, 1e-6), 1 - 1e-6)) for c in cum])


def _pick(rng: np.random.Generator, values: list[str], p: list[float], n: int) -> np.ndarray:
    p_arr = np.asarray(p, dtype=float)
    return np.array(values, dtype=object)[rng.choice(len(values), int(n), p=p_arr / p_arr.sum())]


def _choose_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One draw per row of a matrix of probabilities."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(len(p))[:, None] * cum[:, -1:]
    return np.minimum((u > cum).sum(axis=1), p.shape[1] - 1)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _email_part(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower()) or "patient"


def _check_copy_safe(text: str) -> None:
    if any(ch in text for ch in "\t\n\r\\"):
        raise ValueError(f"text not safe for COPY: {text!r}")


class _Column:
    """A column for COPY, turned into text one slice at a time: the loader reads every column in
    chunks of rows, so the text of a whole table (tens of bytes per value as Python strings,
    most of the generator's memory at 3 x the reference size) never exists at once."""

    def __init__(self, n: int, text_of) -> None:
        self._n = n
        self._text_of = text_of

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, rows: slice) -> list[str]:
        return self._text_of(rows)


def _nullable(out: np.ndarray, null: np.ndarray | None, rows: slice) -> list[str]:
    if null is not None:
        out = np.where(null[rows], r"\N", out)
    return out.tolist()


def _ints(values: np.ndarray, null: np.ndarray | None = None) -> _Column:
    values = np.asarray(values).astype(np.int64)  # a copy: later changes by the caller don't leak
    null = None if null is None else np.array(null, dtype=bool)
    return _Column(len(values), lambda rows: _nullable(values[rows].astype(str), null, rows))


def _times(ts: np.ndarray) -> _Column:
    ts = np.array(ts)
    null = ts == _NULL
    return _Column(
        len(ts),
        lambda rows: _nullable(
            np.datetime_as_string(ts[rows].astype("datetime64[s]"), unit="s"), null, rows
        ),
    )


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> _Column:
    days = np.array(days)
    null = None if null is None else np.array(null, dtype=bool)
    return _Column(
        len(days),
        lambda rows: _nullable(
            np.datetime_as_string(days[rows].astype("datetime64[D]"), unit="D"), null, rows
        ),
    )


def _bools(values: np.ndarray) -> _Column:
    values = np.array(values, dtype=bool)
    return _Column(len(values), lambda rows: np.where(values[rows], "t", "f").tolist())


def _texts(values) -> list[str]:
    return [r"\N" if v is None else str(v) for v in values]


def _uuids(rng: np.random.Generator, n: int) -> _Column:
    """Random (version 4 layout) UUIDs from the seeded generator, as 32 hex digits (drawn now,
    so the generator's sequence does not depend on when the column is written)."""
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80

    def text_of(rows: slice) -> list[str]:
        hexed = raw[rows].tobytes().hex()
        return [hexed[i : i + 32] for i in range(0, len(hexed), 32)]

    return _Column(n, text_of)
