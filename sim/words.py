"""Counts in words, for what the commands print: "1 run", "2 runs"."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    """`n` and `word`, in the plural unless n is 1: plural(1, "run") -> "1 run", plural(3, "run") -> "3 runs"."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
