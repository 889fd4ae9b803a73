"""Counts in words, for what the commands print: "1 run", "2 runs"."""

from __future__ import annotations

# Plurals that do not just add an "s".
_IRREGULAR = {"was": "were", "is": "are", "this": "these", "claim matches": "claims match"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n` and `word`, in the plural unless n is 1: plural(1, "run") -> "1 run", plural(3, "run") -> "3 runs"."""
    if n == 1:
        return f"{n:,} {word}"
    return f"{n:,} {many or _IRREGULAR.get(word) or word + 's'}"
