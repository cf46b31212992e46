"""What the data layer tells the pages about input it cannot take, and safe LIKE patterns."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input that cannot be saved; `errors` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards escaped, so what the user typed is matched literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Longest text each kind of field takes: the database has the same limits as CHECKs, the form
# says them. Widgets have no max_chars: a paste past it would be cut or dropped by the browser,
# and typed input is never lost; it is refused here with a message instead.
MAX_LONG_TEXT = 4000  # summaries, notes, resolutions, written-response text
MAX_SHORT_TEXT = 500  # reasons, contact person, issue description, still-working note
MAX_SEARCH_TEXT = 200  # search boxes
NUL_MESSAGE = (
    "This text contains an invisible NUL character (often from a paste), which cannot be saved: "
    "delete and retype the last part you pasted."
)


def text_problem(value: str | None, limit: int) -> str | None:
    """What is wrong with free text for a field of `limit` characters, or None.

    The one place every free-text field and search box is checked: PostgreSQL text cannot hold
    NUL (the driver would raise before the query runs) and each field has a length limit.
    """
    if value is None:
        return None
    if "\x00" in value:
        return NUL_MESSAGE
    length = len(value.strip())
    if length > limit:
        return f"At most {limit:,} characters: this has {length:,}. Shorten it and save again."
    return None


def check_texts(fields: dict[str, tuple[str | None, int]]) -> None:
    """Raise InvalidInput naming every field (name -> (value, limit)) whose text is refused."""
    errors = {
        name: problem
        for name, (value, limit) in fields.items()
        if (problem := text_problem(value, limit)) is not None
    }
    if errors:
        raise InvalidInput(errors)
