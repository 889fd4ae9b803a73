"""Words for what the commands print and draw: counts ("1 run", "2 runs"), and text from a file made printable."""

from __future__ import annotations

import unicodedata


def plural(n: int, word: str) -> str:
    """`n` and `word`, in the plural unless n is 1: plural(1, "run") -> "1 run", plural(3, "run") -> "3 runs"."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def escaped(text: str, keep: str = "", *, controls: bool = False) -> str:
    """`text` with each character that does not print (a control character, a zero-width or no-break space), or with
    `controls` each control character alone (escape, bell, delete: what a font has no glyph for), but those in `keep`
    written as its escape, `\\x1b`: text read from a file is shown as it is, on one line and in any font."""
    if text.isprintable():
        return text
    if controls:
        return "".join(c if c in keep or not is_control(c) else repr(c)[1:-1] for c in text)
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)


def is_control(c: str) -> bool:
    """A control character (escape, bell, delete, a line break): one that a terminal acts on rather than shows."""
    return unicodedata.category(c) == "Cc"
