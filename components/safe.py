"""Showing user-typed text as text: the one place every display of staff or patient text goes.

Streamlit renders markdown in st.markdown, st.caption, st.write, alerts, titles and st.table
cells, and turns bare URLs into links even after markdown characters are escaped. So text typed
by staff or patients is never passed to those. It is HTML-escaped and drawn with `st.html`, which
interprets neither markdown nor links: whatever was typed (an image, a link, bold, a URL, a tag)
appears as the characters typed. Only fixed wording of the app (a `Label`) is shown bold.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

# Every character markdown (and Streamlit's :icon:/:color[...]: and $math$ extensions) treats as
# syntax.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")

_NOTICE_COLOURS = {
    "success": ("#e8f5e9", "#1b5e20"),
    "info": ("#e3f2fd", "#0d47a1"),
    "warning": ("#fff8e1", "#6d4c00"),
    "error": ("#fdecea", "#8a1c12"),
}
_CELL = "padding:0.3rem 0.6rem;border-bottom:1px solid rgba(49,51,63,0.15);vertical-align:top;"


@dataclass(frozen=True)
class Label:
    """Text shown bold (escaped like everything else, so a name may be one)."""

    text: str


@dataclass(frozen=True)
class Link:
    """A link to one of the app's own addresses, opened in a new tab. Both parts are escaped;
    build `href` from numbers, never from user text."""

    text: str
    href: str


def escape_markdown(text: str | None) -> str:
    """`text` with every markdown control character backslash-escaped; newlines kept.

    Only for widget labels, where markdown is the only choice; it does not stop a bare URL
    becoming a link, so displays of user text use the functions below instead.
    """
    if text is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def as_html(value: object) -> str:
    """`value` as inert HTML text: every character shows as typed."""
    return html.escape("" if value is None else str(value), quote=True)


def _parts_html(parts: Sequence[object]) -> str:
    return "".join(
        f"<strong>{as_html(p.text)}</strong>" if isinstance(p, Label) else as_html(p) for p in parts
    )


def show_line(*parts: object, small: bool = False) -> None:
    """One line of fixed labels (`Label`) and user text, e.g. the patient line of a concern."""
    style = "white-space:pre-wrap;margin:0 0 0.5rem 0;"
    if small:
        style += "font-size:0.875rem;color:rgba(49,51,63,0.7);"
    st.html(f'<div class="prd-text" style="{style}">{_parts_html(parts)}</div>')


def show_heading(text: str, level: int = 2) -> None:
    """A heading made of user text (a patient's name), never interpreted."""
    st.html(f'<h{level} class="prd-text" style="margin:0.5rem 0;">{as_html(text)}</h{level}>')


def show_notice(kind: str, *parts: object) -> None:
    """A coloured message box (success, info, warning, error) that may contain user text."""
    background, colour = _NOTICE_COLOURS[kind]
    st.html(
        f'<div class="prd-text prd-notice-{kind}" role="status" style="background:{background};'
        f"color:{colour};padding:0.75rem 1rem;border-radius:0.5rem;white-space:pre-wrap;"
        f'margin-bottom:0.5rem;">{_parts_html(parts)}</div>'
    )


def _cell_html(value: object) -> str:
    if isinstance(value, Link):
        return f'<a href="{as_html(value.href)}" target="_blank">{as_html(value.text)}</a>'
    return as_html(value)


def show_table(columns: Mapping[str, Sequence[object]]) -> None:
    """A read-only table whose cells are shown exactly as typed (and cannot be downloaded);
    a `Link` cell is a link. One element however many rows: cheap for the browser to draw."""
    names = list(columns)
    rows = zip(*(columns[n] for n in names), strict=True)
    head = "".join(f'<th style="{_CELL}text-align:left;">{as_html(n)}</th>' for n in names)
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{_CELL}white-space:pre-wrap;">{_cell_html(v)}</td>' for v in row)
        + "</tr>"
        for row in rows
    )
    st.html(
        '<table class="prd-text" style="border-collapse:collapse;width:100%;font-size:0.9rem;">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
