"""Counted nouns in plain English: "1 contact", "4 inquiries", "1 window ended"."""

from __future__ import annotations

import textwrap

# Words whose plural the spelling rules below would get wrong.
_IRREGULAR = {"person": "people", "staff": "staff"}


def plural_of(word: str) -> str:
    """The plural of one English noun (the last word of a phrase is not special-cased)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def noun_for(n: int, singular: str, plural: str | None = None) -> str:
    """`singular` for exactly one, else `plural` (by default the plural of `singular`)."""
    return singular if n == 1 else (plural or plural_of(singular))


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 contact', '2 contacts', '1,200 inquiries'."""
    return f"{n:,} {noun_for(n, singular, plural)}"


def shortened(text: str, width: int) -> str:
    """`text` on one line, cut at a word boundary to at most `width` characters (with '…')."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = textwrap.shorten(flat, width=width, placeholder=" …")
    # One word longer than the width leaves only the placeholder: cut that word instead.
    return cut if cut.strip(" …") else flat[: width - 1] + "…"
