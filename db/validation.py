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
