"""Reading what components.safe drew (st.html elements) back as the text a person sees."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")


def html_texts(at, kind: str | None = None) -> list[str]:
    """Visible text of each st.html element; `kind` ("success", "warning", ...) picks notices."""
    bodies = [e.proto.body for e in at.get("html")]
    if kind is not None:
        bodies = [b for b in bodies if f"prd-notice-{kind}" in b]
    return [
        html.unescape(_TAG.sub("", b.replace("</tr>", "\n").replace("</td>", "\t"))) for b in bodies
    ]
