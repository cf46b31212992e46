"""The generator's COPY columns give the same text read in chunks as converted whole."""

import numpy as np

from synthetic.arrays import _NULL, _bools, _dates, _ints, _times, _uuids


def _chunks(column, size):
    out = []
    for start in range(0, len(column), size):
        out += column[start : start + size]
    return out


def test_columns_read_in_chunks_equal_the_whole():
    values = np.array([5, -3, 0, 12, 7, 99, 1])
    null = np.array([False, True, False, False, True, False, False])
    assert _chunks(_ints(values, null), 3) == ["5", r"\N", "0", "12", r"\N", "99", "1"]
    assert _chunks(_ints(values), 2) == [str(v) for v in values]
    ts = np.array([0, 86_400 + 3_661, _NULL], dtype=np.int64)
    assert _chunks(_times(ts), 2) == ["1970-01-01T00:00:00", "1970-01-02T01:01:01", r"\N"]
    days = np.array(["2026-11-24", "2026-03-08"], dtype="datetime64[D]")
    assert _chunks(_dates(days, np.array([False, True])), 1) == ["2026-11-24", r"\N"]
    assert _chunks(_bools(np.array([1, 0, 1])), 2) == ["t", "f", "t"]


def test_a_column_keeps_the_values_it_was_given():
    values = np.array([1, 2, 3])
    column = _ints(values)
    values[:] = 0  # the caller reuses its array
    assert column[0:3] == ["1", "2", "3"]


def test_uuids_are_drawn_when_made_not_when_written():
    first = _uuids(np.random.default_rng(3), 5)
    rng = np.random.default_rng(3)
    second = _uuids(rng, 5)
    after = rng.integers(0, 10, 3)  # the sequence continues as if all 5 were drawn at once
    assert _chunks(first, 2) == _chunks(second, 4)
    assert len(set(_chunks(first, 5))) == 5 and all(len(u) == 32 for u in first[0:5])
    rng_again = np.random.default_rng(3)
    rng_again.integers(0, 256, (5, 16), dtype=np.uint8)
    assert list(rng_again.integers(0, 10, 3)) == list(after)
