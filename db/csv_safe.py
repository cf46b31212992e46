"""CSV cells a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading '."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value`, with text that a spreadsheet would read as a formula turned into plain text.

    Numbers pass through (a negative number is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    """UTF-8 CSV (with BOM, so Excel reads accents) of formula-safe cells, and the row count."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
        count += 1
    return ("\ufeff" + buffer.getvalue()).encode(), count
