"""Words for what the commands print and draw: counts ("1 run", "2 runs"), text from a file made printable, and the
warning that a text drawn holds characters no font here has."""

from __future__ import annotations

import unicodedata
import warnings


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


class GlyphWarning(UserWarning):
    """Characters of a plot's texts that no font installed here has: drawn as boxes. A command prints it as one line
    (`redline: ...`)."""


# The sets of characters this process has warned of: a command draws several plots, each lacking the same ones.
_TOLD: set[frozenset[str]] = set()


def tell_missing_glyphs(missing: set[str] | frozenset[str], stacklevel: int = 2) -> None:
    """Warn, once a process, that no font here has the characters `missing` of a plot's texts."""
    told = frozenset(missing)
    if not told or told in _TOLD:
        return
    _TOLD.add(told)
    shown = " ".join(escaped(c) for c in sorted(told)[:8]) + (" ..." if len(told) > 8 else "")
    warnings.warn(
        f"no font installed here has {shown}: drawn as boxes; install a font that has them (for Chinese, "
        "Japanese or Korean: Noto Sans CJK)",
        GlyphWarning,
        stacklevel=stacklevel + 1,
    )
