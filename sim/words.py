"""Words for what the commands print and draw: counts ("1 run", "2 runs"), and text from a file made printable."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    """`n` and `word`, in the plural unless n is 1: plural(1, "run") -> "1 run", plural(3, "run") -> "3 runs"."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def escaped(text: str, keep: str = "") -> str:
    """`text` with each character that does not print (a control character, a zero-width space) but those in `keep`
    written as its escape, `\\x01`: text read from a file is shown as it is, on one line and in any font."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)
