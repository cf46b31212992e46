"""KPI tiles: a value, its change against the comparison period, and what it was measured on.

Formatting is a pure function (`tile_for`), so the rules are tested without Streamlit: a rate
whose denominator is 0 shows "—" (never 0% or an error), every rate shows its denominator, and
the change is in the KPI's own unit (percentage points for rates, days for the median). Each
tile's help (the "?" tooltip) ends with where its definition is written down: docs/metrics.md,
the section named after the tile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import streamlit as st

from components.wording import noun_for
from db.kpi import KpiResult

NO_VALUE = "—"
NO_CHANGE = "no change"
Kind = Literal["count", "share", "days", "points", "per_thousand"]
DeltaColour = Literal["normal", "inverse", "off"]
DEFINITIONS_FILE = "docs/metrics.md"

# Tile label -> the section of docs/metrics.md that defines it (each heading there is the
# label). tests/test_metrics_doc.py checks that every section exists.
DEFINED_IN = {
    "Interactions": "Interactions",
    "Concerns opened": "Concerns opened",
    "Open now": "Open now",
    "Overdue now": "Overdue now",
    "Complaints per 1,000": "Complaints per 1,000",
    "On-time resolution": "On-time resolution",
    "Median days to resolve": "Median days to resolve",
    "First-contact resolution": "First-contact resolution",
    "Grievance response on time": "Grievance response on time",
    "Net Promoter Score": "Net Promoter Score",
}


def definition_pointer(label: str) -> str:
    """Where a tile's KPI is defined, as the tooltip says it ("" for a label not listed)."""
    section = DEFINED_IN.get(label)
    if section is None:
        return ""
    return f"Definition, with a worked example: {DEFINITIONS_FILE}, section “{section}”."


def format_denominator(denominator: float) -> str:
    """A denominator as a tile shows it: whole, with thousands separators. Prorated encounters
    are divided exactly and only rounded here."""
    return f"{round(denominator):,}"


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None  # None: nothing to compare with
    delta_colour: DeltaColour
    caption: str
    help: str


def format_value(value: float | None, kind: Kind) -> str:
    """How a KPI value reads on a tile."""
    if value is None:
        return NO_VALUE
    if kind == "count":
        return f"{int(value):,}"
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "days":
        return f"{value:.1f} d"
    if kind == "points":
        return f"{value:+.0f}" if round(value) else "0"
    return f"{value:.2f}"


def format_change(result: KpiResult, kind: Kind) -> str | None:
    """The change against the comparison period, in the KPI's unit; None when either side has
    no value."""
    change = result.change
    if change is None:
        return None
    if change == 0:
        return NO_CHANGE
    if kind == "count":
        before = result.previous_value or 0
        percent = f" ({100 * change / before:+.0f}%)" if before else ""
        return f"{int(change):+,}{percent}"
    if kind == "share":
        return f"{100 * change:+.1f} pts"
    if kind == "days":
        return f"{change:+.1f} d"
    if kind == "points":
        return f"{change:+.1f} pts"
    return f"{change:+.2f}"


def tile_for(
    label: str,
    result: KpiResult,
    kind: Kind,
    *,
    of: str | tuple[str, str] = "",
    compared_with: str = "previous period",
    delta_colour: DeltaColour = "normal",
    help: str = "",
) -> Tile:
    """A tile for `result`. `of` names the denominator, as (one, several) or a phrase that does
    not change ("resolved"), shown as "of 1,234 interactions" or "of 1 window ended"; counts
    have none."""
    parts = []
    if result.denominator is not None:
        shown = format_denominator(result.denominator)
        # The noun agrees with the number as shown ("of 1 window ended"): prorated encounters
        # are rounded first.
        noun = noun_for(round(result.denominator), *of) if isinstance(of, tuple) else of
        parts.append(f"of {shown} {noun}".rstrip())
    before = format_value(result.previous_value, kind)
    if result.previous_value is not None or result.previous_denominator is not None:
        previous = f"{compared_with}: {before}"
        if result.previous_denominator is not None:
            previous += f" of {format_denominator(result.previous_denominator)}"
        parts.append(previous)
    return Tile(
        label=label,
        value=format_value(result.value, kind),
        delta=format_change(result, kind),
        delta_colour=delta_colour,
        caption=" · ".join(parts),
        help="\n\n".join(part for part in (help, definition_pointer(label)) if part),
    )


# Tile titles wrap instead of ending in "…" (Streamlit cuts a metric's label to one line), and
# a tile never gets narrower than its value: a row too narrow for all of its tiles wraps them.
# Fixed CSS, never user data.
TILES_CSS = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] > div,
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] {
  height: auto; white-space: normal; overflow: visible; text-overflow: clip;
}
[data-testid="stMetricLabel"] p { white-space: normal; line-height: 1.3; }
[class*="st-key-kpi_tiles"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
[class*="st-key-kpi_tiles"] [data-testid="stColumn"] { min-width: 9rem; }
[class*="st-key-kpi_tiles"] [data-testid="stMetricLabel"] { min-height: 2.6em; align-items: start; }
</style>"""


def render_tiles(tiles: Sequence[Tile], *, per_row: int = 5, key: str = "kpi_tiles") -> None:
    """Draw tiles in rows of `per_row` (fewer where the screen is narrow), each with its caption
    (denominator and comparison). `key` (starting "kpi_tiles") names the group."""
    st.html(TILES_CSS)
    with st.container(key=key):
        for start in range(0, len(tiles), per_row):
            columns = st.columns(per_row)
            for column, tile in zip(columns, tiles[start : start + per_row], strict=False):
                with column, st.container(border=True, height="stretch"):
                    unchanged = tile.delta == NO_CHANGE
                    st.metric(
                        tile.label,
                        tile.value,
                        delta=tile.delta,
                        delta_color="off" if unchanged else tile.delta_colour,
                        delta_arrow="off" if unchanged else "auto",
                        help=tile.help or None,
                    )
                    if tile.caption:
                        st.caption(tile.caption)
